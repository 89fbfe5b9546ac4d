import { expect, test } from '@playwright/test';
import { apiToken, bearer, expectAccessible, signIn } from './fixtures';
import { createProduct, openTill } from './selling';

test.describe('customers', () => {
  test('a manager adds a customer, finds them, edits them, and deactivates and reactivates them', async ({ page }) => {
    const stamp = Date.now();
    const name = `Zoe Customer ${stamp}`;
    await signIn(page, 'manager', '/customers');
    await expect(page.getByRole('heading', { level: 1, name: /^(customers|clientes)$/i })).toBeVisible();
    await expectAccessible(page);

    await page.getByRole('button', { name: /add customer|agregar cliente/i }).click();
    const create = page.getByRole('dialog');
    await create.getByLabel(/^(name|nombre)$/i).fill(name);
    await create.getByLabel(/^(email|correo)$/i).fill(`zoe-${stamp}@example.com`);
    await create.getByLabel(/^(phone|teléfono)$/i).fill('+56 9 5555 0101');
    await expectAccessible(page);
    await create.getByRole('button', { name: /add customer|agregar cliente/i }).click();
    await expect(create).toBeHidden();

    // A new customer opens on their own page, with nothing bought yet.
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    const contact = page.getByRole('region', { name: /^(contact|contacto)$/i });
    await expect(contact).toContainText(`zoe-${stamp}@example.com`);
    await expect(contact).toContainText('+56955550101');
    await expect(page.getByText(/no purchases yet|aún no hay compras/i)).toBeVisible();

    await page.getByRole('link', { name: /all customers|todos los clientes/i }).click();
    await page.getByRole('searchbox', { name: /^(search|buscar)$/i }).fill(`Zoe Customer ${stamp}`);
    await page.getByRole('button', { name: /^(search|buscar)$/i }).click();
    await expect(page).toHaveURL(/q=Zoe/);
    const table = page.getByRole('table', { name: /^(customers|clientes)$/i });
    await expect(table.getByRole('row')).toHaveCount(2);
    await table.getByRole('link', { name }).click();

    await page.getByRole('button', { name: /^(edit|editar)$/i }).click();
    const edit = page.getByRole('dialog');
    await edit.getByLabel(/^(notes|notas)$/i).fill('Prefers invoices by email');
    await edit.getByRole('button', { name: /save changes|guardar cambios/i }).click();
    await expect(edit).toBeHidden();
    await expect(contact).toContainText('Prefers invoices by email');

    await page.getByRole('button', { name: /^(deactivate|desactivar)$/i }).click();
    const confirm = page.getByRole('dialog');
    await expectAccessible(page);
    await confirm.getByRole('button', { name: /^(deactivate|desactivar)$/i }).click();
    await expect(confirm).toBeHidden();
    await expect(page.getByRole('heading', { level: 1 }).getByText(/^(inactive|inactivo)$/i)).toBeVisible();
    await page.getByRole('button', { name: /^(reactivate|reactivar)$/i }).click();
    await expect(page.getByRole('button', { name: /^(deactivate|desactivar)$/i })).toBeVisible();
  });

  test('a customer’s page shows their purchases, each opening its sale', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const stamp = Date.now();
    const customer = await (await page.request.post('/api/v1/customers', { headers: bearer(token), data: { name: `Buyer ${stamp}` } })).json();
    const till = await openTill(page.request, token);
    const product = await createProduct(page.request, token, { price: 2_500 });
    const sold = await page.request.post('/api/v1/sales', {
      headers: bearer(token, true),
      data: { register_id: till.registerId, customer_id: customer.id, lines: [{ product_id: product.id, quantity: 2 }], payments: [{ method: 'cash', amount: 5_000 }] },
    });
    expect(sold.status()).toBe(201);
    const sale = await sold.json();

    await signIn(page, 'manager', `/customers/${customer.id}`);
    await expect(page.getByRole('heading', { level: 1, name: `Buyer ${stamp}` })).toBeVisible();
    const stats = page.getByRole('region', { name: /^(purchases|compras)$/i });
    await expect(stats).toContainText(/5[.,]000/);
    const history = page.getByRole('table', { name: /purchase history|historial de compras/i });
    await expect(history.getByRole('row')).toHaveCount(2);
    await expect(history).toContainText(/5[.,]000/);
    await expectAccessible(page);

    await page.setViewportSize({ width: 375, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    await history.getByRole('link', { name: sale.invoice_number }).click();
    await expect(page).toHaveURL(new RegExp(`/sales/${sale.id}`));
  });

  test('the list reads on a phone and exports its CSV', async ({ page }) => {
    await signIn(page, 'admin', '/customers');
    await page.setViewportSize({ width: 375, height: 800 });
    await expect(page.getByRole('table', { name: /^(customers|clientes)$/i })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expectAccessible(page);
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: /export csv|exportar csv/i }).click();
    const file = await downloading;
    expect(file.suggestedFilename()).toMatch(/\.csv$/);
  });
});
