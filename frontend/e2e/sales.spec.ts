import { expect, test, type Page } from '@playwright/test';
import { apiToken, bearer, expectAccessible, signIn } from './fixtures';
import { createProduct, openTill, sell, todayIn } from './selling';

async function shopTimeZone(page: Page, token: string): Promise<string> {
  const response = await page.request.get('/api/v1/organization', { headers: bearer(token) });
  return ((await response.json()) as { time_zone: string }).time_zone;
}

function dayBefore(isoDate: string): string {
  const date = new Date(`${isoDate}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
}

async function expectNoHorizontalOverflow(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

test.describe('sales', () => {
  test('the list finds a sale by its number and filters by register, local days and status', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const till = await openTill(page.request, token);
    const product = await createProduct(page.request, token);
    const sale = await sell(page.request, token, till, [{ product, quantity: 2 }]);
    const today = todayIn(await shopTimeZone(page, token));

    await signIn(page, 'manager', '/sales');
    await expect(page.getByRole('heading', { level: 1, name: /^(sales|ventas)$/i })).toBeVisible();
    const table = page.getByRole('table', { name: /^(sales|ventas)$/i });
    await expect(table.getByRole('row').nth(1)).toBeVisible();
    await expectAccessible(page);

    await page.getByLabel(/^(invoice number|número de boleta)$/i).fill(sale.invoice_number.toLowerCase());
    await page.getByRole('button', { name: /search by number|buscar por número/i }).click();
    await expect(page).toHaveURL(/[?&]q=/);
    await expect(table.getByRole('link', { name: sale.invoice_number, exact: true })).toBeVisible();
    await expect(table.getByRole('row')).toHaveCount(2);

    await page.getByRole('button', { name: /clear filters|limpiar filtros/i }).click();
    await expect(page).not.toHaveURL(/[?&]q=/);
    await page.getByLabel(/^(register|caja)$/i).selectOption(till.registerId);
    await expect(table.getByRole('link', { name: sale.invoice_number, exact: true })).toBeVisible();
    await expect(table.getByRole('row')).toHaveCount(2);

    await page.getByLabel(/^(from|desde)/i).fill(today);
    await page.getByLabel(/^(to|hasta)/i).fill(today);
    await expect(page).toHaveURL(new RegExp(`from=${today}`));
    await expect(table.getByRole('link', { name: sale.invoice_number, exact: true })).toBeVisible();

    // The filtered list is a link: a reload keeps it.
    await page.reload();
    await expect(page.getByLabel(/^(register|caja)$/i)).toHaveValue(till.registerId);
    await expect(table.getByRole('link', { name: sale.invoice_number, exact: true })).toBeVisible();

    await page.getByLabel(/^(from|desde)/i).fill(dayBefore(today));
    await page.getByLabel(/^(to|hasta)/i).fill(dayBefore(today));
    await expect(page.getByText(/no sales match|ninguna venta coincide/i)).toBeVisible();

    await page.getByLabel(/^(from|desde)/i).fill(today);
    await page.getByLabel(/^(to|hasta)/i).fill(today);
    await page.getByLabel(/^(status|estado)$/i).selectOption('voided');
    await expect(page.getByText(/no sales match|ninguna venta coincide/i)).toBeVisible();
    await page.getByLabel(/^(status|estado)$/i).selectOption('completed');
    await expect(table.getByRole('link', { name: sale.invoice_number, exact: true })).toBeVisible();
    await expectAccessible(page);
  });

  test('a line is refunded from the sale page', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const till = await openTill(page.request, token);
    const product = await createProduct(page.request, token);
    const sale = await sell(page.request, token, till, [{ product, quantity: 3 }]);

    await signIn(page, 'manager', `/sales/${sale.id}`);
    await expect(page.getByRole('heading', { level: 1, name: new RegExp(sale.invoice_number) })).toBeVisible();
    await expect(page.getByRole('cell', { name: new RegExp(product.sku) })).toBeVisible();
    await expect(page.getByText(/nothing refunded|nada devuelto/i)).toBeVisible();
    await expectAccessible(page);

    await page.getByRole('button', { name: /^(refund|devolver)…$/i }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: /^(refund|devolver)$/i }).click();
    await expect(dialog.getByText(/choose at least one unit|elige al menos una unidad/i)).toBeVisible();
    await dialog.getByLabel(product.sku).fill('1');
    await dialog.getByLabel(/^(reason|motivo)$/i).fill('Damaged box');
    await expectAccessible(page);
    await dialog.getByRole('button', { name: /^(refund|devolver)$/i }).click();
    await expect(dialog).toBeHidden();

    await expect(page.getByRole('cell', { name: new RegExp(product.sku) })).toContainText(/1 unit refunded|1 unidad devuelta/i);
    await expect(page.getByText(/Damaged box/)).toBeVisible();
    const refunds = (await (await page.request.get(`/api/v1/sales/${sale.id}/refunds`, { headers: bearer(token) })).json()) as { kind: string; lines: { quantity: number }[] }[];
    expect(refunds.map((refund) => [refund.kind, refund.lines[0].quantity])).toEqual([['refund', 1]]);
  });

  test('a sale is voided from the sale page after confirming', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const till = await openTill(page.request, token);
    const product = await createProduct(page.request, token);
    const sale = await sell(page.request, token, till, [{ product, quantity: 1 }]);

    await signIn(page, 'manager', `/sales/${sale.id}`);
    await page.getByRole('button', { name: /void sale|anular venta/i }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/^(reason|motivo)$/i).fill('Rung up twice');
    await expectAccessible(page);
    await dialog.getByRole('button', { name: /void the sale|anular la venta/i }).click();
    await expect(dialog).toBeHidden();
    await expect(page.locator('header').getByText(/^(voided|anulada)$/i)).toBeVisible();
    await expect(page.getByText(/rung up twice/i)).toBeVisible();
    await expect(page.getByRole('button', { name: /void sale|anular venta/i })).toHaveCount(0);
    const stored = (await (await page.request.get(`/api/v1/sales/${sale.id}`, { headers: bearer(token) })).json()) as { status: string };
    expect(stored.status).toBe('voided');
  });

  test('admins see a sale’s audit trail; managers do not', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const till = await openTill(page.request, token);
    const product = await createProduct(page.request, token);
    const sale = await sell(page.request, token, till, [{ product, quantity: 1 }]);

    await signIn(page, 'manager', `/sales/${sale.id}`);
    await expect(page.getByRole('heading', { name: /^(payments|pagos)$/i })).toBeVisible();
    await expect(page.getByRole('heading', { name: /^(audit trail|auditoría)$/i })).toHaveCount(0);

    await page.context().clearCookies();
    await signIn(page, 'admin', `/sales/${sale.id}`);
    await expect(page.getByRole('heading', { name: /^(audit trail|auditoría)$/i })).toBeVisible();
    await expect(page.getByText(/sale recorded|venta registrada/i)).toBeVisible();
    await expectAccessible(page);
  });

  test('the list and a sale read well on a phone', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const till = await openTill(page.request, token);
    const product = await createProduct(page.request, token);
    const sale = await sell(page.request, token, till, [{ product, quantity: 1 }]);
    await signIn(page, 'manager', '/sales');
    await page.setViewportSize({ width: 375, height: 800 });
    await expect(page.getByRole('table', { name: /^(sales|ventas)$/i }).getByRole('row').nth(1)).toBeVisible();
    await expectNoHorizontalOverflow(page);
    await page.goto(`/sales/${sale.id}`);
    await expect(page.getByRole('heading', { level: 1, name: new RegExp(sale.invoice_number) })).toBeVisible();
    await expectNoHorizontalOverflow(page);
    await expectAccessible(page);
  });
});
