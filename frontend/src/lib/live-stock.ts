/**
 * Live stock: a `stock.changed` event (docs/realtime.md; data `{products: [{product_id, sku,
 * stock, delta, kind}]}`) carries each changed product's stock after the change. Screens that
 * show products patch the cached products in place (`['products', …]` queries: a product, or a
 * page of them) instead of refetching lists. Setting the stock is idempotent, so coalesced or
 * replayed events never leave a stale number.
 */
import { useQueryClient } from '@tanstack/react-query';
import type { RealtimeEvent } from '@orbit/shared/realtime/client';
import { useRealtimeEvent, useRealtimeReload } from './realtime';

export const productsKey = ['products'] as const;

export interface StockChange {
  product_id: string;
  stock: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The products and stock of a `stock.changed` event; nothing for any other or a malformed one. */
export function stockChanges(event: Pick<RealtimeEvent, 'type' | 'data'>): StockChange[] {
  if (event.type !== 'stock.changed' || !isRecord(event.data) || !Array.isArray(event.data.products)) return [];
  return event.data.products.flatMap((entry: unknown) =>
    isRecord(entry) && typeof entry.product_id === 'string' && typeof entry.stock === 'number' ? [{ product_id: entry.product_id, stock: entry.stock }] : [],
  );
}

/** A product as the API reads it (`ProductRead`): movements and low-stock rows do not match. */
function isProduct(value: unknown): value is { id: string; sku: string; stock: number } {
  return isRecord(value) && typeof value.id === 'string' && typeof value.sku === 'string' && typeof value.stock === 'number';
}

function patchProduct<T>(value: T, stock: ReadonlyMap<string, number>): T {
  if (!isProduct(value)) return value;
  const next = stock.get(value.id);
  return next === undefined || next === value.stock ? value : { ...value, stock: next };
}

/**
 * The cached value with the new stock of the products it holds, whether it is one product or a
 * page (`{items: [...]}`). Unchanged values are returned as they are, so nothing re-renders.
 */
export function withStock<T>(cached: T, stock: ReadonlyMap<string, number>): T {
  if (isRecord(cached) && Array.isArray(cached.items)) {
    const items = cached.items.map((item: unknown) => patchProduct(item, stock));
    return items.some((item, index) => item !== (cached.items as unknown[])[index]) ? { ...cached, items } : cached;
  }
  return patchProduct(cached, stock);
}

/**
 * Keep every cached product's stock live while the calling screen is open; a product's movement
 * ledger is refetched when it changed. When the history could not be replayed, products reload.
 */
export function useLiveProductStock(): void {
  const queryClient = useQueryClient();
  useRealtimeEvent('stock', (event) => {
    const changes = stockChanges(event);
    if (changes.length === 0) return;
    const stock = new Map(changes.map((change) => [change.product_id, change.stock]));
    queryClient.setQueriesData({ queryKey: productsKey }, (cached: unknown) => (cached === undefined ? cached : withStock(cached, stock)));
    for (const productId of stock.keys()) void queryClient.invalidateQueries({ queryKey: [...productsKey, 'movements', productId] });
  });
  useRealtimeReload('stock', () => void queryClient.invalidateQueries({ queryKey: productsKey }));
}
