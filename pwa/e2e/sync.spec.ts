/**
 * Where other tills lose or double sales: the answer of a push lost after the server committed
 * (the resend is a duplicate, not a second sale), two tabs of one till (one sequence, no
 * collision), signing the till out with documents unsent (refused), and a device revoked in the
 * web app (it stops pushing, says why, and keeps its documents).
 */
import { expect, test, type Page } from '@playwright/test';
import { bearer, expectAccessible } from '../../frontend/e2e/fixtures';
import { createCashier, createProduct, createShop, ok, openShift, pay, scan, setUpTill, unlock, type TestProduct } from './pos';

interface OutboxRow {
  seq: number;
  state: string;
  kind: string;
  result?: { status: string; invoice_number: string | null };
}

async function outbox(page: Page): Promise<OutboxRow[]> {
  return page.evaluate(async () => {
    const open = indexedDB.open('orbit-pos');
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const rows = await new Promise<OutboxRow[]>((resolve) => {
      const request = db.transaction('outbox').objectStore('outbox').getAll();
      request.onsuccess = () => resolve(request.result as OutboxRow[]);
    });
    db.close();
    return rows.sort((a, b) => a.seq - b.seq);
  });
}

async function sellOne(page: Page, product: TestProduct): Promise<void> {
  await scan(page, product.barcode);
  await pay(page, [{ method: /^(cash|efectivo)$/i }]);
  await page.getByRole('button', { name: /^(new sale|nueva venta)$/i }).click();
}

async function allSent(page: Page): Promise<void> {
  await expect(page.getByTestId('queue-count')).toHaveCount(0, { timeout: 30_000 });
}

test.describe('the queue never loses or doubles a sale', () => {
  // Routes see every request of a page only while no service worker sits in between.
  test.use({ serviceWorkers: 'block' });

  test('a push answered after the server committed, but lost, is resent and answered duplicate', async ({ page, request }) => {
    const shop = await createShop(request);
    const product = await createProduct(request, shop.manager);
    await setUpTill(page, request, shop);
    await unlock(page, shop.cashier.name);
    await openShift(page);
    await allSent(page);

    let committed: { results: { status: string }[] } | null = null;
    await page.route('**/api/v1/sync/sales', async (route) => {
      if (committed) return route.continue();
      committed = await (await route.fetch()).json();
      await route.abort('connectionreset');
    });
    await sellOne(page, product);
    await allSent(page);
    expect(committed!.results.map((result) => result.status)).toEqual(['applied']);
    const sale = (await outbox(page)).find((row) => row.kind === 'sale')!;
    expect(sale).toMatchObject({ state: 'acknowledged', result: { status: 'duplicate', invoice_number: `${shop.registerCode}-1` } });

    const sales = await ok<{ items: unknown[] }>(await request.get(`/api/v1/sales?register_id=${shop.registerId}`, { headers: bearer(shop.manager) }));
    expect(sales.items).toHaveLength(1);
    const stock = await ok<{ stock: number }>(await request.get(`/api/v1/products/${product.id}`, { headers: bearer(shop.manager) }));
    expect(stock.stock).toBe(99);
  });

  test('a second tab mirrors the till, cannot fork the sequence, and takes over when the first closes', async ({ context, page, request }) => {
    const shop = await createShop(request);
    const product = await createProduct(request, shop.manager);
    await setUpTill(page, request, shop);
    await unlock(page, shop.cashier.name);
    await openShift(page);
    await sellOne(page, product);

    const second = await context.newPage();
    await second.goto('/pos/');
    await expect(second.getByRole('heading', { name: /open in another tab|abierta en otra pestaña/i })).toBeVisible();
    await expect(second.getByRole('button', { name: /send now|enviar ahora/i })).toHaveCount(0);
    await expectAccessible(second);
    await sellOne(page, product);
    await expect(second.locator('[data-testid="queue-row"][data-kind="sale"]')).toHaveCount(2);

    await page.close();
    await expect(second.getByRole('heading', { name: /who is at the till|quién está en la caja/i })).toBeVisible();
    await unlock(second, shop.cashier.name);
    await sellOne(second, product);
    await allSent(second);
    expect((await outbox(second)).map((row) => row.seq)).toEqual([1, 2, 3, 4]);

    const sales = await ok<{ items: { invoice_number: string }[] }>(await request.get(`/api/v1/sales?register_id=${shop.registerId}`, { headers: bearer(shop.manager) }));
    expect(sales.items.map((sale) => sale.invoice_number).sort()).toEqual([1, 2, 3].map((n) => `${shop.registerCode}-${n}`));
    const devices = await ok<{ register_id: string; last_seq: number }[]>(await request.get('/api/v1/sync/devices', { headers: bearer(shop.manager) }));
    expect(devices.find((device) => device.register_id === shop.registerId)?.last_seq).toBe(4);
  });

  test('the till cannot be signed out while documents wait, and can once they are sent', async ({ context, page, request }) => {
    const shop = await createShop(request);
    const product = await createProduct(request, shop.manager);
    await setUpTill(page, request, shop);
    await unlock(page, shop.cashier.name);
    await openShift(page);
    await context.setOffline(true);
    await sellOne(page, product);
    await page.getByRole('button', { name: /till menu|menú de la caja/i }).click();
    await page.getByRole('menuitem', { name: /sign the till out|cerrar la sesión de la caja/i }).click();
    await expect(page.getByText(/can’t be signed out|no se puede cerrar la sesión/i).first()).toBeVisible();
    await expect(page.getByText(/till signed in as|caja con sesión de/i)).toBeVisible();

    await context.setOffline(false);
    await allSent(page);
    await page.getByRole('button', { name: /till menu|menú de la caja/i }).click();
    await page.getByRole('menuitem', { name: /sign the till out|cerrar la sesión de la caja/i }).click();
    await expect(page.getByRole('button', { name: /sign the till in|iniciar sesión en la caja/i })).toBeVisible();
  });

  test('a device revoked in the web app stops pushing, says so, and keeps what it did not send', async ({ page, request }) => {
    const shop = await createShop(request);
    const product = await createProduct(request, shop.manager);
    await setUpTill(page, request, shop);
    await unlock(page, shop.cashier.name);
    await openShift(page);
    await sellOne(page, product);
    await allSent(page);

    const devices = await ok<{ id: string; register_id: string; revoked_at: string | null }[]>(await request.get('/api/v1/sync/devices', { headers: bearer(shop.manager) }));
    const device = devices.find((row) => row.register_id === shop.registerId && !row.revoked_at)!;
    await ok(await request.delete(`/api/v1/sync/devices/${device.id}`, { headers: bearer(shop.manager) }));

    await sellOne(page, product);
    await expect(page.getByRole('heading', { name: /no longer accepts this till|ya no acepta esta caja/i })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText(/revoked in the web app|revocada en la aplicación web/i).first()).toBeVisible();
    await expect(page.getByRole('combobox')).toHaveCount(0);
    await page.getByRole('button', { name: /^(queue|cola)/i }).click();
    await expect(page.locator('[data-testid="queue-row"][data-kind="sale"][data-state="pending"]')).toHaveCount(1);
    await expectAccessible(page);
    await page.getByRole('button', { name: /^(lock|bloquear)$/i }).click();
    await expect(page.getByRole('heading', { name: /no longer accepts this till|ya no acepta esta caja/i })).toBeVisible();
    const sales = await ok<{ items: unknown[] }>(await request.get(`/api/v1/sales?register_id=${shop.registerId}`, { headers: bearer(shop.manager) }));
    expect(sales.items).toHaveLength(1);
  });
});

