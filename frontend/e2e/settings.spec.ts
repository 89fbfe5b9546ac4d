import { expect, test } from '@playwright/test';
import { apiToken, bearer, expectAccessible, signIn } from './fixtures';

const PASSWORD = 'a quiet harbour at dawn';

/**
 * A shop of its own for this run: the demo has sales, so its currency is locked, and changing
 * the demo's locale would change what every other suite reads.
 */
async function newShop(request: import('@playwright/test').APIRequestContext) {
  const stamp = Date.now();
  const email = `settings-${stamp}@example.com`;
  const response = await request.post('/api/v1/auth/register', {
    data: { company_name: `Settings ${stamp}`, admin_name: 'Sol Settings', email, password: PASSWORD, currency: 'USD', locale: 'en-US', time_zone: 'America/New_York' },
  });
  expect(response.status()).toBe(201);
  const registered = await response.json();
  return { email, origin: new URL(registered.app_url as string).origin, token: registered.tokens.access_token as string };
}

test.describe('settings', () => {
  test('an admin changes currency and locale, and money reads the new way on another screen', async ({ page }) => {
    const shop = await newShop(page.request);
    await page.goto(`${shop.origin}/sign-in?redirect=%2Fcustomers`);
    // The shop's host resolves in the browser: add a customer from there, as the shop's admin.
    const created = await page.evaluate(
      (token) => fetch('/api/v1/customers', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Quinn Settings' }) }).then((r) => r.status),
      shop.token,
    );
    expect(created).toBe(201);
    await page.getByLabel(/email|correo/i).fill(shop.email);
    await page.getByLabel(/password|contraseña/i).fill(PASSWORD);
    await page.getByRole('button', { name: /sign in|entrar/i }).click();
    const row = page.getByRole('table', { name: /^(customers|clientes)$/i }).getByRole('row').filter({ hasText: 'Quinn Settings' });
    await expect(row).toContainText('$0.00');

    await page.getByRole('navigation', { name: /main|principal/i }).first().getByRole('link', { name: /^(settings|configuración)$/i }).click();
    await expect(page.getByRole('heading', { level: 1, name: /^(settings|configuración)$/i })).toBeVisible();
    await expectAccessible(page);
    await page.getByLabel(/^(currency|moneda)$/i).selectOption('EUR');
    await page.getByLabel(/^(locale|configuración regional)$/i).selectOption('es-ES');
    await expect(page.getByText(/1234,56\s€|1\.234,56\s€/)).toBeVisible();
    await page.getByRole('button', { name: /save settings|guardar configuración/i }).click();
    await expect(page.getByText(/settings saved|configuración guardada/i).first()).toBeVisible();

    // The shop now writes Spanish from Spain with euros: the interface follows the locale too.
    await page.getByRole('navigation', { name: /main|principal/i }).first().getByRole('link', { name: /^(customers|clientes)$/i }).click();
    await expect(row).toContainText(/0,00\s€/);
    await expect(page.getByRole('heading', { level: 1, name: /^clientes$/i })).toBeVisible();
  });

  test('the demo’s currency is locked by its sales: the refusal shows at the field and nothing changes', async ({ page }) => {
    await signIn(page, 'admin', '/settings');
    const before = await (await page.request.get('/api/v1/organization', { headers: bearer(await apiToken(page.request, 'admin')) })).json();
    await page.getByLabel(/^(currency|moneda)$/i).selectOption('other');
    const code = page.getByLabel(/^(currency code|código de moneda)$/i);
    await code.fill('QQ');
    await page.getByRole('button', { name: /save settings|guardar configuración/i }).click();
    await expect(page.getByText(/three-letter iso 4217|código iso 4217 de tres letras/i)).toBeVisible();
    await code.fill('NZD');
    await page.getByRole('button', { name: /save settings|guardar configuración/i }).click();
    await expect(code).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText(/sales are recorded in the current currency|can't change once sales/i).first()).toBeVisible();
    await expectAccessible(page);
    const after = await (await page.request.get('/api/v1/organization', { headers: bearer(await apiToken(page.request, 'admin')) })).json();
    expect(after.currency).toBe(before.currency);
  });
});
