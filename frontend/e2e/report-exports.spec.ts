/**
 * Report exports: a period longer than three months is exported as a job. The screen shows the
 * export's state from the `reports` topic (and its REST twin), then downloads the file, which
 * holds the same rows as the report's own CSV.
 */
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { apiToken, bearer, expectAccessible, signIn } from './fixtures';
import { todayIn } from './selling';

function daysBefore(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() - days);
  return date.toISOString().slice(0, 10);
}

test('sales by day over six months is exported in the background and downloaded when ready', async ({ page }) => {
  const token = await apiToken(page.request, 'manager');
  const organization = (await (await page.request.get('/api/v1/organization', { headers: bearer(token) })).json()) as { time_zone: string };
  const to = todayIn(organization.time_zone);
  const from = daysBefore(to, 179);

  await signIn(page, 'manager', `/reports?report=sales-by-day&from=${from}&to=${to}`);
  await expect(page.getByRole('table', { name: /sales by day|ventas por día/i })).toBeVisible();
  await expect(page.getByText(/prepared in the background|se preparan en segundo plano/i)).toBeVisible();
  await page.getByRole('button', { name: /download csv|descargar csv/i }).click();

  const status = page.getByTestId('report-export');
  await expect(status).toBeVisible();
  await expect(status).toContainText(/csv ready: 180 rows|csv listo: 180 filas/i, { timeout: 30_000 });
  await expectAccessible(page);

  const [download] = await Promise.all([page.waitForEvent('download'), status.getByRole('button', { name: /^(download|descargar)$/i }).click()]);
  expect(download.suggestedFilename()).toBe(`sales-by-day_${from}_to_${to}.csv`);
  const text = (await readFile(await download.path(), 'utf8')).replace(/^\ufeff/, '');
  const [header, ...rows] = text.trim().split(/\r?\n/);
  expect(header).toBe('day,sales_count,items,gross,discounts,tax,total,net,refunds_count,refunds');
  expect(rows).toHaveLength(180);
  expect(rows[0].startsWith(`${from},`)).toBe(true);

  const exports = (await (await page.request.get('/api/v1/reports/exports', { headers: bearer(token) })).json()) as { items: { status: string; rows: number; filename: string }[] };
  expect(exports.items[0]).toMatchObject({ status: 'ready', rows: 180, filename: download.suggestedFilename() });

  // A short period keeps the direct download: no export is queued for it.
  await page.getByLabel(/^(period|período)$/i).selectOption('last7');
  await expect(page.getByText(/prepared in the background|se preparan en segundo plano/i)).toHaveCount(0);
  const [direct] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /download csv|descargar csv/i }).click()]);
  expect(direct.suggestedFilename()).toMatch(/^sales-by-day_.*\.csv$/);
  const after = (await (await page.request.get('/api/v1/reports/exports', { headers: bearer(token) })).json()) as { items: unknown[] };
  expect(after.items).toHaveLength(exports.items.length);
});
