import { expect, test, type APIRequestContext, type Page, type WebSocketRoute } from '@playwright/test';
import { apiToken, bearer, expectAccessible, signIn } from './fixtures';
import { createProduct, openTill, pushOfflineSale, registerDevice, sell, type TestProduct, type Till } from './selling';

const TICKETS = /^(tickets|boletas)$/i;
const REVENUE = /^(today’s revenue|ingresos de hoy)$/i;
const SUMMARY_PATH = '/api/v1/reports/dashboard';

/** A figure of the dashboard's headline cards, as a number (money in minor units for CLP). */
async function kpi(page: Page, name: RegExp): Promise<number> {
  const text = await page.getByRole('region', { name }).locator('[data-kpi-value]').innerText();
  return Number(text.replace(/[^\d-]/g, ''));
}

interface Summary {
  top_products: { product_id: string; name: string; revenue: number }[];
}

/**
 * A product the dashboard's summary lists among today's best sellers, so that the page applies
 * every later sale of it by itself (no refetch needed to know its place): one of the shop's own
 * best sellers with stock to sell, or else a product of the test's own sold once before the page
 * loads (priced just above the last best seller, so it is listed).
 */
async function listedBestSeller(request: APIRequestContext, token: string, till: Till): Promise<TestProduct> {
  const summary = (await (await request.get(SUMMARY_PATH, { headers: bearer(token) })).json()) as Summary;
  for (const listed of summary.top_products) {
    if (listed.name.startsWith('Test product')) continue;
    const product = (await (await request.get(`/api/v1/products/${listed.product_id}`, { headers: bearer(token) })).json()) as TestProduct & { stock: number; is_active: boolean };
    if (product.is_active && product.stock >= 10) return product;
  }
  const last = summary.top_products.length >= 5 ? summary.top_products[summary.top_products.length - 1].revenue : 0;
  const product = await createProduct(request, token, { price: Math.max(1_990, last + 1) });
  await sell(request, token, till, [{ product, quantity: 1 }]);
  return product;
}

/** Counts the page's summary requests: live updates must not refetch it per event. */
function countSummaries(page: Page): { count: number } {
  const counter = { count: 0 };
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === SUMMARY_PATH) counter.count += 1;
  });
  return counter;
}

/** The units sold today of a best seller, as the dashboard shows them. */
function bestSellerUnits(page: Page, product: TestProduct) {
  return page.getByRole('region', { name: /best sellers|más vendidos/i }).getByRole('listitem').filter({ hasText: product.name }).locator('[data-units]');
}

const units = (count: number) => new RegExp(`^${count} (unit|unidad)`);

/** The units a best seller shows now (once it shows). */
async function unitsNow(row: ReturnType<typeof bestSellerUnits>): Promise<number> {
  await expect(row).toHaveText(/\d/);
  return Number((await row.innerText()).replace(/[^\d]/g, ''));
}

