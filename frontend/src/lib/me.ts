/** Who is signed in and their organization: the source of role, currency, locale and zone. */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '@orbit/shared/api/client';
import { useSession } from '@orbit/shared/session/session';

export type Me = Schemas['MeRead'];
export type Role = Me['user']['role'];

export const meKey = ['me'] as const;

export function useMe() {
  const session = useSession();
  return useQuery({
    queryKey: meKey,
    queryFn: () => unwrap(api.GET('/api/v1/me')),
    enabled: session !== null,
    staleTime: 5 * 60_000,
  });
}

/** What each role may open in this app; the server checks every request again. */
export const ROLE_AREAS: Record<Role, ReadonlySet<string>> = {
  admin: new Set(['dashboard', 'sales', 'reports', 'shifts', 'forecasts', 'products', 'categories', 'stock', 'customers', 'registers', 'users', 'settings', 'audit']),
  manager: new Set(['dashboard', 'sales', 'reports', 'shifts', 'forecasts', 'products', 'categories', 'stock', 'customers', 'registers']),
  cashier: new Set(),
};

export function canOpen(role: Role | undefined, area: string): boolean {
  return role !== undefined && ROLE_AREAS[role].has(area);
}
