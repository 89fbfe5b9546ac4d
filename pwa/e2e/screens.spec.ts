/**
 * Every screen of the till, accessible (axe: no serious or critical violation, dialogs open
 * included), on a 10-inch tablet in Spanish and on a laptop in English; the set-up by a manager's
 * sign-in, replacing the register's device after a confirmation; a phone's width.
 */
import { expect, test, type Page } from '@playwright/test';
import { LOGINS, bearer, expectAccessible } from '../../frontend/e2e/fixtures';
import { POS, createProduct, createShop, ok, openShift, pay, scan, setUpTill, unlock, type Shop, type TestProduct } from './pos';

const SIZES = [
  { name: '10-inch tablet, Spanish', viewport: { width: 800, height: 1280 }, language: 'es' },
  { name: 'laptop, English', viewport: { width: 1366, height: 768 }, language: 'en' },
] as const;

/** Set the till up the manager's way: sign in, pick the register (it already has a device: replace it). */
async function setUpByManager(page: Page, shop: Shop): Promise<void> {
  await page.goto(POS);
  await expect(page.getByRole('heading', { name: /set this till up|configurar esta caja/i })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('tab', { name: /pairing code|código de vinculación/i }).click();
  await expectAccessible(page);
  await page.getByRole('tab', { name: /manager sign-in|sesión de gerente/i }).click();
  await page.getByLabel(/^(email|correo electrónico)$/i).fill(LOGINS.manager.email);
  await page.getByLabel(/^(password|contraseña)$/i).fill('not the password');
  await page.getByRole('button', { name: /^(continue|continuar)$/i }).click();
  await expect(page.getByText(/wrong email or password|correo o contraseña incorrectos/i)).toBeVisible();
  await page.getByLabel(/^(password|contraseña)$/i).fill(LOGINS.manager.password);
  await page.getByRole('button', { name: /^(continue|continuar)$/i }).click();
  await page.getByRole('radio', { name: new RegExp(shop.registerCode) }).check();
  await expectAccessible(page);
  await page.getByRole('button', { name: /set up this till|configurar este equipo/i }).click();
  const replace = page.getByRole('dialog', { name: /replace the register’s device|reemplazar el dispositivo/i });
  await expect(replace).toBeVisible();
  await expectAccessible(page);
  await replace.getByRole('button', { name: /replace it|reemplazarlo/i }).click();
  await expect(page.getByRole('heading', { name: /who is at the till|quién está en la caja/i })).toBeVisible({ timeout: 30_000 });
}

async function walkSelling(page: Page, product: TestProduct): Promise<void> {
  await scan(page, product.barcode);
  await page.getByRole('combobox').fill(product.name.slice(0, 8));
  await expect(page.getByRole('option').first()).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('combobox').fill('');
  await page.getByRole('button', { name: new RegExp(`(discount on|descuento en) ${product.name}`, 'i') }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await expectAccessible(page);
  await page.keyboard.press('Escape');
  await page.keyboard.press('F6');
  await expect(page.getByRole('dialog', { name: /customer|cliente/i })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('button', { name: /new customer|nuevo cliente/i }).click();
  await page.getByRole('button', { name: /create and choose|crear y elegir/i }).click();
  await expect(page.getByText(/a name is required|el nombre es obligatorio/i)).toBeVisible();
  await expectAccessible(page);
  await page.keyboard.press('Escape');
  await page.keyboard.press('F9');
  await expect(page.getByRole('dialog', { name: /payment|pago/i })).toBeVisible();
  await expectAccessible(page);
  await page.keyboard.press('Escape');
  await pay(page, [{ method: /^(card|tarjeta)$/i, amount: '1000' }, { method: /^(cash|efectivo)$/i }]);
  await expectAccessible(page);
  await page.getByRole('button', { name: /^(new sale|nueva venta)$/i }).click();
}

for (const size of SIZES) {
  test(`every screen is usable and accessible: ${size.name}`, async ({ browser, request }) => {
    test.setTimeout(120_000);
    const context = await browser.newContext({ viewport: size.viewport, hasTouch: size.viewport.width < 1000 });
    await context.addInitScript((language) => localStorage.setItem('orbit.language', language), size.language);
    const page = await context.newPage();
    try {
      const shop = await createShop(request);
      const product = await createProduct(request, shop.manager);
      await ok(await request.post('/api/v1/sync/devices', { headers: bearer(shop.manager), data: { register_id: shop.registerId, name: 'Old till' } }));
      await setUpByManager(page, shop);
      await expectAccessible(page);
      await unlock(page, shop.cashier.name);
      // The manager's set-up session ended with the set-up: the till asks to be signed in.
      await expect(page.getByRole('button', { name: /sign the till in|iniciar sesión en la caja/i }).first()).toBeVisible();
      await expectAccessible(page);
      await page
        .getByRole('button', { name: /sign the till in|iniciar sesión en la caja/i })
        .first()
        .click();
      await expectAccessible(page);
      await page.getByLabel(/^(email|correo electrónico)$/i).fill(shop.cashier.email);
      await page.getByLabel(/^(password|contraseña)$/i).fill(shop.cashier.password);
      await page
        .getByRole('dialog')
        .getByRole('button', { name: /^(sign in|entrar)$/i })
        .click();
      await expect(
        page
          .getByText(/till signed in as|caja con sesión de/i)
          .or(page.getByRole('button', { name: /^(sell|vender)/i }))
          .first(),
      ).toBeVisible();

      await page.getByRole('button', { name: /^(sell|vender)/i }).click();
      await expect(page.getByText(/open a shift to sell|abre un turno para vender/i)).toBeVisible();
      await expectAccessible(page);
      await page.getByRole('button', { name: /^(shift|turno)/i }).click();
      await expectAccessible(page);
      await openShift(page);
      await walkSelling(page, product);

      await page.getByRole('button', { name: /^(shift|turno)/i }).click();
      await expect(page.getByTestId('z-report')).toBeVisible();
      await expectAccessible(page);
      await page.getByRole('button', { name: /^(pay in|ingreso)$/i }).click();
      await expectAccessible(page);
      await page.keyboard.press('Escape');
      await page
        .getByRole('button', { name: /close the shift|cerrar el turno/i })
        .first()
        .click();
      await expect(page.getByRole('dialog')).toBeVisible();
      await expectAccessible(page);
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: /^(refunds|devoluciones)/i }).click();
      await expectAccessible(page);
      await page.getByRole('button', { name: new RegExp(`(refund|devolver) ${shop.registerCode}-1`, 'i') }).click();
      await expectAccessible(page);

      await page.getByRole('button', { name: /^(queue|cola)/i }).click();
      await expect(page.getByTestId('queue-row').first()).toBeVisible();
      await expectAccessible(page);
      await page.getByRole('button', { name: /export the queue|exportar la cola/i }).click();
      await expectAccessible(page);
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: /till menu|menú de la caja/i }).click();
      await expectAccessible(page);
      await page.keyboard.press('Escape');
      // Nothing wider than the screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await page.screenshot({ path: test.info().outputPath('queue.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
}

test('a phone (375 px) can sell: nothing wider than the screen', async ({ browser, request }) => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  try {
    const shop = await createShop(request);
    const product = await createProduct(request, shop.manager);
    await setUpTill(page, request, shop);
    await unlock(page, shop.cashier.name);
    await openShift(page);
    await scan(page, product.barcode);
    await expect(page.getByTestId('ticket-line')).toHaveCount(1);
    await expectAccessible(page);
    for (const view of [/^(shift|turno)/i, /^(refunds|devoluciones)/i, /^(queue|cola)/i, /^(sell|vender)/i]) {
      await page.getByRole('button', { name: view }).click();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    }
    await pay(page, [{ method: /^(cash|efectivo)$/i }]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  } finally {
    await context.close();
  }
});
