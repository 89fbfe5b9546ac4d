/**
 * The catalog pull (docs/sync.md, "Catalog pull"): products, categories, customers, cashiers'
 * unlock data and registers changed since the stored cursor, page after page, into IndexedDB.
 *
 * Invariants:
 * - Each page and the cursor after it are written in one transaction, in order: a pull cut at any
 *   point resumes from the last page written, never skipping or re-reading a page. (The next page
 *   is fetched while one is written; a page fetched but not written is simply asked for again.)
 * - A cold pull (no cursor) and an incremental one are the same loop.
 * - A customer created on this till and not yet pushed is never overwritten by a pull that does
 *   not know it yet (it is not in the server's rows); once the server has it, its row wins.
 * - Live `stock.changed` events only update the stock of products the till already has.
 */
import type { CatalogPage } from './transport';
import { withDatabase, type DeviceCredential, type PosDatabase } from './db';
import { followRegisterNumber } from './outbox';

export interface PullProgress {
  pages: number;
  products: number;
  customers: number;
  cashiers: number;
}

export type FetchPage = (cursor: string | null) => Promise<CatalogPage>;

/** Table names of tombstones (`sync_tombstones.entity`) → the till's store. */
const TOMBSTONE_STORES = {
  products: 'products',
  categories: 'categories',
  customers: 'customers',
  users: 'cashiers',
  registers: 'registers',
} as const;

/** Write one page and the cursor after it, in one transaction. */
export async function applyCatalogPage(db: PosDatabase, page: CatalogPage): Promise<void> {
  await withDatabase(db, () =>
    db.transaction('rw', [db.meta, db.products, db.categories, db.customers, db.cashiers, db.registers], async () => {
      if (page.products.length) await db.products.bulkPut(page.products);
      if (page.categories.length) await db.categories.bulkPut(page.categories);
      if (page.customers.length) await db.customers.bulkPut(page.customers.map((customer) => ({ ...customer, pending: false })));
      if (page.cashiers.length) await db.cashiers.bulkPut(page.cashiers);
      if (page.registers.length) await db.registers.bulkPut(page.registers);
      for (const tombstone of page.tombstones) {
        const store = TOMBSTONE_STORES[tombstone.entity as keyof typeof TOMBSTONE_STORES];
        if (store) await db.table(store).delete(tombstone.id);
      }
      await db.setMeta('organization', page.organization);
      await db.setMeta('cursor', page.next_cursor);
    }),
  );
}

/**
 * Pull from the stored cursor until the server has nothing more; returns what came. The register
 * of `device` moves the invoice counter forward when the server's series went further.
 */
export async function pullCatalog(
  db: PosDatabase,
  device: DeviceCredential,
  fetchPage: FetchPage,
  { onProgress, onPage }: { onProgress?: (progress: PullProgress) => void; onPage?: (page: CatalogPage) => void } = {},
): Promise<PullProgress> {
  const progress: PullProgress = { pages: 0, products: 0, customers: 0, cashiers: 0 };
  let next: Promise<CatalogPage> = fetchPage((await db.getMeta('cursor')) ?? null);
  for (;;) {
    const page = await next;
    // The next page is asked for while this one is written; it is written only after this one
    // (with its cursor), so the order and the resume point stay those of a one-by-one pull.
    if (page.has_more) {
      next = fetchPage(page.next_cursor);
      next.catch(() => undefined);
    }
    await applyCatalogPage(db, page);
    progress.pages += 1;
    progress.products += page.products.length;
    progress.customers += page.customers.length;
    progress.cashiers += page.cashiers.length;
    onPage?.(page);
    onProgress?.({ ...progress });
    const register = page.registers.find((row) => row.id === device.register_id);
    if (register) await followRegisterNumber(db, register.last_number);
    if (!page.has_more) break;
  }
  await db.setMeta('last_pull_at', Date.now());
  return progress;
}

export interface StockChange {
  product_id: string;
  stock: number;
}

/** Apply a live `stock.changed` event: the server's stock of each product the till knows. */
export async function applyStockChanges(db: PosDatabase, changes: readonly StockChange[]): Promise<void> {
  if (!changes.length) return;
  await withDatabase(db, () =>
    db.transaction('rw', db.products, async () => {
      const products = await db.products.bulkGet(changes.map((change) => change.product_id));
      const updated = products.flatMap((product, index) => (product ? [{ ...product, stock: changes[index].stock }] : []));
      if (updated.length) await db.products.bulkPut(updated);
    }),
  );
}
