/**
 * Refunds of sales the till did not make: a sale rung up online on the register (in the web app
 * or through the API) is fetched by the till when it pulls, and can then be refunded offline; the
 * shift the server says is open on the register is continued rather than opened twice.
 */
import { expect, test } from '@playwright/test';
import { bearer, expectAccessible } from '../../frontend/e2e/fixtures';
import { createProduct, createShop, ok, setUpTill, unlock } from './pos';

test('a sale made online on the register is refunded offline, in the shift the server had open', async ({ context, page, request }) => {
  const shop = await createShop(request);
  const product = await createProduct(request, shop.manager, { price: 1_500, stock: 20 });
  const shift = await ok<{ id: string }>(
    await request.post('/api/v1/shifts', { headers: bearer(shop.manager, true), data: { register_id: shop.registerId, opening_float: 7_000 } }),
  );
  const sale = await ok<{ id: string; invoice_number: string }>(
    await request.post('/api/v1/sales', {
      headers: bearer(shop.manager, true),
      data: { register_id: shop.registerId, lines: [{ product_id: product.id, quantity: 3 }], payments: [{ method: 'card', amount: 4_500 }] },
    }),
  );

  await setUpTill(page, request, shop);
  await unlock(page, shop.cashier.name);
  await page.getByRole('button', { name: /^(shift|turno)/i }).click();
  await expect(page.getByText(/already open on this register|ya hay un turno abierto en esta caja/i)).toBeVisible();
  await page.getByRole('button', { name: /continue that shift|continuar ese turno/i }).click();
  await expect(page.getByText(/float \$7\.000|fondo \$7\.000/i)).toBeVisible();

  await context.setOffline(true);
  await page.getByRole('button', { name: /^(refunds|devoluciones)/i }).click();
  const fetched = page.getByRole('button', { name: new RegExp(`(refund|devolver) ${sale.invoice_number}$`, 'i') });
  await expect(fetched).toBeVisible();
  await expect(fetched).toContainText(/server|servidor/i);
  await fetched.click();
  await expect(page.getByText(/sold 3, refunded 0|vendidas 3, devueltas 0/i)).toBeVisible();
  await page.getByLabel(/(units of|unidades de) .* (to refund|a devolver)/i).fill('2');
  await page.getByRole('radio', { name: /^(card|tarjeta)$/i }).check();
  await page.getByLabel(/^(reason|motivo)$/i).fill('Cliente se arrepintió');
  await expectAccessible(page);
  await page.getByRole('button', { name: /^(refund|devolver) \$3\.000/i }).click();
  await expect(page.getByTestId('refund-receipt').first()).toBeVisible();

  await context.setOffline(false);
  await expect(page.getByTestId('queue-count')).toHaveCount(0, { timeout: 30_000 });
  const refunds = await ok<{ total: number; method: string; restock: boolean; shift_id: string | null }[]>(
    await request.get(`/api/v1/sales/${sale.id}/refunds`, { headers: bearer(shop.manager) }),
  );
  expect(refunds.map(({ total, method, restock, shift_id }) => ({ total, method, restock, shift_id }))).toEqual([
    { total: 3_000, method: 'card', restock: true, shift_id: shift.id },
  ]);
  const stock = await ok<{ stock: number }>(await request.get(`/api/v1/products/${product.id}`, { headers: bearer(shop.manager) }));
  expect(stock.stock).toBe(20 - 3 + 2);
});
