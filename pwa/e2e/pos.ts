/**
 * What the POS browser suites share. Every test makes what it touches through the API — a
 * register, a cashier with a PIN, products with barcodes and stock — with unique names, so the
 * specs run in any order against a shared server, and pairs a fresh till with a one-time code.
 * The demo logins, the axe check and the `*.localhost` resolver come from the SPA's fixtures.
 */
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { apiToken, bearer } from '../../frontend/e2e/fixtures';

export const POS = '/pos/';
export const PIN = '2468';

let counter = 0;

/** A short unique token (register codes allow 8 upper-case letters or digits). */
export function unique(prefix = ''): string {
  counter += 1;
  return `${prefix}${(Date.now() * 10 + (counter % 10)).toString(36).toUpperCase()}`.slice(-7);
}

export async function ok<T>(response: { ok(): boolean; status(): number; text(): Promise<string>; json(): Promise<unknown> }): Promise<T> {
  if (!response.ok()) expect(`${response.status()} ${await response.text()}`).toBe('a successful answer');
  return response.status() === 204 ? (undefined as T) : ((await response.json()) as T);
}

export interface Cashier {
  id: string;
  name: string;
  email: string;
  password: string;
}

export interface TestProduct {
  id: string;
  sku: string;
  barcode: string;
  name: string;
  price: number;
}

export interface Shop {
  admin: string;
  manager: string;
  registerId: string;
  registerCode: string;
  cashier: Cashier;
}

/** A cashier of the test's own, with a password (to sign the till in) and a POS PIN. */
export async function createCashier(request: APIRequestContext, admin: string, name = `Caja ${unique()}`): Promise<Cashier> {
  const email = `pos-${unique().toLowerCase()}-${Math.floor(Math.random() * 1e6)}@demo.example`;
  const password = 'till-password-2026';
  const user = await ok<{ id: string }>(await request.post('/api/v1/users', { headers: bearer(admin), data: { email, full_name: name, role: 'cashier', password } }));
  await ok(await request.put(`/api/v1/users/${user.id}/pin`, { headers: bearer(admin), data: { pin: PIN } }));
  return { id: user.id, name, email, password };
}

/** A register, a cashier and the tokens to act as admin and manager. */
export async function createShop(request: APIRequestContext): Promise<Shop> {
  const admin = await apiToken(request, 'admin');
  const manager = await apiToken(request, 'manager');
  const code = `P${unique()}`;
  const register = await ok<{ id: string; code: string }>(await request.post('/api/v1/registers', { headers: bearer(manager), data: { code, name: `POS test ${code}` } }));
  return { admin, manager, registerId: register.id, registerCode: register.code, cashier: await createCashier(request, admin) };
}

/** A product with a barcode of its own (EAN-13 shaped) and `stock` units. */
export async function createProduct(request: APIRequestContext, token: string, { price = 1_990, stock = 100, taxRateBp = 1_900 } = {}): Promise<TestProduct> {
  const suffix = unique();
  const barcode = `99${String(Date.now()).slice(-8)}${String((counter += 1) % 1000).padStart(3, '0')}`;
  return ok<TestProduct>(
    await request.post('/api/v1/products', {
      headers: bearer(token),
      data: { sku: `POS-${suffix}`, barcode, name: `Till product ${suffix}`, price, initial_stock: stock, tax_rate_bp: taxRateBp },
    }),
  );
}

export async function pairingCode(request: APIRequestContext, shop: Shop): Promise<string> {
  const { code } = await ok<{ code: string }>(await request.post('/api/v1/sync/pairing-codes', { headers: bearer(shop.manager), data: { register_id: shop.registerId } }));
  return code;
}

/** Pair a fresh till with a code, sign it in as the shop's cashier, and wait for the PIN screen. */
export async function setUpTill(page: Page, request: APIRequestContext, shop: Shop): Promise<void> {
  await page.goto(POS);
  await page.getByRole('tab', { name: /pairing code|código de vinculación/i }).click();
  await page.getByRole('textbox', { name: /^(pairing code|código de vinculación)$/i }).fill(await pairingCode(request, shop));
  await page.getByRole('button', { name: /pair this till|vincular este equipo/i }).click();
  await page.getByLabel(/^(email|correo electrónico)$/i).fill(shop.cashier.email);
  await page.getByLabel(/^(password|contraseña)$/i).fill(shop.cashier.password);
  await page.getByRole('button', { name: /^(sign in|entrar)$/i }).click();
  await expect(page.getByRole('heading', { name: /who is at the till|quién está en la caja/i })).toBeVisible({ timeout: 30_000 });
}

/** Unlock with a cashier's PIN, typed as a keyboard would. */
export async function unlock(page: Page, name: string, pin = PIN): Promise<void> {
  await page.getByRole('button', { name }).click();
  await page.keyboard.type(pin);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('navigation', { name: /till|caja/i })).toBeVisible();
}

export async function openShift(page: Page, float = '10000'): Promise<void> {
  await page.getByRole('button', { name: /^(shift|turno)/i }).click();
  await page.getByLabel(/opening float|fondo inicial/i).fill(float);
  await page.getByRole('button', { name: /^(open a shift|abrir un turno)$/i }).click();
  await expect(page.getByRole('button', { name: /close the shift|cerrar el turno/i })).toBeVisible();
  await page.getByRole('button', { name: /^(sell|vender)/i }).click();
}

/** Scan a barcode as a keyboard-wedge scanner does: fast keys, then Enter. */
export async function scan(page: Page, code: string): Promise<void> {
  await page.keyboard.type(code, { delay: 5 });
  await page.keyboard.press('Enter');
}

/** Pay the ticket: each tender typed and added; the last one completes the sale. */
export async function pay(page: Page, tenders: { method: RegExp; amount?: string }[]): Promise<void> {
  await page.keyboard.press('F9');
  const dialog = page.getByRole('dialog', { name: /payment|pago/i });
  for (const tender of tenders) {
    await dialog.getByText(tender.method).click();
    const amount = dialog.getByLabel(/^(amount|monto)$/i);
    if (tender.amount !== undefined) await amount.fill(tender.amount);
    await amount.press('Enter');
  }
  await expect(page.getByRole('dialog').getByTestId('receipt')).toBeVisible();
}

/** The till's IndexedDB, read in the page: documents by state. */
export async function queueStates(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const open = indexedDB.open('orbit-pos');
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const rows = await new Promise<{ state: string }[]>((resolve, reject) => {
      const request = db.transaction('outbox').objectStore('outbox').getAll();
      request.onsuccess = () => resolve(request.result as { state: string }[]);
      request.onerror = () => reject(request.error);
    });
    db.close();
    return rows.reduce<Record<string, number>>((counts, row) => ({ ...counts, [row.state]: (counts[row.state] ?? 0) + 1 }), {});
  });
}
