import { expect, test, type Locator, type Page } from '@playwright/test';
import { createProduct, expectNoHorizontalOverflow, moneyInEnglish, moneyText, receive, shop, unique, uniqueBarcode, useLanguage } from './catalog';
import { apiToken, bearer, expectAccessible, signIn } from './fixtures';

/** Text as shown, whatever kind of space the formatter put in it. */
function shown(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+')}\\s*$`);
}

function productsTable(page: Page): Locator {
  return page.getByRole('table', { name: /^(products|productos)$/i });
}

test.describe('products', () => {
  test.beforeEach(async ({ page }) => useLanguage(page, 'en'));

  test('a product created in the form is found by the search, which keeps the URL in step', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const { currency } = await shop(page.request, token);
    const suffix = unique();
    const name = `Mango nectar ${suffix}`;
    const sku = `MNG-${suffix}`;

    await signIn(page, 'manager', '/products');
    await expect(productsTable(page).getByRole('row').nth(1)).toBeVisible();
    await expectAccessible(page);

    await page.getByRole('button', { name: /new product/i }).click();
    const dialog = page.getByRole('dialog', { name: /new product/i });
    await expect(dialog).toBeVisible();
    await expectAccessible(page);
    await dialog.getByRole('button', { name: /create product/i }).click();
    await expect(dialog.getByLabel(/^name$/i)).toHaveAttribute('aria-invalid', 'true');
    await expect(dialog.getByLabel(/^name$/i)).toBeFocused();

    await dialog.getByLabel(/^name$/i).fill(name);
    await dialog.getByLabel(/^sku$/i).fill(sku);
    await dialog.getByLabel(/^barcode$/i).fill(uniqueBarcode());
    await dialog.getByLabel(/^price$/i).fill(moneyText(2_490, currency));
    await dialog.getByLabel(/^cost$/i).fill(moneyText(1_200, currency));
    await dialog.getByLabel(/tax rate/i).fill('19');
    await dialog.getByLabel(/initial stock/i).fill('6');
    await dialog.getByRole('button', { name: /create product/i }).click();

    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(page.getByTestId('product-stock')).toContainText('6');
    await expect(page.getByTestId('product-price')).toHaveText(shown(moneyInEnglish(2_490, currency)));

    await page.getByRole('link', { name: /all products/i }).click();
    await page.getByLabel(/^search$/i).fill(`nectar ${suffix.toLowerCase()}`);
    await expect(page).toHaveURL(new RegExp(`[?&]q=nectar`));
    const table = productsTable(page);
    await expect(table.getByRole('link', { name })).toBeVisible();
    await expect(table.getByRole('row')).toHaveCount(2);

    // The search is a link: a reload keeps it and its answer.
    await page.reload();
    await expect(page.getByLabel(/^search$/i)).toHaveValue(`nectar ${suffix.toLowerCase()}`);
    await expect(productsTable(page).getByRole('link', { name })).toBeVisible();

    // The same SKU again is refused at the SKU field.
    await page.getByRole('button', { name: /new product/i }).click();
    const again = page.getByRole('dialog', { name: /new product/i });
    await again.getByLabel(/^name$/i).fill(`${name} copy`);
    await again.getByLabel(/^sku$/i).fill(sku);
    await again.getByLabel(/^price$/i).fill(moneyText(990, currency));
    await again.getByRole('button', { name: /create product/i }).click();
    await expect(again.getByLabel(/^sku$/i)).toHaveAttribute('aria-invalid', 'true');
    await expect(again.getByText(/another product already has this sku/i)).toBeVisible();
  });

  test('a new price shows in the shop’s currency, on the product and in the list', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const { currency } = await shop(page.request, token);
    const product = await createProduct(page.request, token, { price: 1_000 });

    await signIn(page, 'manager', `/products/${product.id}`);
    await expect(page.getByTestId('product-price')).toHaveText(shown(moneyInEnglish(1_000, currency)));
    await page.getByRole('button', { name: /^edit$/i }).click();
    const dialog = page.getByRole('dialog', { name: /^edit /i });
    await expect(dialog.getByLabel(/^price$/i)).toHaveValue(moneyText(1_000, currency));
    await expectAccessible(page);
    await dialog.getByLabel(/^price$/i).fill(moneyText(123_450, currency));
    await dialog.getByRole('button', { name: /^save$/i }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('product-price')).toHaveText(shown(moneyInEnglish(123_450, currency)));

    await page.goto(`/products?q=${product.sku}`);
    const row = productsTable(page).getByRole('row').filter({ hasText: product.sku });
    await expect(row.getByRole('cell').filter({ hasText: shown(moneyInEnglish(123_450, currency)) })).toBeVisible();
  });

  test('archiving asks first, then the product shows as archived and filters with the archived ones', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const product = await createProduct(page.request, token);

    await signIn(page, 'manager', `/products/${product.id}`);
    await page.getByRole('button', { name: /^archive$/i }).click();
    const confirm = page.getByRole('dialog', { name: /archive/i });
    await expect(confirm).toBeVisible();
    await expectAccessible(page);
    await confirm.getByRole('button', { name: /archive product/i }).click();
    await expect(confirm).toBeHidden();
    await expect(page.getByText(/this product is archived/i)).toBeVisible();
    await expect(page.getByRole('button', { name: /^restore$/i })).toBeVisible();

    await page.goto(`/products?q=${product.sku}&active=true`);
    await expect(page.getByText(/no products match/i)).toBeVisible();
    await page.getByLabel(/^status$/i).selectOption('archived');
    await expect(page).toHaveURL(/active=false/);
    const row = productsTable(page).getByRole('row').filter({ hasText: product.sku });
    await expect(row.getByText(/^archived$/i)).toBeVisible();
  });

  test('the list and a product page follow stock changes live', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const product = await createProduct(page.request, token, { stock: 4 });

    await signIn(page, 'manager', `/products?q=${product.sku}`);
    const stockCell = productsTable(page).getByRole('row').filter({ hasText: product.sku }).locator('[data-stock]');
    await expect(stockCell).toHaveText('4');
    await expect(page.locator('[data-connection="live"]')).toBeAttached({ timeout: 15_000 });
    await receive(page.request, token, product.id, 3);
    await expect(stockCell).toHaveText('7', { timeout: 15_000 });

    await productsTable(page).getByRole('link', { name: product.name }).click();
    await expect(page.getByTestId('product-stock')).toContainText('7');
    await expect(page.locator('[data-connection="live"]')).toBeAttached({ timeout: 15_000 });
    await receive(page.request, token, product.id, 5);
    await expect(page.getByTestId('product-stock')).toContainText('12', { timeout: 15_000 });
    const ledger = page.getByRole('table', { name: /stock movements of this product/i });
    await expect(ledger.getByRole('row').nth(1)).toContainText(/receipt/i);
    await expect(ledger.getByRole('row').nth(1)).toContainText('+5');
    await expectAccessible(page);
  });

  test('a CSV with one bad row shows that row’s error and imports the good ones', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const { currency } = await shop(page.request, token);
    const suffix = unique();
    const good = [`IMP-${suffix}-A`, `IMP-${suffix}-B`];
    const bad = `IMP-${suffix}-X`;
    const csv = [
      'sku,name,price,tax_rate,stock',
      `${good[0]},Imported apple ${suffix},${moneyText(1_500, currency)},19,4`,
      `${bad},Imported broken ${suffix},abc,19,`,
      `${good[1]},Imported pear ${suffix},${moneyText(2_500, currency)},19,`,
    ].join('\n');

    await signIn(page, 'manager', '/products/import');
    await expect(page.getByRole('heading', { level: 1, name: /import products/i })).toBeVisible();
    await expectAccessible(page);

    await page.getByLabel(/^csv file$/i).setInputFiles({ name: 'products.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await expect(page.getByText(/nothing has been written yet/i)).toBeVisible();
    await expect(page.getByTestId('import-created')).toHaveText('2');
    await expect(page.getByTestId('import-skipped')).toHaveText('1');
    const errors = page.getByRole('table', { name: /rows with errors/i });
    await expect(errors.getByRole('row')).toHaveCount(2);
    await expect(errors.getByRole('row').nth(1)).toContainText('3');
    await expect(errors.getByRole('row').nth(1)).toContainText(/price/);
    await expect(errors.getByRole('row').nth(1)).toContainText(/not a plain number/i);
    await expectAccessible(page);

    await page.getByRole('button', { name: /import the 2 valid rows/i }).click();
    await expect(page.getByRole('heading', { name: /^imported$/i })).toBeVisible();
    await expect(page.getByTestId('import-created')).toHaveText('2');
    await expect(page.getByText(/these rows were skipped/i)).toBeVisible();

    for (const sku of good) {
      const found = await page.request.get('/api/v1/products', { headers: bearer(token), params: { search: sku } });
      expect(((await found.json()) as { items: { sku: string }[] }).items.map((item) => item.sku)).toEqual([sku]);
    }
    const missing = await page.request.get('/api/v1/products', { headers: bearer(token), params: { search: bad } });
    expect(((await missing.json()) as { items: unknown[] }).items).toEqual([]);

    await page.getByRole('link', { name: /see the products/i }).click();
    await page.getByLabel(/^search$/i).fill(`IMP-${suffix}`);
    await expect(productsTable(page).getByRole('row')).toHaveCount(3);
  });

  test('the template has the columns the export writes, and the export downloads', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    await signIn(page, 'manager', '/products/import');
    const href = await page.getByRole('link', { name: /download a template/i }).getAttribute('href');
    const template = decodeURIComponent(href!.replace(/^data:text\/csv;charset=utf-8,/, '')).replace('\ufeff', '');
    const exported = await page.request.get('/api/v1/products/export.csv', { headers: bearer(token) });
    const exportHeader = (await exported.text()).replace('\ufeff', '').split(/\r?\n/)[0];
    expect(template.split(/\r?\n/)[0]).toBe(exportHeader);

    await page.goto('/products');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /export csv/i }).click();
    expect((await download).suggestedFilename()).toBe('products.csv');
  });

  test('on a phone the list, a product and the import fit the screen', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const product = await createProduct(page.request, token);
    await signIn(page, 'manager', '/products');
    // Signed in at desktop size (the phone's navigation is a closed drawer), then a phone.
    await page.setViewportSize({ width: 375, height: 800 });
    await expect(productsTable(page).getByRole('row').nth(1)).toBeVisible();
    await expectNoHorizontalOverflow(page, 375);
    await page.goto(`/products/${product.id}`);
    await expect(page.getByRole('heading', { level: 1, name: product.name })).toBeVisible();
    await expectNoHorizontalOverflow(page, 375);
    await page.getByRole('button', { name: /^edit$/i }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    await expectNoHorizontalOverflow(page, 375);
    await page.goto('/products/import');
    await expect(page.getByRole('heading', { level: 1, name: /import products/i })).toBeVisible();
    await expectNoHorizontalOverflow(page, 375);
  });
});
