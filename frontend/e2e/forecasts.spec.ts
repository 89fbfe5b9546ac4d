/**
 * Forecasts: a run started from the screen, watched live (its progress from the `predictions`
 * topic) until it completes, and a failed run reported; a product's sales and forecast chart with its backtest; the reorder
 * suggestions with their filters and the purchase list as CSV; each screen checked by axe and at
 * a phone's width. Runs are made through the real worker; a test that needs a finished run makes
 * one through the API when the shop has none, so no test depends on another.
 */
import { readFile } from 'node:fs/promises';
import { expect, test, type APIRequestContext, type Page, type WebSocketRoute } from '@playwright/test';
import { apiToken, bearer, expectAccessible, signIn } from './fixtures';

const RUN_TIMEOUT = 150_000;

interface Run {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
}

async function latestRuns(request: APIRequestContext, token: string): Promise<Run[]> {
  const response = await request.get('/api/v1/forecasts/runs?limit=5', { headers: bearer(token) });
  expect(response.ok()).toBeTruthy();
  return ((await response.json()) as { items: Run[] }).items;
}

/** Wait until the shop has no queued or running run (another suite or the nightly one may). */
async function waitForNoActiveRun(request: APIRequestContext, token: string): Promise<void> {
  await expect
    .poll(async () => (await latestRuns(request, token)).some((run) => run.status === 'queued' || run.status === 'running'), { timeout: RUN_TIMEOUT, intervals: [1000] })
    .toBe(false);
}

/** A succeeded run exists (made now through the API if the shop has none yet). */
async function ensureForecast(request: APIRequestContext): Promise<string> {
  const token = await apiToken(request, 'manager');
  await waitForNoActiveRun(request, token);
  if (!(await latestRuns(request, token)).some((run) => run.status === 'succeeded')) {
    const created = await request.post('/api/v1/forecasts/runs', { headers: bearer(token), data: { horizon_days: 14 } });
    expect(created.status()).toBe(202);
    const { id } = (await created.json()) as Run;
    await expect.poll(async () => (await latestRuns(request, token)).find((run) => run.id === id)?.status, { timeout: RUN_TIMEOUT, intervals: [1000] }).toBe('succeeded');
  }
  return token;
}

