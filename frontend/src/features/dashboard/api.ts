/**
 * The dashboard's server state. The summary (`['dashboard', 'summary']`) is read once per visit
 * and then kept current by the live reducer, not by refetching; the conflict inbox and the
 * forecast run-outs are ordinary queries the page refreshes when an event says they changed.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '@orbit/shared/api/client';
import type { InboxConflict } from './live-reducer';

export type ConflictResolve = Schemas['ConflictResolve'];
export type RunoutAlert = Schemas['ReorderSuggestion'];

export const summaryKey = ['dashboard', 'summary'] as const;
export const inboxKey = ['dashboard', 'conflicts'] as const;
export const runoutKey = ['dashboard', 'runouts'] as const;

const INBOX_SIZE = 20;
const RUNOUTS_SIZE = 5;

export function useDashboardSummary() {
  return useQuery({
    queryKey: summaryKey,
    queryFn: () => unwrap(api.GET('/api/v1/reports/dashboard')),
    staleTime: Infinity,
    gcTime: 0,
    retry: 2,
  });
}

function inboxConflict(conflict: Schemas['ConflictRead']): InboxConflict {
  return {
    id: conflict.id,
    code: conflict.code,
    message: conflict.message,
    sale_id: conflict.sale_id,
    product_id: conflict.product_id,
    device_id: conflict.device_id,
    created_at: conflict.created_at,
    note: conflict.note,
  };
}

/** The newest open conflicts (the inbox shows these; events add and remove them live). */
export function useOpenConflicts() {
  return useQuery({
    queryKey: inboxKey,
    queryFn: async () => {
      const page = await unwrap(api.GET('/api/v1/sync/conflicts', { params: { query: { status: 'open', limit: INBOX_SIZE } } }));
      return page.items.map(inboxConflict);
    },
    staleTime: Infinity,
    gcTime: 0,
  });
}

/** Products the latest forecast says will run out before a new order could arrive. */
export function useRunoutAlerts() {
  return useQuery({
    queryKey: runoutKey,
    queryFn: () => unwrap(api.GET('/api/v1/reorder-suggestions', { params: { query: { at_risk: true, limit: RUNOUTS_SIZE } } })),
    staleTime: 5 * 60_000,
  });
}

export function useResolveConflict() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ conflictId, body }: { conflictId: string; body: ConflictResolve }) =>
      unwrap(api.POST('/api/v1/sync/conflicts/{conflict_id}/resolve', { params: { path: { conflict_id: conflictId } }, body })),
    onSuccess: (_, { body }) => {
      if (body.action === 'adjust_stock') {
        void queryClient.invalidateQueries({ queryKey: ['products'] });
        void queryClient.invalidateQueries({ queryKey: ['stock'] });
      }
      void queryClient.invalidateQueries({ queryKey: ['audit'] });
    },
  });
}
