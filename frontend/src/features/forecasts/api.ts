/**
 * The forecasts screen's queries and its one mutation. Every key starts with `forecasts`, so a
 * finished run refreshes everything that depends on the latest run with one invalidation.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '@orbit/shared/api/client';

export type Run = Schemas['RunRead'];
export type ReorderSuggestion = Schemas['ReorderSuggestion'];
export type Evaluation = Schemas['EvaluationRead'];

export const RUNS_PAGE_SIZE = 20;
export const REORDER_PAGE_SIZE = 50;
export const HISTORY_DAYS = 90;
/** A run forecasts at most 30 days: one page holds a product's whole forecast. */
const PREDICTIONS_LIMIT = 60;

export const forecastKeys = {
  all: ['forecasts'] as const,
  runs: (offset: number) => ['forecasts', 'runs', offset] as const,
  history: (productId: string) => ['forecasts', 'history', productId] as const,
  predictions: (productId: string) => ['forecasts', 'predictions', productId] as const,
  evaluations: (runId: string, productId: string) => ['forecasts', 'evaluations', runId, productId] as const,
  reorder: (query: ReorderQuery) => ['forecasts', 'reorder', query] as const,
  product: (productId: string) => ['forecasts', 'product', productId] as const,
};

export function useRuns(offset: number) {
  return useQuery({
    queryKey: forecastKeys.runs(offset),
    queryFn: () => unwrap(api.GET('/api/v1/forecasts/runs', { params: { query: { limit: RUNS_PAGE_SIZE, offset } } })),
    placeholderData: keepPreviousData,
  });
}

export function useStartRun() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['RunCreate']) => unwrap(api.POST('/api/v1/forecasts/runs', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['forecasts', 'runs'] }),
  });
}

export function useProductHistory(productId: string) {
  return useQuery({
    queryKey: forecastKeys.history(productId),
    queryFn: () => unwrap(api.GET('/api/v1/forecasts/history', { params: { query: { product_id: productId, days: HISTORY_DAYS } } })),
  });
}

export function usePredictions(productId: string) {
  return useQuery({
    queryKey: forecastKeys.predictions(productId),
    queryFn: () => unwrap(api.GET('/api/v1/forecasts/predictions', { params: { query: { product_id: productId, limit: PREDICTIONS_LIMIT } } })),
  });
}

export function useEvaluations(runId: string | undefined, productId: string) {
  return useQuery({
    queryKey: forecastKeys.evaluations(runId ?? '', productId),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/forecasts/runs/{run_id}/evaluations', {
          params: { path: { run_id: runId ?? '' }, query: { product_id: productId, limit: 20 } },
        }),
      ),
    enabled: runId !== undefined,
  });
}

export interface ReorderQuery {
  search?: string;
  at_risk?: boolean;
  offset: number;
}

/** The API's query for the list and its CSV (the CSV takes the same filters, without paging). */
export function reorderParams(query: ReorderQuery): { search?: string; at_risk?: boolean } {
  return { search: query.search || undefined, at_risk: query.at_risk || undefined };
}

/** The same filters as the CSV endpoint's query string. */
export function reorderCsvParams(query: ReorderQuery): Record<string, string | undefined> {
  const { search, at_risk } = reorderParams(query);
  return { search, at_risk: at_risk ? 'true' : undefined };
}

export function useReorderSuggestions(query: ReorderQuery) {
  return useQuery({
    queryKey: forecastKeys.reorder(query),
    queryFn: () =>
      unwrap(api.GET('/api/v1/reorder-suggestions', { params: { query: { ...reorderParams(query), limit: REORDER_PAGE_SIZE, offset: query.offset } } })),
    placeholderData: keepPreviousData,
  });
}

export function useProduct(productId: string | undefined) {
  return useQuery({
    queryKey: forecastKeys.product(productId ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/products/{product_id}', { params: { path: { product_id: productId ?? '' } } })),
    enabled: productId !== undefined,
    staleTime: 5 * 60_000,
  });
}

