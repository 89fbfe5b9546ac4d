import { expect, test } from '@playwright/test';
import { expectAccessible, LOGINS, signIn } from './fixtures';

test.describe('sessions', () => {
  test('an admin signs in, sees every area, and signs out', async ({ page }) => {
    await signIn(page, 'admin');
    const nav = page.getByRole('navigation', { name: /main|principal/i }).first();
    for (const area of [/users|usuarios/i, /settings|configuración/i, /audit|auditoría/i, /products|productos/i]) {
      await expect(nav.getByRole('link', { name: area })).toBeVisible();
    }
    await page.getByRole('button', { name: /account|cuenta/i }).click();
    await page.getByRole('menuitem', { name: /sign out|cerrar sesión/i }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await page.goto('/products');
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test('a manager does not see the admin areas, and the server refuses them too', async ({ page }) => {
    await signIn(page, 'manager');
    const nav = page.getByRole('navigation', { name: /main|principal/i }).first();
    await expect(nav.getByRole('link', { name: /products|productos/i })).toBeVisible();
    await expect(nav.getByRole('link', { name: /^(users|usuarios)$/i })).toHaveCount(0);
    await page.goto('/users');
    await expect(page.getByRole('heading', { name: /not for your role|no disponible/i })).toBeVisible();
  });

  test('a cashier is sent to the point of sale', async ({ page }) => {
    await signIn(page, 'cashier');
    await expect(page).toHaveURL(/\/pos\//);
  });

  test('wrong credentials are refused at the form', async ({ page }) => {
    await page.goto('/sign-in');
    await page.getByLabel(/email|correo/i).fill(LOGINS.admin.email);
    await page.getByLabel(/password|contraseña/i).fill('not the password');
    await page.getByRole('button', { name: /sign in|entrar/i }).click();
    await expect(page.getByRole('alert')).toContainText(/wrong email or password|correo o contraseña incorrectos/i);
    await expectAccessible(page);
    // A malformed email is the server's 422: its message shows at the field, not as a banner.
    await page.getByLabel(/email|correo/i).fill('not-an-email');
    await page.getByRole('button', { name: /sign in|entrar/i }).click();
    await expect(page.getByLabel(/email|correo/i)).toHaveAttribute('aria-invalid', 'true');
  });

  test('the session survives a reload (refresh cookie), and the access token is not in storage', async ({ page }) => {
    await signIn(page, 'manager');
    await page.reload();
    await expect(page.getByRole('navigation', { name: /main|principal/i }).first()).toBeAttached();
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    expect(stored).not.toMatch(/eyJ/);
    const cookies = await page.context().cookies();
    const refresh = cookies.find((cookie) => cookie.name === 'orbit_refresh');
    expect(refresh?.httpOnly).toBe(true);
    expect(refresh?.sameSite).toBe('Strict');
  });

  test('two tabs stay signed in through many refreshes, and logout in one ends both', async ({ context }) => {
    const first = await context.newPage();
    await signIn(first, 'admin');
    const second = await context.newPage();
    await second.goto('/products');
    await expect(second.getByRole('navigation', { name: /main|principal/i }).first()).toBeAttached();
    // Reloading both tabs at once makes both restore their session from the one shared refresh
    // cookie at the same moment: without the cross-tab lock, the second would spend a rotated
    // cookie and the server would revoke the whole session.
    for (let round = 0; round < 6; round += 1) {
      await Promise.all([first.reload(), second.reload()]);
      for (const page of [first, second]) {
        await expect(page.getByRole('navigation', { name: /main|principal/i }).first()).toBeAttached();
      }
    }
    const me = await second.request.post('/api/v1/auth/session/refresh', { headers: { 'X-Orbit-CSRF': '1' } });
    expect(me.status()).toBe(200);
    await first.getByRole('button', { name: /account|cuenta/i }).click();
    await first.getByRole('menuitem', { name: /sign out|cerrar sesión/i }).click();
    await expect(second).toHaveURL(/\/sign-in/);
  });

  test('the language switch changes every label, follows to the next visit, and the sign-in page has it too', async ({ page }) => {
    await signIn(page, 'manager');
    const nav = page.getByRole('navigation', { name: /main|principal/i }).first();
    const language = page.getByRole('combobox', { name: /language|idioma/i });
    await language.selectOption('es');
    await expect(page.locator('html')).toHaveAttribute('lang', 'es');
    await expect(nav.getByRole('link', { name: 'Productos' })).toBeVisible();
    await expectAccessible(page);
    await page.reload();
    await expect(page.getByRole('navigation', { name: 'Principal' }).first().getByRole('link', { name: 'Inventario' })).toBeVisible();
    await page.getByRole('combobox', { name: 'Idioma' }).selectOption('en');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('navigation', { name: 'Main' }).first().getByRole('link', { name: 'Stock' })).toBeVisible();
    await page.getByRole('button', { name: 'Account' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await page.getByRole('combobox', { name: 'Language' }).selectOption('es');
    await expect(page.getByRole('heading', { name: 'Iniciar sesión' })).toBeVisible();
  });
});
