/**
 * Setting up catalog data for the products, stock and categories suites through the API: a
 * product or category of the test's own (unique SKU, barcode and name), the shop's currency and
 * locale for expected money, and the interface language fixed before the app loads. Nothing
 * depends on the demo shop's data or on other tests.
 */
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { bearer } from './fixtures';

let counter = 0;

/** A unique, readable suffix: time in base 36 and a counter. */
export function unique(): string {
  counter += 1;
  return `${Date.now().toString(36)}${counter}`.toUpperCase();
}

/** A unique 13-digit barcode. */
export function uniqueBarcode(): string {
  counter += 1;
  return `29${String(Date.now()).slice(-9)}${String(counter % 100).padStart(2, '0')}`;
}

async function ok<T>(response: { ok(): boolean; status(): number; text(): Promise<string>; json(): Promise<unknown> }): Promise<T> {
  if (!response.ok()) expect(`${response.status()} ${await response.text()}`).toBe('a successful answer');
  return (await response.json()) as T;
}

export interface CatalogProduct {
  id: string;
  sku: string;
  barcode: string | null;
  name: string;
  price: number;
  stock: number;
}

export async function createProduct(
  request: APIRequestContext,
  token: string,
  { name, stock = 0, reorderPoint = 0, price = 1_990, barcode = uniqueBarcode(), categoryId = null as string | null } = {},
): Promise<CatalogProduct> {
  const sku = `E2E-${unique()}`;
  return ok<CatalogProduct>(
    await request.post('/api/v1/products', {
      headers: bearer(token),
      data: { sku, barcode, name: name ?? `Catalog test ${sku}`, price, initial_stock: stock, reorder_point: reorderPoint, category_id: categoryId },
    }),
  );
}

export async function createCategory(
  request: APIRequestContext,
  token: string,
  name: string,
  parentId: string | null = null,
): Promise<{ id: string; name: string }> {
  return ok(await request.post('/api/v1/categories', { headers: bearer(token), data: { name, parent_id: parentId } }));
}

export async function receive(request: APIRequestContext, token: string, productId: string, quantity: number): Promise<void> {
  await ok(
    await request.post('/api/v1/inventory/receipts', { headers: bearer(token, true), data: { lines: [{ product_id: productId, quantity }], reason: 'e2e' } }),
  );
}

export async function productStock(request: APIRequestContext, token: string, productId: string): Promise<number> {
  return (await ok<CatalogProduct>(await request.get(`/api/v1/products/${productId}`, { headers: bearer(token) }))).stock;
}

export interface Shop {
  currency: string;
  locale: string;
  allowNegativeStock: boolean;
}

export async function shop(request: APIRequestContext, token: string): Promise<Shop> {
  const me = await ok<{ organization: { currency: string; locale: string; allow_negative_stock: boolean } }>(
    await request.get('/api/v1/me', { headers: bearer(token) }),
  );
  return { currency: me.organization.currency, locale: me.organization.locale, allowNegativeStock: me.organization.allow_negative_stock };
}

/** The decimals of a currency's minor unit (CLP 0, USD 2). */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Minor units as a money input takes them ("19.90"; "1990" for CLP). */
export function moneyText(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  return (minor / 10 ** digits).toFixed(digits);
}

/** Money as the English interface shows it for this shop. */
export function moneyInEnglish(minor: number, currency: string): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency, currencyDisplay: 'narrowSymbol' }).format(minor / 10 ** minorDigits(currency));
}

/** Fix the interface language for every page of the context, before the app reads it. */
export async function useLanguage(page: Page, language: 'en' | 'es'): Promise<void> {
  await page.addInitScript((chosen) => localStorage.setItem('orbit.language', chosen), language);
}

export async function expectNoHorizontalOverflow(page: Page, width: number): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}
