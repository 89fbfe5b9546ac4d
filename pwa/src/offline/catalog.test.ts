/** The catalog pull: pages and cursor written together, tombstones applied, pending customers kept. */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { applyStockChanges, pullCatalog } from './catalog';
import { readCounters } from './outbox';
import { recordCustomer } from './journal';
import type { CatalogPage } from './transport';
import { DEVICE, ORGANIZATION, freshTill, product } from './test-support';

function page(overrides: Partial<CatalogPage>): CatalogPage {
  return { next_cursor: 'c', has_more: false, organization: ORGANIZATION, products: [], categories: [], customers: [], cashiers: [], registers: [], tombstones: [], ...overrides };
}

describe('pullCatalog', () => {
  it('pulls page after page from the stored cursor, then only what changed', async () => {
    const { db } = await freshTill();
    const [a, b, c] = [product(), product(), product()];
    const seen: (string | null)[] = [];
    const pages: Record<string, CatalogPage> = {
      start: page({ products: [a, b], next_cursor: 'p2', has_more: true }),
      p2: page({ products: [c], registers: [{ id: DEVICE.register_id, code: 'T1', name: 'Till', is_active: true, last_number: 57, open_shift_id: null }], next_cursor: 'end' }),
      end: page({ products: [{ ...a, stock: 3 }], tombstones: [{ entity: 'products', id: b.id }], next_cursor: 'end2' }),
    };
    const fetchPage = async (cursor: string | null) => {
      seen.push(cursor);
      return pages[cursor ?? 'start'];
    };
    expect(await pullCatalog(db, DEVICE, fetchPage)).toMatchObject({ pages: 2, products: 3 });
    expect(await db.products.count()).toBe(3);
    expect(await db.getMeta('cursor')).toBe('end');
    expect((await readCounters(db)).next_number).toBe(58);
    await pullCatalog(db, DEVICE, fetchPage);
    expect(seen).toEqual([null, 'p2', 'end']);
    expect((await db.products.get(a.id))?.stock).toBe(3);
    expect(await db.products.get(b.id)).toBeUndefined();
  });

  it('resumes after the last page written when a pull is cut', async () => {
    const { db } = await freshTill();
    let calls = 0;
    const failing = async (cursor: string | null) => {
      calls += 1;
      if (cursor === 'p2') throw new TypeError('Failed to fetch');
      return page({ products: [product()], next_cursor: 'p2', has_more: true });
    };
    await expect(pullCatalog(db, DEVICE, failing)).rejects.toThrow('Failed to fetch');
    expect(await db.getMeta('cursor')).toBe('p2');
    expect(calls).toBe(2);
  });

  it('keeps a customer made on the till until the server knows it, and applies live stock', async () => {
    const { db, till } = await freshTill();
    const customer = await recordCustomer(till, { name: 'Nueva', tax_id: null, email: null, phone: null });
    const milk = product({ stock: 10 });
    await pullCatalog(db, DEVICE, async () => page({ products: [milk] }));
    expect(await db.customers.get(customer.id)).toMatchObject({ pending: true });
    await applyStockChanges(db, [
      { product_id: milk.id, stock: 4 },
      { product_id: 'unknown', stock: 1 },
    ]);
    expect((await db.products.get(milk.id))?.stock).toBe(4);
    expect(await db.products.count()).toBe(1);
  });
});
