/**
 * Instant product search at the till: an in-memory index of the catalog, built once from
 * IndexedDB at start and patched as pulls and stock events change rows. A query matches a product
 * when every one of its words appears in the product's name, SKU or barcode (accents and case
 * ignored). Exact barcode or SKU hits come first, then names starting with the query, then the
 * rest by name. A scan (`byCode`) is a map lookup.
 *
 * Typing narrows: when a query extends the previous one, only the previous query's matches are
 * searched again (whatever matches "leche co" contains every word of "leche c").
 *
 * Invariant: the index holds exactly the products `replaceAll`/`upsert`/`remove` were given; it
 * never reads IndexedDB itself, and any change to it forgets the narrowing.
 */
import type { Product } from './db';

interface Entry {
  product: Product;
  haystack: string;
  name: string;
}

export function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

export class ProductIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly codes = new Map<string, string>();
  private sorted: Entry[] | null = null;
  /** The last query (normalized) and every active product it matched, in name order. */
  private narrowed: { query: string; matches: Entry[] } | null = null;

  get size(): number {
    return this.entries.size;
  }

  replaceAll(products: Iterable<Product>): void {
    this.entries.clear();
    this.codes.clear();
    for (const product of products) this.put(product);
    this.changed();
  }

  private changed(): void {
    this.sorted = null;
    this.narrowed = null;
  }

  upsert(products: Iterable<Product>): void {
    for (const product of products) {
      this.drop(product.id);
      this.put(product);
    }
    this.changed();
  }

  remove(ids: Iterable<string>): void {
    for (const id of ids) this.drop(id);
    this.changed();
  }

  get(id: string): Product | undefined {
    return this.entries.get(id)?.product;
  }

  /** The product whose barcode or SKU is exactly `code` (a scan), if any. */
  byCode(code: string): Product | undefined {
    const id = this.codes.get(code.trim().toLowerCase());
    return id ? this.entries.get(id)?.product : undefined;
  }

  /** Up to `limit` active products matching `query`, best first. */
  search(query: string, limit = 50): Product[] {
    const normalized = normalize(query).trim().replace(/\s+/g, ' ');
    const words = normalized.split(' ').filter(Boolean);
    if (!words.length) return [];
    const pool = this.narrowed && normalized.startsWith(this.narrowed.query) ? this.narrowed.matches : this.ordered();
    const matches = pool.filter((entry) => entry.product.is_active && words.every((word) => entry.haystack.includes(word)));
    this.narrowed = { query: normalized, matches };
    const exact = this.byCode(query);
    const first = words[0];
    const starts: Entry[] = [];
    const others: Entry[] = [];
    for (const entry of matches) {
      if (entry.product.id === exact?.id) continue;
      if (entry.name.startsWith(first)) starts.push(entry);
      else if (others.length < limit) others.push(entry);
      if (starts.length >= limit) break;
    }
    const found = [...starts, ...others].slice(0, exact ? limit - 1 : limit).map((entry) => entry.product);
    return exact && exact.is_active ? [exact, ...found] : found;
  }

  private ordered(): Entry[] {
    this.sorted ??= [...this.entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return this.sorted;
  }

  private put(product: Product): void {
    const name = normalize(product.name);
    this.entries.set(product.id, { product, name, haystack: `${name} ${normalize(product.sku)} ${product.barcode ?? ''}` });
    this.codes.set(product.sku.toLowerCase(), product.id);
    if (product.barcode) this.codes.set(product.barcode.toLowerCase(), product.id);
  }

  private drop(id: string): void {
    const old = this.entries.get(id);
    if (!old) return;
    this.entries.delete(id);
    if (this.codes.get(old.product.sku.toLowerCase()) === id) this.codes.delete(old.product.sku.toLowerCase());
    if (old.product.barcode && this.codes.get(old.product.barcode.toLowerCase()) === id) this.codes.delete(old.product.barcode.toLowerCase());
  }
}