test.describe('live dashboard', () => {
  test('a sale made through the API shows at once, without a reload or a refetch', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const till = await openTill(page.request, token);
    const product = await listedBestSeller(page.request, token, till);
    const summaries = countSummaries(page);

    await signIn(page, 'manager');
    await expect(page.getByRole('heading', { level: 1, name: /^(dashboard|panel)$/i })).toBeVisible();
    const row = bestSellerUnits(page, product);
    await expect(page.locator('header [data-connection="live"]')).toBeVisible();
    const sold = await unitsNow(row);
    const tickets = await kpi(page, TICKETS);
    const revenue = await kpi(page, REVENUE);

    const sale = await sell(page.request, token, till, [{ product, quantity: 2 }]);
    await expect(row).toHaveText(units(sold + 2), { timeout: 2_000 });
    await expect.poll(() => kpi(page, TICKETS)).toBeGreaterThanOrEqual(tickets + 1);
    await expect.poll(() => kpi(page, REVENUE)).toBeGreaterThanOrEqual(revenue + sale.total);
    expect(summaries.count).toBe(1);
    await expectAccessible(page);
  });

  test('an offline sale pushed through sync shows, and its conflict is resolved from the inbox', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const till = await openTill(page.request, token);
    const product = await listedBestSeller(page.request, token, till);
    // The device numbers its own register's invoices: a till of its own, so no number collides.
    const offlineTill = await openTill(page.request, token);
    const device = await registerDevice(page.request, token, offlineTill);
    const me = (await (await page.request.get('/api/v1/me', { headers: bearer(token) })).json()) as { user: { id: string } };

    await signIn(page, 'manager');
    const row = bestSellerUnits(page, product);
    await expect(page.locator('header [data-connection="live"]')).toBeVisible();
    const sold = await unitsNow(row);
    const tickets = await kpi(page, TICKETS);

    // The till charged less than the catalog price: the sale stands, and a conflict is filed.
    const pushed = await pushOfflineSale(page.request, token, device, offlineTill, { product, quantity: 1, unitPrice: product.price > 1 ? product.price - 1 : product.price + 1, cashierId: me.user.id });
    expect(pushed.status).toBe('applied_with_conflict');
    await expect(row).toHaveText(units(sold + 1), { timeout: 2_000 });
    await expect.poll(() => kpi(page, TICKETS)).toBeGreaterThanOrEqual(tickets + 1);

    const inbox = page.getByRole('region', { name: /conflict inbox|bandeja de conflictos/i });
    const conflict = inbox.getByRole('listitem').filter({ has: page.locator(`a[href="/sales/${pushed.saleId}"]`) });
    await expect(conflict).toContainText(/sold at another price|vendido a otro precio/i);
    await conflict.getByRole('button', { name: /resolve|resolver/i }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('radio', { name: /acknowledge|dar por revisado/i })).toBeChecked();
    await expectAccessible(page);
    await dialog.getByRole('button', { name: /^(acknowledge|dar por revisado)$/i }).click();
    await expect(dialog).toBeHidden();
    await expect(conflict).toHaveCount(0);
    const stored = (await (await page.request.get('/api/v1/sync/conflicts?status=open&limit=200', { headers: bearer(token) })).json()) as { items: { sale_id: string }[] };
    expect(stored.items.some((item) => item.sale_id === pushed.saleId)).toBe(false);
  });

  test('after a lost connection the dashboard says it is behind, then catches up on both sales by replay', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const till = await openTill(page.request, token);
    const product = await listedBestSeller(page.request, token, till);

    // Every /ws connection of the page goes through the test, which can cut it and refuse new ones.
    let blocked = false;
    const open: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
    await page.routeWebSocket('**/ws', (socket) => {
      if (blocked) {
        void socket.close({ code: 1013, reason: 'held off by the test' });
        return;
      }
      open.push({ page: socket, server: socket.connectToServer() });
    });
    const summaries = countSummaries(page);

    await signIn(page, 'manager');
    const row = bestSellerUnits(page, product);
    await expect(page.locator('header [data-connection="live"]')).toBeVisible();
    await expect(page.locator('[data-stale]')).toHaveCount(0);
    const sold = await unitsNow(row);

    blocked = true;
    for (const socket of open.splice(0)) {
      await socket.server.close();
      await socket.page.close({ code: 1012, reason: 'cut by the test' });
    }
    await expect(page.locator('[data-stale]')).toBeVisible();
    await sell(page.request, token, till, [{ product, quantity: 1 }]);
    await sell(page.request, token, till, [{ product, quantity: 1 }]);
    await expect(row).toHaveText(units(sold));

    blocked = false;
    await expect(row).toHaveText(units(sold + 2), { timeout: 15_000 });
    await expect(page.locator('[data-stale]')).toHaveCount(0);
    expect(summaries.count).toBe(1);
  });

  test('a register goes online and offline with its till’s connection', async ({ page, context }) => {
    const token = await apiToken(page.request, 'manager');
    const till = await openTill(page.request, token);
    await signIn(page, 'manager');
    const register = page.locator(`[data-register="${till.registerCode}"]`);
    await expect(page.locator('header [data-connection="live"]')).toBeVisible();

    // A till: a socket that declares its register.
    const pos = await context.newPage();
    await pos.goto('/sign-in');
    await pos.evaluate(
      ({ token: access, registerId }) =>
        new Promise<void>((resolve, reject) => {
          const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
          socket.onopen = () => socket.send(JSON.stringify({ type: 'auth', token: access, register_id: registerId }));
          socket.onmessage = (message) => {
            if (JSON.parse(String(message.data)).type === 'ready') resolve();
          };
          socket.onclose = () => reject(new Error('the till socket closed'));
        }),
      { token, registerId: till.registerId },
    );
    await expect(register).toContainText(/online|en línea/i);
    await expect(register).not.toContainText(/never connected|nunca se conectó/i);
    await pos.close();
    await expect(register).toContainText(/offline|desconectada/i, { timeout: 15_000 });
  });

  test('the dashboard reads well on a phone', async ({ page }) => {
    await signIn(page, 'manager');
    await expect(page.getByRole('region', { name: TICKETS })).toBeVisible();
    await page.setViewportSize({ width: 375, height: 800 });
    await expect(page.getByRole('region', { name: /sales by hour|ventas por hora/i }).locator('canvas').first()).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const chart = await page.getByRole('region', { name: /sales by hour|ventas por hora/i }).boundingBox();
    expect(chart?.width ?? 0).toBeLessThanOrEqual(375);
    await expectAccessible(page);
  });
});