async function noHorizontalOverflow(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

test.describe('forecasts', () => {
  test('a run started from the screen shows its progress live, then its completion', async ({ page, request }) => {
    test.setTimeout(RUN_TIMEOUT + 60_000);
    await waitForNoActiveRun(request, await apiToken(request, 'manager'));
    await signIn(page, 'manager', '/forecasts?tab=runs');
    await expect(page.locator('[data-connection="live"]')).toBeAttached({ timeout: 20_000 });
    await expectAccessible(page);

    // A run of the demo shop can take less than a second: record what the progress bar showed
    // on every change of the page, rather than hoping to catch it between two polls.
    await page.evaluate(() => {
      const seen = { card: false, progress: 0 };
      (window as unknown as { runSeen: typeof seen }).runSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('[data-testid="run-progress"] [role="progressbar"]');
        if (!bar) return;
        seen.card = true;
        seen.progress = Math.max(seen.progress, Number(bar.getAttribute('aria-valuenow') ?? 0));
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });

    await page.getByRole('button', { name: /start a run|iniciar una ejecución/i }).click();
    const dialog = page.getByRole('dialog', { name: /start a forecast run|iniciar una ejecución de pronóstico/i });
    await dialog.getByLabel(/days to forecast|días a pronosticar/i).fill('7');
    await expectAccessible(page);
    const [response] = await Promise.all([
      page.waitForResponse((answer) => answer.url().endsWith('/api/v1/forecasts/runs') && answer.request().method() === 'POST'),
      dialog.getByRole('button', { name: /start a run|iniciar una ejecución/i }).click(),
    ]);
    expect(response.status()).toBe(202);
    const run = (await response.json()) as Run;
    await expect(dialog).toBeHidden();

    await expect(page.getByText(/forecast run finished|ejecución de pronóstico terminada/i).first()).toBeVisible({ timeout: RUN_TIMEOUT });
    const table = page.getByRole('table', { name: /forecast runs|ejecuciones de pronóstico/i });
    await expect(table.getByRole('row').nth(1)).toContainText(/succeeded|terminada/i);
    await expect(page.getByTestId('run-progress')).toHaveCount(0);
    const seen = await page.evaluate(() => (window as unknown as { runSeen: { card: boolean; progress: number } }).runSeen);
    expect(seen.card).toBe(true);
    expect(seen.progress).toBeGreaterThan(0);
    const token = await apiToken(request, 'manager');
    expect((await latestRuns(request, token)).find((item) => item.id === run.id)?.status).toBe('succeeded');
    await expectAccessible(page);
  });

  test('a run that fails is reported: a toast and its error above the list', async ({ page, request }) => {
    test.setTimeout(RUN_TIMEOUT + 60_000);
    const token = await ensureForecast(request);
    const [newest] = await latestRuns(request, token);
    // The real worker does not fail on demand: the socket to the real server is kept, and the
    // failure event of the newest run is added to what the page receives, as the server sends it.
    let socket: WebSocketRoute | undefined;
    await page.routeWebSocket(/\/ws$/, (route) => {
      socket = route;
      route.connectToServer();
    });
    await signIn(page, 'manager', '/forecasts?tab=runs');
    await expect(page.locator('[data-connection="live"]')).toBeAttached({ timeout: 20_000 });
    await expect(page.getByRole('table', { name: /forecast runs|ejecuciones de pronóstico/i })).toBeVisible();
    const error = 'ValueError: the history could not be read';
    socket?.send(
      JSON.stringify({ v: 1, id: `${Date.now() + 60_000}-0`, topic: 'predictions', type: 'forecast.failed', at: new Date().toISOString(), data: { run_id: newest.id, error } }),
    );
    await expect(page.getByText(/the forecast run failed|la ejecución de pronóstico falló/i).first()).toBeVisible();
    const alert = page.getByRole('alert').filter({ hasText: /the last run failed|la última ejecución falló/i });
    await expect(alert).toContainText(error);
    await expect(page.getByRole('button', { name: /start a run|iniciar una ejecución/i })).toBeEnabled();
    await expectAccessible(page);
  });

  test("a product's sales and forecast as a chart, with its backtest against the baselines", async ({ page, request }) => {
    test.setTimeout(RUN_TIMEOUT + 60_000);
    const token = await ensureForecast(request);
    const suggestions = await request.get('/api/v1/reorder-suggestions?limit=200', { headers: bearer(token) });
    const items = ((await suggestions.json()) as { items: { product_id: string; name: string; sku: string; run_id: string; lead_time_demand: number }[] }).items;
    const product = items.reduce((best, item) => (item.lead_time_demand > best.lead_time_demand ? item : best));
    const scored = await request.get(`/api/v1/forecasts/runs/${product.run_id}/evaluations?product_id=${product.product_id}`, { headers: bearer(token) });
    const rows = ((await scored.json()) as { items: { method: string; weight: number | null }[] }).items;
    const evaluations = rows.length;
    const mix = rows.filter((row) => row.method !== 'combination' && row.weight !== null && row.weight > 0);

    await signIn(page, 'manager', '/forecasts?tab=product');
    await expect(page.getByText(/choose a product|elige un producto/i)).toBeVisible();
    const combobox = page.getByRole('combobox', { name: /product|producto/i });
    await combobox.fill(product.sku);
    await page.getByRole('listbox').getByRole('option', { name: new RegExp(product.sku) }).click();
    await expect(page).toHaveURL(new RegExp(`product_id=${product.product_id}`));
    const chosen = page.getByRole('group', { name: /product|producto/i });
    await expect(chosen).toContainText(product.name);

    const chart = page.getByTestId('forecast-chart');
    await expect(chart.locator('.recharts-wrapper > svg.recharts-surface')).toBeVisible();
    await expect(chart.locator('.recharts-area-area').first()).toBeVisible();
    await expect(chart.locator('.recharts-line-curve').first()).toBeVisible();
    await expect(chart).toContainText(/80 %/);
    await expect(chart).toContainText(/95 %/);
    const backtest = page.getByRole('table', { name: /backtest scores|puntajes de evaluación/i });
    if (evaluations > 0) {
      // One row per method the run scored on this product, the chosen one marked.
      await expect(backtest.locator('tbody tr')).toHaveCount(evaluations);
      await expect(backtest).toContainText(/chosen|elegido/i);
      // Why the product got this forecast: the combination it is served, each method's share of
      // it as stored by the run, and the combination's backtest score.
      expect(mix.length).toBeGreaterThan(0);
      const explained = page.getByTestId('method-mix');
      await expect(explained.getByRole('heading', { name: /how this forecast is made|cómo se hace este pronóstico/i })).toBeVisible();
      await expect(explained.getByRole('listitem')).toHaveCount(mix.length);
      const shares = (await explained.getByRole('listitem').allInnerTexts()).map((text) => Number(/(\d+)\s*%/.exec(text)?.[1]));
      const stored = [...mix].sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0)).map((row) => Math.round((row.weight ?? 0) * 100));
      expect(shares).toEqual(stored);
      await expect(explained).toContainText(/MASE/);
      await expect(page.getByText(/forecast by: combination of methods|pronosticado con: combinación de métodos/i)).toBeVisible();
    } else {
      // A shop with too little history for a backtest (under 175 days) says so.
      await expect(page.getByText(/no backtest scores|no tiene puntajes/i)).toBeVisible();
    }
    await expectAccessible(page);

    // The keyboard works the combobox too: clear the choice, then search and pick with the keys.
    await chosen.getByRole('button').click();
    await expect(page).not.toHaveURL(/product_id=/);
    const matches = page.getByRole('listbox');
    await combobox.fill(product.sku);
    await expect(matches.getByRole('option').first()).toBeVisible();
    await combobox.press('ArrowDown');
    await combobox.press('Enter');
    await expect(page).toHaveURL(new RegExp(`product_id=${product.product_id}`));
    await expect(chosen).toContainText(product.name);

    await page.setViewportSize({ width: 375, height: 800 });
    await expect(chart.locator('.recharts-wrapper > svg.recharts-surface')).toBeVisible();
    await noHorizontalOverflow(page);
  });

  test('reorder suggestions: filters, a product opens its forecast, and the purchase list as CSV', async ({ page, request }) => {
    test.setTimeout(RUN_TIMEOUT + 60_000);
    const token = await ensureForecast(request);
    const atRisk = await request.get('/api/v1/reorder-suggestions?at_risk=true&limit=200', { headers: bearer(token) });
    const alerts = ((await atRisk.json()) as { items: unknown[] }).items.length;
    await signIn(page, 'manager', '/forecasts?tab=reorder');
    const table = page.getByRole('table', { name: /reorder suggestions|sugerencias de reposición/i });
    await expect(table.locator('tbody tr').first()).toBeVisible();
    await expectAccessible(page);

    await page.getByLabel(/only products that run out|solo productos que se agotan/i).check();
    await expect(page).toHaveURL(/alert=true/);
    if (alerts > 0) {
      await expect(table.locator('tbody tr')).toHaveCount(Math.min(alerts, 50));
      await expect(table.locator('tbody tr').first()).toContainText(/runs out first|se agota antes/i);
    } else {
      await expect(page.getByText(/no product matches|ningún producto coincide/i)).toBeVisible();
    }

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /download purchase list|descargar lista de compras/i }).click()]);
    expect(download.suggestedFilename()).toBe('reorder-suggestions.csv');
    const text = (await readFile(await download.path(), 'utf8')).replace(/^\ufeff/, '');
    const [header, ...rows] = text.trim().split(/\r?\n/);
    expect(header).toBe('product_id,sku,name,stock,lead_time_days,lead_time_demand,safety_stock,reorder_level,suggested_quantity,runout_date,runs_out_within_lead_time,order_by_date,model,run_id');
    // The same filter as on screen: only products that run out within their lead time.
    expect(rows.length > 0).toBe(alerts > 0);
    expect(rows.every((row) => row.includes(',yes,'))).toBe(true);

    await page.getByLabel(/only products that run out|solo productos que se agotan/i).uncheck();
    const first = table.locator('tbody tr').first().getByRole('link');
    const name = (await first.textContent()) ?? '';
    await page.getByLabel(/search products|buscar productos/i).fill(name.slice(0, 12));
    await expect(page).toHaveURL(/q=/);
    await expect(table.locator('tbody tr').first()).toContainText(name.slice(0, 12));

    await page.setViewportSize({ width: 375, height: 800 });
    await noHorizontalOverflow(page);
    await table.locator('tbody tr').first().getByRole('link').click();
    await expect(page).toHaveURL(/tab=product/);
    await expect(page.getByTestId('forecast-chart').locator('.recharts-wrapper > svg.recharts-surface')).toBeVisible();
  });
});
