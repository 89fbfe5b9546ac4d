import { describe, expect, it } from 'vitest';
import { stockChanges, withStock } from './live-stock';

const product = (id: string, stock: number) => ({ id, sku: `SKU-${id}`, name: id, stock, price: 100 });

describe('stockChanges', () => {
  it('reads the products of a stock.changed event and ignores anything else', () => {
    const event = { type: 'stock.changed', data: { products: [{ product_id: 'a', sku: 'A', stock: 7, delta: -1, kind: 'sale' }, { product_id: 3 }] } };
    expect(stockChanges(event)).toEqual([{ product_id: 'a', stock: 7 }]);
    expect(stockChanges({ type: 'stock.low', data: { product_id: 'a', stock: 1 } })).toEqual([]);
    expect(stockChanges({ type: 'stock.changed', data: null })).toEqual([]);
  });
});

describe('withStock', () => {
  const stock = new Map([['a', 3]]);

  it('patches a product and a page of products', () => {
    expect(withStock(product('a', 9), stock)).toEqual(product('a', 3));
    const page = { items: [product('a', 9), product('b', 5)], limit: 50, offset: 0, next_offset: null };
    const patched = withStock(page, stock);
    expect(patched.items.map((item) => item.stock)).toEqual([3, 5]);
    expect(patched.items[1]).toBe(page.items[1]);
  });

  it('returns values it has nothing to change in as they are', () => {
    const page = { items: [product('b', 5)], limit: 50, offset: 0, next_offset: null };
    expect(withStock(page, stock)).toBe(page);
    const movements = { items: [{ id: 'm', product_id: 'a', product_sku: 'A', delta: 1, balance_after: 4 }] };
    expect(withStock(movements, stock)).toBe(movements);
    expect(withStock(product('a', 3), stock)).toEqual(product('a', 3));
  });
});
