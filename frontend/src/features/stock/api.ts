/**
 * The stock feature's server state. Keys: `['stock', 'movements', query]`,
 * `['stock', 'low-stock', offset]`; products come from `['products', …]`. Recording a receipt,
 * an adjustment or a count sends the action's idempotency key and then invalidates both.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas, type paths } from '@orbit/shared/api/client';
import { productsKey } from '../../lib/live-stock';
import type { StockBody } from './stock-lines';

export type MovementQuery = NonNullable<paths['/api/v1/inventory/movements']['get']['parameters']['query']>;
export type LowStockItem = Schemas['LowStockItem'];
export type MovementBatch = Schemas['MovementBatch'];

export const stockKey = ['stock'] as const;
export const LEDGER_PAGE_SIZE = 25;
export const LOW_STOCK_PAGE_SIZE = 25;

export function useMovements(query: MovementQuery) {
  return useQuery({
    queryKey: [...stockKey, 'movements', query],
    queryFn: () => unwrap(api.GET('/api/v1/inventory/movements', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export function useLowStock(offset: number) {
  return useQuery({
    queryKey: [...stockKey, 'low-stock', offset],
    queryFn: () => unwrap(api.GET('/api/v1/inventory/low-stock', { params: { query: { offset, limit: LOW_STOCK_PAGE_SIZE } } })),
    placeholderData: keepPreviousData,
  });
}

export function useProductById(productId: string | undefined) {
  return useQuery({
    queryKey: [...productsKey, 'detail', productId],
    queryFn: () => unwrap(api.GET('/api/v1/products/{product_id}', { params: { path: { product_id: productId! } } })),
    enabled: Boolean(productId),
  });
}

function post(document: StockBody, key: string): Promise<MovementBatch> {
  const params = { header: { 'Idempotency-Key': key } };
  switch (document.kind) {
    case 'receipt':
      return unwrap(api.POST('/api/v1/inventory/receipts', { params, body: document.body }));
    case 'adjustment':
      return unwrap(api.POST('/api/v1/inventory/adjustments', { params, body: document.body }));
    case 'count':
      return unwrap(api.POST('/api/v1/inventory/counts', { params, body: document.body }));
  }
}

/** Record a stock document under the idempotency key of the person's action. */
export function useRecordStock() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ document, key }: { document: StockBody; key: string }) => post(document, key),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: stockKey });
      void queryClient.invalidateQueries({ queryKey: productsKey });
    },
  });
}
