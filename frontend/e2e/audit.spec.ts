import { expect, test } from '@playwright/test';
import { apiToken, bearer, expectAccessible, signIn } from './fixtures';

/** The calendar date of an instant in a time zone, `YYYY-MM-DD`. */
function dayIn(timeZone: string, instant: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

test.describe('audit log', () => {
  test('an admin filters by entity and opens what a change did', async ({ page }) => {
    const token = await apiToken(page.request, 'admin');
    const code = `A${Date.now().toString(36).toUpperCase().slice(-7)}`;
    const register = await (await page.request.post('/api/v1/registers', { headers: bearer(token), data: { code, name: `Before ${code}` } })).json();
    const renamed = await page.request.patch(`/api/v1/registers/${register.id}`, { headers: bearer(token), data: { name: `After ${code}` } });
    expect(renamed.status()).toBe(200);
    const me = await (await page.request.get('/api/v1/me', { headers: bearer(token) })).json();
    const timeZone: string = me.organization.time_zone;

    await signIn(page, 'admin', '/audit');
    await expect(page.getByRole('heading', { level: 1, name: /audit log|auditoría/i })).toBeVisible();
    await expectAccessible(page);
    await page.getByLabel(/^(entity type|tipo de entidad)$/i).selectOption('register');
    await expect(page).toHaveURL(/entity_type=register/);
    await page.getByRole('textbox', { name: /^(entity id|id de la entidad)$/i }).fill(register.id);
    await page.getByRole('textbox', { name: /^(entity id|id de la entidad)$/i }).press('Enter');
    await expect(page).toHaveURL(new RegExp(`entity_id=${register.id}`));
    const table = page.getByRole('table', { name: /audit entries|registros de auditoría/i });
    await expect(table.getByRole('row')).toHaveCount(3);
    await expect(table.getByRole('row').nth(1)).toContainText('register.updated');
    await expect(table.getByRole('row').nth(2)).toContainText('register.created');

    // The shop's today holds both entries; a range that ended yesterday holds none.
    const today = dayIn(timeZone, new Date());
    await page.getByLabel(/^(from|desde)$/i).fill(today);
    await page.getByLabel(/^(to|hasta)$/i).fill(today);
    await expect(table.getByRole('row')).toHaveCount(3);
    const yesterday = dayIn(timeZone, new Date(Date.now() - 36 * 3600_000));
    await page.getByLabel(/^(from|desde)$/i).fill(yesterday);
    await page.getByLabel(/^(to|hasta)$/i).fill(yesterday);
    await expect(page.getByText(/no entries match|ningún registro coincide/i)).toBeVisible();
    await page.getByLabel(/^(to|hasta)$/i).fill(today);
    await expect(table.getByRole('row')).toHaveCount(3);

    await page.getByLabel(/^(who|quién)$/i).selectOption({ label: me.user.full_name });
    await expect(table.getByRole('row')).toHaveCount(3);

    await table.getByRole('row').nth(1).getByRole('button', { name: /view changes|ver cambios/i }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('heading', { name: /register\.updated/ })).toBeVisible();
    const changed = dialog.locator('tr[data-change="changed"]');
    await expect(changed).toHaveCount(1);
    await expect(changed).toContainText('name');
    await expect(changed).toContainText(`Before ${code}`);
    await expect(changed).toContainText(`After ${code}`);
    await expect(changed).toContainText(/changed|cambió/i);
    await expect(dialog.locator('tr[data-change="unchanged"]')).toContainText('is_active');
    await expectAccessible(page);
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();

    await table.getByRole('row').nth(2).getByRole('button', { name: /view changes|ver cambios/i }).click();
    await expect(page.getByRole('dialog').locator('tr[data-change="added"]').first()).toBeVisible();
  });

  test('the log reads on a phone', async ({ page }) => {
    await signIn(page, 'admin', '/audit');
    await page.setViewportSize({ width: 375, height: 800 });
    await expect(page.getByRole('table', { name: /audit entries|registros de auditoría/i })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expectAccessible(page);
  });
});
