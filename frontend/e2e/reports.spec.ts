/**
 * Reports: a report and a period chosen in the form (and kept in the URL), the chart and the
 * table with totals, the CSV of the same rows, the empty state, other reports as bars, and the
 * screen on a phone.
 */
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, signIn } from './fixtures';

async function noHorizontalOverflow(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

test.describe('reports', () => {
  test('sales by day over the last 7 days: chart, table with totals, and its CSV', async ({ page }) => {
    await signIn(page, 'manager', '/reports');
    await page.getByLabel(/^(report|informe)$/i).selectOption('sales-by-day');
    await page.getByLabel(/^(period|período)$/i).selectOption('last7');
    await expect(page).toHaveURL(/report=sales-by-day/);
    await expect(page).toHaveURL(/from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}|to=\d{4}-\d{2}-\d{2}.*from=/);

    const chart = page.getByTestId('report-chart');
    await expect(chart.locator('.recharts-wrapper > svg.recharts-surface')).toBeVisible();
    await expect(chart.locator('.recharts-line-curve')).toBeVisible();
    const table = page.getByRole('table', { name: /sales by day|ventas por día/i });
    // The header row, one row per day of the 7, and the totals row.
    await expect(table.getByRole('row')).toHaveCount(9);
    await expect(table.locator('tfoot')).toContainText(/totals|totales/i);
    await expect(table.locator('tfoot')).toContainText(/CLP|\$/);
    await expectAccessible(page);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /download csv|descargar csv/i }).click()]);
    expect(download.suggestedFilename()).toMatch(/^sales-by-day_.*\.csv$/);
    const text = (await readFile(await download.path(), 'utf8')).replace(/^\ufeff/, '');
    const [header, ...rows] = text.trim().split(/\r?\n/);
    expect(header).toBe('day,sales_count,items,gross,discounts,tax,total,net,refunds_count,refunds');
    expect(rows).toHaveLength(7);
  });

  test('a period without sales shows the empty state; a reversed one is refused at the field', async ({ page }) => {
    await signIn(page, 'manager', '/reports?report=sales-by-day&from=2001-01-01&to=2001-01-07');
    await expect(page.getByText(/nothing was sold in this period|no se vendió nada en este período/i)).toBeVisible();
    await expect(page.getByTestId('report-chart')).toHaveCount(0);
    await expectAccessible(page);

    await page.goto('/reports?report=sales-by-day&from=2026-03-10&to=2026-03-01');
    await expect(page.getByLabel(/^(period|período)$/i)).toHaveValue('custom');
    await expect(page.getByRole('alert')).toContainText(/must not be after|no puede ser posterior/i);
    await expect(page.getByRole('button', { name: /download csv|descargar csv/i })).toBeDisabled();
  });

  test('categories and payment methods as bars, top products by revenue, a custom period', async ({ page }) => {
    await signIn(page, 'manager', '/reports?report=sales-by-category');
    const chart = page.getByTestId('report-chart');
    await expect(chart.locator('.recharts-bar-rectangle').first()).toBeVisible();
    await expectAccessible(page);

    await page.getByLabel(/^(report|informe)$/i).selectOption('sales-by-payment-method');
    await expect(page.getByRole('table', { name: /payment method|medio de pago/i })).toContainText(/cash|efectivo/i);
    await expect(chart.locator('.recharts-bar-rectangle').first()).toBeVisible();

    await page.getByLabel(/^(report|informe)$/i).selectOption('top-products');
    await page.getByLabel(/^(rank by|ordenar por)$/i).selectOption('revenue');
    await expect(page).toHaveURL(/by=revenue/);
    await expect(page.getByRole('table', { name: /top products|más vendidos/i }).getByRole('row').nth(1)).toBeVisible();

    await page.getByLabel(/^(period|período)$/i).selectOption('custom');
    await page.getByLabel(/^(from|desde)$/i).fill('2026-01-01');
    await expect(page).toHaveURL(/from=2026-01-01/);
    await expectAccessible(page);
  });

  test('on a phone the page does not scroll sideways; the table scrolls in its card', async ({ page }) => {
    await signIn(page, 'manager', '/reports?report=sales-by-day');
    await page.setViewportSize({ width: 375, height: 800 });
    await expect(page.getByTestId('report-chart').locator('.recharts-wrapper > svg.recharts-surface')).toBeVisible();
    await expect(page.getByRole('table', { name: /sales by day|ventas por día/i })).toBeVisible();
    await noHorizontalOverflow(page);
    await page.getByLabel(/^(report|informe)$/i).selectOption('inventory-valuation');
    await expect(page.getByRole('table', { name: /inventory valuation|valorización/i })).toBeVisible();
    await expect(page.getByLabel(/^(period|período)$/i)).toHaveCount(0);
    await noHorizontalOverflow(page);
    await expectAccessible(page);
  });
});
