import { expect, test, type Page } from '@playwright/test';
import { createProduct, expectNoHorizontalOverflow, productStock, shop, useLanguage } from './catalog';
import { apiToken, expectAccessible, signIn } from './fixtures';

/** Type into the product picker and press Enter, as a barcode scanner does. */
async function scan(page: Page, code: string): Promise<void> {
  const picker = page.getByRole('combobox', { name: /add a product/i });
  await picker.fill(code);
  await picker.press('Enter');
}

test.describe('stock', () => {
  test.beforeEach(async ({ page }) => useLanguage(page, 'en'));

  test('a receipt raises the product’s stock and shows in its ledger, sent with an idempotency key', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const product = await createProduct(page.request, token, { stock: 2 });

    await signIn(page, 'manager', '/stock');
    await expect(page.getByRole('tab', { name: /receipts/i })).toHaveAttribute('aria-selected', 'true');
    await expectAccessible(page);

    // Typing part of the name lists matches; a click adds the line.
    const picker = page.getByRole('combobox', { name: /add a product/i });
    await picker.fill(product.name.slice(-10));
    await expect(page.getByRole('option', { name: new RegExp(product.sku) })).toBeVisible();
    await expectAccessible(page);
    await page.getByRole('option', { name: new RegExp(product.sku) }).click();
    const quantity = page.getByRole('textbox', { name: `Received: ${product.name}` });
    await expect(quantity).toHaveValue('1');
    await expect(quantity).toBeFocused();

    // Scanning it again adds one more unit to the same line.
    await scan(page, product.barcode!);
    await expect(quantity).toHaveValue('2');
    await quantity.fill('5');
    await page.getByLabel(/supplier or reference/i).fill('Delivery note 4411');

    const posted = page.waitForRequest((request) => request.url().endsWith('/api/v1/inventory/receipts') && request.method() === 'POST');
    await page.getByRole('button', { name: /record receipt/i }).click();
    const request = await posted;
    expect(request.headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    const batch = (await (await request.response())!.json()) as { movements: { product_id: string; delta: number; reason: string }[] };
    expect(batch.movements).toEqual([expect.objectContaining({ product_id: product.id, delta: 5, reason: 'Delivery note 4411' })]);
    await expect(page.getByText(/receipt recorded/i).first()).toBeVisible();
    await expect(page.getByText(/no products yet/i)).toBeVisible();
    expect(await productStock(page.request, token, product.id)).toBe(7);

    await page.goto(`/products/${product.id}`);
    await expect(page.getByTestId('product-stock')).toContainText('7');
    const ledger = page.getByRole('table', { name: /stock movements of this product/i });
    const newest = ledger.getByRole('row').nth(1);
    await expect(newest).toContainText(/receipt/i);
    await expect(newest).toContainText('+5');
    await expect(newest).toContainText('Delivery note 4411');
    await expect(newest.getByRole('cell').nth(3)).toHaveText('7');
  });

  test('a count shows expected against counted, refuses a product twice, and records the difference', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const product = await createProduct(page.request, token, { stock: 10 });

    await signIn(page, 'manager', '/stock?tab=counts');
    await expect(page.getByRole('tab', { name: /counts/i })).toHaveAttribute('aria-selected', 'true');
    await scan(page, product.barcode!);
    const counted = page.getByRole('textbox', { name: `Counted: ${product.name}` });
    await expect(counted).toBeFocused();
    await counted.fill('7');
    const line = page.locator(`tr[data-line="${product.sku}"]`);
    await expect(line.getByRole('cell').nth(1)).toHaveText('10');
    await expect(line.locator('[data-outcome]')).toHaveText('−3');
    await expect(page.getByTestId('count-summary')).toContainText(/1 products · 1 with a difference · net −3/);

    // The same product again (here by SKU) keeps the one line and says so.
    await scan(page, product.sku.toLowerCase());
    await expect(page.getByText(/is already in the list/i)).toBeVisible();
    await expect(page.locator('tr[data-line]')).toHaveCount(1);
    await expect(counted).toHaveValue('7');
    await expectAccessible(page);

    await page.getByRole('button', { name: /record count/i }).click();
    await expect(page.getByText(/count recorded/i).first()).toBeVisible();
    expect(await productStock(page.request, token, product.id)).toBe(7);

    await page.getByRole('tab', { name: /movements/i }).click();
    await expect(page).toHaveURL(/tab=movements/);
    const picker = page.getByRole('combobox', { name: /^product$/i });
    await picker.fill(product.sku);
    await picker.press('Enter');
    await expect(page).toHaveURL(new RegExp(`product_id=${product.id}`));
    await page.getByLabel(/^kind$/i).selectOption('count');
    const ledger = page.getByRole('table', { name: /stock movements of the shop/i });
    await expect(ledger.getByRole('row')).toHaveCount(2);
    await expect(ledger.getByRole('row').nth(1)).toContainText(product.name);
    await expect(ledger.getByRole('row').nth(1)).toContainText('−3');
    await expectAccessible(page);
  });

  test('an adjustment needs a reason and a non-zero change, and stays above zero unless the shop allows it', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const { allowNegativeStock } = await shop(page.request, token);
    const product = await createProduct(page.request, token, { stock: 2 });

    await signIn(page, 'manager', '/stock?tab=adjustments');
    await scan(page, product.barcode!);
    const change = page.getByRole('textbox', { name: `Change: ${product.name}` });
    await change.fill('0');
    await page.getByRole('button', { name: /record adjustment/i }).click();
    await expect(page.getByText(/^not zero$/i)).toBeVisible();
    await expect(page.getByText(/a reason of at least 3 characters/i)).toBeVisible();
    await expectAccessible(page);

    if (!allowNegativeStock) {
      await change.fill('-3');
      await expect(page.getByText(/stock would go below zero/i)).toBeVisible();
    }
    await change.fill('-1');
    await page.getByLabel(/^reason$/i).fill('Damaged');
    await page.getByRole('button', { name: /record adjustment/i }).click();
    await expect(page.getByText(/adjustment recorded/i).first()).toBeVisible();
    expect(await productStock(page.request, token, product.id)).toBe(1);
  });

  test('low stock lists a short product and receives it in one step; every tab fits a phone', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const product = await createProduct(page.request, token, { stock: 0, reorderPoint: 1_000_000 });

    await signIn(page, 'manager', '/stock?tab=low-stock');
    const table = page.getByRole('table', { name: /at or below their reorder point/i });
    const row = table.getByRole('row').filter({ hasText: product.sku });
    await expect(row).toBeVisible();
    await expectAccessible(page);
    await row.getByRole('button', { name: `Receive ${product.name}` }).click();
    await expect(page.getByRole('tab', { name: /receipts/i })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('textbox', { name: `Received: ${product.name}` })).toHaveValue('1');
    await expect(page).not.toHaveURL(/product_id=/);

    await page.setViewportSize({ width: 375, height: 800 });
    for (const tab of ['receipts', 'adjustments', 'counts', 'movements', 'low-stock']) {
      await page.goto(`/stock?tab=${tab}`);
      await expect(page.getByRole('tabpanel')).toBeVisible();
      await expectNoHorizontalOverflow(page, 375);
    }
  });
});
