import { expect, test } from '@playwright/test';
import { apiToken, expectAccessible, signIn } from './fixtures';
import { closeShift, createProduct, moveCash, openTill, sell } from './selling';

test.describe('shifts', () => {
  test('the list shows a register’s shift with its cash difference, and its Z report adds up', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const till = await openTill(page.request, token, 10_000);
    const product = await createProduct(page.request, token, { price: 2_500 });
    await sell(page.request, token, till, [{ product, quantity: 2 }]);
    await moveCash(page.request, token, till.shiftId, 'pay_in', 1_000, 'Change from the bank');
    await moveCash(page.request, token, till.shiftId, 'pay_out', 300, 'Window cleaner');
    // Expected cash: 10,000 float + 5,000 sales + 1,000 in − 300 out = 15,700; 15,500 counted.
    await closeShift(page.request, token, till.shiftId, [{ method: 'cash', counted: 15_500 }]);

    await signIn(page, 'manager', '/shifts');
    await expect(page.getByRole('heading', { level: 1, name: /^(shifts|turnos)$/i })).toBeVisible();
    await page.getByLabel(/^(register|caja)$/i).selectOption(till.registerId);
    await expect(page).toHaveURL(new RegExp(`register_id=${till.registerId}`));
    const table = page.getByRole('table', { name: /^(shifts|turnos)$/i });
    await expect(table.getByRole('row')).toHaveCount(2);
    const row = table.getByRole('row').nth(1);
    await expect(row.getByText(/^(closed|cerrado)$/i)).toBeVisible();
    await expect(row.locator('[data-difference="short"]')).toContainText(/200/);
    await expectAccessible(page);

    await page.getByLabel(/^(status|estado)$/i).selectOption('open');
    await expect(page.getByText(/no shifts match|ningún turno coincide/i)).toBeVisible();
    await page.getByLabel(/^(status|estado)$/i).selectOption('closed');

    await table.getByRole('link', { name: till.registerCode }).click();
    await expect(page).toHaveURL(new RegExp(`/shifts/${till.shiftId}`));
    await expect(page.getByRole('heading', { level: 1, name: new RegExp(`(z report|informe z) · ${till.registerCode}`, 'i') })).toBeVisible();
    const drawer = page.getByRole('region', { name: /cash drawer|caja de efectivo/i });
    await expect(drawer).toContainText(/15[.,]700/);
    await expect(drawer).toContainText(/15[.,]500/);
    await expect(drawer.locator('[data-difference="short"]')).toContainText(/200/);
    const movements = page.getByRole('region', { name: /cash movements|movimientos de efectivo/i });
    await expect(movements).toContainText('Change from the bank');
    await expect(movements).toContainText('Window cleaner');
    const methods = page.getByRole('table', { name: /totals by payment method|totales por medio de pago/i });
    await expect(methods.getByRole('row', { name: /^(cash|efectivo)/i })).toContainText(/5[.,]000/);
    await expectAccessible(page);

    // Printing leaves only the report: the app's navigation and header are hidden on paper.
    await page.emulateMedia({ media: 'print' });
    await expect(page.getByRole('navigation', { name: /main|principal/i })).toBeHidden();
    await expect(page.getByRole('button', { name: /^(print|imprimir)$/i })).toBeHidden();
    await expect(drawer).toBeVisible();
  });

  test('an open shift shows as an X report, and the list reads well on a phone', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const till = await openTill(page.request, token);
    await signIn(page, 'manager', `/shifts?register_id=${till.registerId}`);
    await page.setViewportSize({ width: 375, height: 800 });
    const table = page.getByRole('table', { name: /^(shifts|turnos)$/i });
    await expect(table.getByRole('row').nth(1).getByText(/^(open|abierto)$/i)).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.goto(`/shifts/${till.shiftId}`);
    await expect(page.getByRole('heading', { level: 1, name: /(x report|informe x)/i })).toBeVisible();
    await expect(page.getByText(/still open|sigue abierto/i)).toBeVisible();
    await expect(page.getByText(/not counted yet|aún sin contar/i)).toBeVisible();
    await expectAccessible(page);
  });
});
