/**
 * The till with the network gone, end to end against the real server: the service worker starts
 * the POS offline; 20 sales (split payments, a discount, a customer created offline), a refund
 * and a shift are queued; the browser is closed and started again on the same profile and the
 * queue is intact; back online the server has exactly those documents and the right stock.
 *
 * A persistent context (its own user-data folder) is what keeps IndexedDB, the service worker
 * and the session cookie across a browser restart; `storageState` would not carry IndexedDB.
 */
import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bearer, expectAccessible } from '../../frontend/e2e/fixtures';
import { POS, createProduct, createShop, ok, openShift, pay, queueStates, scan, setUpTill, unlock, type Shop } from './pos';

test.describe.configure({ mode: 'serial' });

async function launch(userDataDir: string, baseURL: string): Promise<BrowserContext> {
  const { launchOptions } = test.info().project.use;
  return chromium.launchPersistentContext(userDataDir, { ...launchOptions, baseURL, viewport: { width: 1280, height: 800 }, serviceWorkers: 'allow', locale: 'es-CL' });
}

async function controlled(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    return navigator.serviceWorker.controller !== null;
  });
}

interface ServerSale {
  id: string;
  invoice_number: string;
  total: number;
  customer_id: string | null;
  origin: string;
}

test('sells offline, survives a browser restart, and the server gets exactly what was sold', async ({ request, baseURL }) => {
  test.setTimeout(240_000);
  const shop: Shop = await createShop(request);
  const milk = await createProduct(request, shop.manager, { price: 1_000, stock: 100 });
  const bread = await createProduct(request, shop.manager, { price: 450, stock: 50 });
  const customerName = `Cliente offline ${Date.now()}`;
  const profile = mkdtempSync(path.join(tmpdir(), 'orbit-pos-'));
  let context = await launch(profile, baseURL!);
  try {
    let page = context.pages()[0] ?? (await context.newPage());
    await setUpTill(page, request, shop);
    expect(await controlled(page)).toBe(true);

    // No network at all: the service worker starts the POS, IndexedDB has the catalog and PINs.
    await context.setOffline(true);
    await page.reload();
    await expect(page.getByRole('heading', { name: /quién está en la caja/i })).toBeVisible();
    await unlock(page, shop.cashier.name);
    await expect(
      page
        .getByRole('status')
        .filter({ hasText: /sin conexión/i })
        .first(),
    ).toBeVisible();
    await openShift(page, '20000');

    // 20 sales: mostly cash, some split card + cash, one with a discount, one for a new customer.
    for (let sale = 1; sale <= 20; sale += 1) {
      await scan(page, milk.barcode);
      if (sale % 2 === 0) await scan(page, bread.barcode);
      await expect(page.getByTestId('ticket-line')).toHaveCount(sale % 2 === 0 ? 2 : 1);
      if (sale === 5) {
        await page.keyboard.press('F7');
        const dialog = page.getByRole('dialog', { name: /descuento/i });
        await dialog.getByRole('textbox', { name: /^descuento$/i }).fill('10');
        await dialog.getByRole('button', { name: /aplicar/i }).click();
        await expect(page.getByTestId('ticket-total')).toHaveText(/\$900/);
      }
      if (sale === 7) {
        await page.keyboard.press('F6');
        const dialog = page.getByRole('dialog', { name: /cliente/i });
        await dialog.getByRole('button', { name: /nuevo cliente/i }).click();
        await dialog.getByLabel(/^nombre$/i).fill(customerName);
        await dialog.getByLabel(/^rut$/i).fill('12.345.678-5');
        await dialog.getByRole('button', { name: /crear y elegir/i }).click();
        await expect(page.getByRole('button', { name: new RegExp(customerName) })).toBeVisible();
      }
      if (sale % 3 === 0)
        await pay(page, [
          { method: /^tarjeta$/i, amount: '500' },
          { method: /^efectivo$/i, amount: '5000' },
        ]);
      else await pay(page, [{ method: /^efectivo$/i }]);
      if (sale === 1) await expectAccessible(page);
      await page.getByRole('button', { name: /nueva venta/i }).click();
    }

    // A refund of the second sale (milk and bread), bread back to stock.
    await page.getByRole('button', { name: /^devoluciones/i }).click();
    await page.getByRole('textbox', { name: /número de boleta/i }).fill(`${shop.registerCode}-2`);
    await page.getByRole('button', { name: /^buscar$/i }).click();
    await page
      .getByLabel(/unidades de till product .* a devolver/i)
      .last()
      .fill('1');
    await page.getByLabel(/^motivo$/i).fill('Pan aplastado');
    await page.getByRole('button', { name: /^devolver \$450/i }).click();
    await expect(page.getByText(/devolución de .*-2 guardada/i)).toBeVisible();

    // 1 shift + 1 customer + 20 sales + 1 refund, all waiting.
    await expect(page.getByTestId('queue-count')).toHaveText('23');
    expect(await queueStates(page)).toEqual({ pending: 23 });

    // Close the browser and start it again on the same profile, still offline.
    await context.close();
    context = await launch(profile, baseURL!);
    await context.setOffline(true);
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(POS);
    await expect(page.getByRole('heading', { name: /quién está en la caja/i })).toBeVisible();
    expect(await queueStates(page)).toEqual({ pending: 23 });
    await unlock(page, shop.cashier.name);
    await page.getByRole('button', { name: /^cola/i }).click();
    await expect(page.getByTestId('queue-summary')).toHaveText(/23 documentos sin enviar/);
    await expectAccessible(page);

    // Online again: the queue drains by itself.
    await context.setOffline(false);
    await expect(page.getByTestId('queue-summary')).toHaveText(/todo está enviado/i, { timeout: 60_000 });
    expect(await queueStates(page)).toEqual({ acknowledged: 23 });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }

  const sales = await ok<{ items: ServerSale[] }>(await request.get(`/api/v1/sales?register_id=${shop.registerId}&limit=100`, { headers: bearer(shop.manager) }));
  expect(sales.items).toHaveLength(20);
  expect(sales.items.map((sale) => sale.invoice_number).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `${shop.registerCode}-${i + 1}`).sort());
  expect(sales.items.every((sale) => sale.origin === 'offline')).toBe(true);
  const byInvoice = new Map(sales.items.map((sale) => [sale.invoice_number, sale]));
  expect(byInvoice.get(`${shop.registerCode}-5`)?.total).toBe(900);
  expect(byInvoice.get(`${shop.registerCode}-2`)?.total).toBe(1_450);
  const customers = await ok<{ items: { id: string; name: string }[] }>(
    await request.get(`/api/v1/customers?search=${encodeURIComponent(customerName)}`, { headers: bearer(shop.manager) }),
  );
  expect(customers.items.map((customer) => customer.name)).toEqual([customerName]);
  expect(byInvoice.get(`${shop.registerCode}-7`)?.customer_id).toBe(customers.items[0].id);
  const refunds = await ok<{ total: number; restock: boolean }[]>(
    await request.get(`/api/v1/sales/${byInvoice.get(`${shop.registerCode}-2`)!.id}/refunds`, { headers: bearer(shop.manager) }),
  );
  expect(refunds.map((refund) => [refund.total, refund.restock])).toEqual([[450, true]]);
  const milkNow = await ok<{ stock: number }>(await request.get(`/api/v1/products/${milk.id}`, { headers: bearer(shop.manager) }));
  const breadNow = await ok<{ stock: number }>(await request.get(`/api/v1/products/${bread.id}`, { headers: bearer(shop.manager) }));
  expect(milkNow.stock).toBe(100 - 20);
  expect(breadNow.stock).toBe(50 - 10 + 1);
});
