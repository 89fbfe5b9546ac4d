/**
 * The users feature's server state (admins only). Keys start with `['users']`, so any change
 * refreshes every list; the audit log's actor names come from the same endpoint.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas, type paths } from '@orbit/shared/api/client';

export type User = Schemas['UserRead'];
export type Role = User['role'];
export type UserCreate = Schemas['UserCreate'];
export type UserUpdate = Schemas['UserUpdate'];
export type UserQuery = NonNullable<paths['/api/v1/users']['get']['parameters']['query']>;

export const ROLES: readonly Role[] = ['admin', 'manager', 'cashier'];
export const USERS_PAGE_SIZE = 25;

export function isRole(value: unknown): value is Role {
  return ROLES.includes(value as Role);
}

export function useUsers(query: UserQuery) {
  return useQuery({
    queryKey: ['users', 'list', query],
    queryFn: () => unwrap(api.GET('/api/v1/users', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UserCreate) => unwrap(api.POST('/api/v1/users', { body })),
    onSuccess: () => Promise.all([client.invalidateQueries({ queryKey: ['users'] }), client.invalidateQueries({ queryKey: ['people'] })]),
  });
}

/** Rename, change the role, reset the password or (de)activate: one PATCH, fields left out stay. */
export function useUpdateUser(userId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UserUpdate) => unwrap(api.PATCH('/api/v1/users/{user_id}', { params: { path: { user_id: userId } }, body })),
    onSuccess: () => Promise.all([client.invalidateQueries({ queryKey: ['users'] }), client.invalidateQueries({ queryKey: ['people'] })]),
  });
}

export function useSetPin(userId: string) {
  return useMutation({
    mutationFn: (pin: string) => unwrap(api.PUT('/api/v1/users/{user_id}/pin', { params: { path: { user_id: userId } }, body: { pin } })),
  });
}
