/**
 * The audit log (admins): entries filtered by actor, entity and time, the entity types the log
 * holds, and the shop's users to name the actors. Keys start with `['audit']`.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas, type paths } from '@orbit/shared/api/client';

export type AuditEntry = Schemas['AuditEntryRead'];
export type AuditQuery = NonNullable<paths['/api/v1/audit']['get']['parameters']['query']>;
export const AUDIT_PAGE_SIZE = 50;

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

