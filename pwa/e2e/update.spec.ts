/**
 * A new version of the POS never interrupts a sale: the browser finds a changed service worker,
 * the till says a new version is ready but lets it install only once the ticket is closed, then
 * the new worker takes over and the page reloads (locked, as every reload leaves the till).
 *
 * "A new version" is the served `pwa/dist/sw.js` with a byte changed, restored afterwards:
 * Playwright's routes do not see the browser's own fetch of a worker's script.
 */
import { expect, test } from '@playwright/test';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProduct, createShop, openShift, pay, scan, setUpTill, unlock } from './pos';

const WORKER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/sw.js');

test('an update waits for the sale in progress, then installs between sales', async ({ page, request }) => {
  const shop = await createShop(request);
  const product = await createProduct(request, shop.manager);
  await setUpTill(page, request, shop);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await unlock(page, shop.cashier.name);
  await openShift(page);
  await scan(page, product.barcode);
  await expect(page.getByTestId('ticket-line')).toHaveCount(1);

  const original = await readFile(WORKER, 'utf8');
  try {
    await writeFile(WORKER, `${original}\n// the next version ${Date.now()}\n`);
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    await expect(page.getByText(/a new version of the pos is ready|hay una nueva versión del pos lista/i)).toBeVisible({ timeout: 30_000 });
  } finally {
    await writeFile(WORKER, original);
  }
  const install = page.getByRole('button', { name: /install now|instalar ahora/i });
  await expect(install).toBeDisabled();
  await expect(page.getByText(/installs between sales|se instala entre ventas/i)).toBeVisible();

  await pay(page, [{ method: /^(cash|efectivo)$/i }]);
  await page.getByRole('button', { name: /^(new sale|nueva venta)$/i }).click();
  await expect(install).toBeEnabled();
  await install.click();
  await expect(page.getByRole('heading', { name: /who is at the till|quién está en la caja/i })).toBeVisible({ timeout: 30_000 });
  expect(
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      return { waiting: registration?.waiting ?? null, controlled: navigator.serviceWorker.controller !== null };
    }),
  ).toEqual({ waiting: null, controlled: true });
});