test('PIN unlock: a wrong PIN is refused, cashiers switch without a reload, repeated failures lock the till', async ({ page, request }) => {
  const shop = await createShop(request);
  const other = await createCashier(request, shop.admin);
  await setUpTill(page, request, shop);
  await expectAccessible(page);
  await page.getByRole('button', { name: shop.cashier.name }).click();
  await page.keyboard.type('9999');
  await page.keyboard.press('Enter');
  await expect(page.getByText(/wrong pin|pin incorrecto/i)).toBeVisible();
  await expectAccessible(page);
  await page.keyboard.type('2468');
  await page.keyboard.press('Enter');
  await expect(page.getByText(new RegExp(`(cashier|cajero): ${shop.cashier.name}`, 'i'))).toBeVisible();

  await page.getByRole('button', { name: /^(lock|bloquear)$/i }).click();
  await unlock(page, other.name);
  await expect(page.getByText(new RegExp(`(cashier|cajero): ${other.name}`, 'i'))).toBeVisible();

  await page.getByRole('button', { name: /^(lock|bloquear)$/i }).click();
  await page.getByRole('button', { name: shop.cashier.name }).click();
  for (const left of [4, 3, 2, 1]) {
    await page.keyboard.type('1357');
    await page.keyboard.press('Enter');
    await expect(page.getByText(new RegExp(`${left} (more|más|intento)`, 'i'))).toBeVisible();
  }
  await page.keyboard.type('1357');
  await page.keyboard.press('Enter');
  await expect(page.getByText(/too many wrong pins|demasiados pin incorrectos/i)).toBeVisible();
  await page.reload();
  await page.getByRole('button', { name: shop.cashier.name }).click();
  await expect(page.getByText(/too many wrong pins|demasiados pin incorrectos/i)).toBeVisible();
  await expect(page.getByRole('button', { name: /(digit|dígito) 2/i })).toBeDisabled();
});
