/**
 * The audit log (admins): entries filtered by actor, entity and time, the entity types the log
 * holds, and the shop's users to name the actors. Keys start with `['audit']`.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas, type paths } from '@orbit/shared/api/client';

export type AuditEntry = Schemas['AuditEntryRead'];
export type AuditQuery = NonNullable<paths['/api/v1/audit']['get']['parameters']['query']>;
export type Actor = Pick<Schemas['UserRead'], 'id' | 'full_name' | 'email'>;

export const AUDIT_PAGE_SIZE = 50;
/** The user list is read whole for naming actors; a shop has far fewer than 10 pages of users. */
const ACTOR_PAGES = 10;

export function useAuditEntries(query: AuditQuery) {
  return useQuery({
    queryKey: ['audit', 'list', query],
    queryFn: () => unwrap(api.GET('/api/v1/audit', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export function useEntityTypes() {
  return useQuery({ queryKey: ['audit', 'entity-types'], queryFn: () => unwrap(api.GET('/api/v1/audit/entity-types')), staleTime: 5 * 60_000 });
}

/** Every user of the shop (active or not: past actors stay named), sorted by name. */
export function useActors() {
  return useQuery({
    queryKey: ['users', 'actors'],
    staleTime: 5 * 60_000,
    queryFn: async (): Promise<Actor[]> => {
      const actors: Actor[] = [];
      let offset: number | null = 0;
      for (let page = 0; offset !== null && page < ACTOR_PAGES; page += 1) {
        const users: Schemas['Page_UserRead_'] = await unwrap(api.GET('/api/v1/users', { params: { query: { limit: 200, offset } } }));
        actors.push(...users.items.map(({ id, full_name, email }) => ({ id, full_name, email })));
        offset = users.next_offset;
      }
      return actors.sort((a, b) => a.full_name.localeCompare(b.full_name));
    },
  });
}
