/**
 * Target 3: a sale's way from the API to the open dashboard's DOM, at a steady rate.
 *
 * Set-up (before the dashboard opens, so its summary knows them): a register of the bench's own
 * with an open shift and a product of its own with ample stock, made today's best seller by one
 * large sale (so the page can apply every sale of it without refetching). Then, with the
 * dashboard open,
 * Node rings up one-line cash sales (`POST /api/v1/sales`, each with its idempotency key) on a
 * fixed schedule (`rate` a second for `seconds`), not waiting for earlier answers.
 *
 * - Dashboard: a MutationObserver in the page records, at every change of the tickets figure,
 *   the count it shows and the time. The k-th sale's latency is the first time the count shows
 *   `start + k` minus the time of the k-th API answer (both in order of time: any k answered
 *   sales are k more tickets, whichever they are).
 * - Baseline, in the same run: a second page (its own context) holding only a bare WebSocket to
 *   `/ws` (auth, subscribe `sales`) records each `sale.created` as it arrives. Per sale: arrival
 *   minus its API answer (matched by sale id), and by count as for the dashboard.
 *
 * Both clocks are the machine's (`Date.now()` in Node, `timeOrigin + now()` in the pages). Also
 * kept: the event's own publication time (`at`), the dashboard page's REST calls and long tasks
 * during the run, the count it ends on against the server's, and for every summary it refetched
 * how many sales that summary held beyond those whose event was published by its `as_of` (the
 * page applies those events on top of it: a positive number is counted twice); then the same
 * check on summaries read from Node every 250 ms during 10 more seconds of sales.
 */
import { randomUUID } from 'node:crypto';
import { login, request } from './api.mjs';
import { freshPage, fillSignIn, watch } from './browser.mjs';
import { ratio, round, summary } from './stats.mjs';

const LEAD_UNITS = 200;

/**
 * A register (unique code) with an open shift, and a product with stock for every sale, already
 * today's best seller (one sale of `LEAD_UNITS`): the dashboard's summary then lists it, so the
 * page applies each of its sales exactly instead of refetching the summary when a product it
 * did not list starts selling (that path, and its race, are measured by `summaryRace`).
 */
export async function tillAndProduct(origin, token, { sales, price = 1_990 }) {
  const suffix = Date.now().toString(36).toUpperCase().slice(-6);
  const register = await request(origin, 'POST', '/api/v1/registers', { token, json: { code: `BW${suffix}`, name: `Bench till ${suffix}` } });
  await request(origin, 'POST', '/api/v1/shifts', { token, idempotent: true, json: { register_id: register.body.id, opening_float: 10_000 } });
  const sku = `BENCH-${suffix}`;
  const product = await request(origin, 'POST', '/api/v1/products', {
    token,
    json: { sku, name: `Bench product ${suffix}`, price, initial_stock: sales * 2 + LEAD_UNITS + 100 },
  });
  await request(origin, 'POST', '/api/v1/sales', {
    token,
    idempotent: true,
    json: { register_id: register.body.id, lines: [{ product_id: product.body.id, quantity: LEAD_UNITS }], payments: [{ method: 'cash', amount: price * LEAD_UNITS }] },
  });
  return { registerId: register.body.id, productId: product.body.id, price };
}

/** The bare WebSocket page: resolves once subscribed; its events are read with `events()`. */
async function bareSocket(browser, origin, token) {
  const { context, page } = await freshPage(browser, origin);
  // The SPA's HTML page with its scripts refused: the page's own policy lets it open a socket to
  // its origin (every other answer of the server carries `default-src 'none'`, which forbids it),
  // and nothing of the app runs beside the socket.
  await context.route('**/*.{js,mjs}', (route) => route.abort());
  await page.goto('/sign-in');
  await page.evaluate(
    ([url, accessToken]) =>
      new Promise((resolve, reject) => {
        const received = [];
        window.__bench.received = received;
        const socket = new WebSocket(url);
        socket.onopen = () => socket.send(JSON.stringify({ type: 'auth', token: accessToken }));
        socket.onerror = () => reject(new Error('socket error'));
        socket.onmessage = (message) => {
          const at = window.__bench.clock();
          const frame = JSON.parse(message.data);
          if (frame.type === 'ready') socket.send(JSON.stringify({ type: 'subscribe', topics: ['sales'] }));
          else if (frame.type === 'subscribed') resolve();
          else if (frame.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
          else if (frame.type === 'sale.created') received.push({ saleId: frame.data.sale_id, at, publishedAt: Date.parse(frame.at) });
        };
      }),
    [`${origin.replace('http', 'ws')}/ws`, token],
  );
  return { context, events: () => page.evaluate(() => window.__bench.received) };
}

/**
 * Record every change of the dashboard's tickets figure: `readTickets` (a self-contained
 * function run in the page) returns the number shown, or null.
 */
async function recordTickets(page, readTickets) {
  return page.evaluate((source) => {
    const read = new Function(`return (${source})();`);
    const changes = [];
    const longTasks = [];
    window.__bench.tickets = changes;
    window.__bench.longTasks = longTasks;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTasks.push({ at: performance.timeOrigin + entry.startTime, ms: entry.duration });
    }).observe({ type: 'longtask' });
    let last = read();
    new MutationObserver(() => {
      const count = read();
      if (count !== null && count !== last) {
        last = count;
        changes.push({ count, at: window.__bench.clock() });
      }
    }).observe(document, { subtree: true, childList: true, characterData: true });
    return last;
  }, readTickets.toString());
}

/** For k = 1…n: the first time `changes` show at least start + k, minus the k-th earliest `anchors`. */
function byCount(changes, start, anchors) {
  const sorted = [...anchors].sort((a, b) => a - b);
  const latencies = [];
  let cursor = 0;
  for (let k = 1; k <= sorted.length; k += 1) {
    while (cursor < changes.length && changes[cursor].count < start + k) cursor += 1;
    if (cursor === changes.length) break;
    latencies.push(changes[cursor].at - sorted[k - 1]);
  }
  return latencies;
}

/** `count` one-line cash sales at `rate` a second on a fixed schedule, not waiting for answers. */
async function ringUp(origin, token, till, rate, count) {
  const sales = [];
  const failures = [];
  const began = Date.now() + 200;
  const pending = [];
  for (let index = 0; index < count; index += 1) {
    const due = began + (index * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      request(origin, 'POST', '/api/v1/sales', {
        token,
        headers: { 'idempotency-key': randomUUID() },
        json: { register_id: till.registerId, lines: [{ product_id: till.productId, quantity: 1 }], payments: [{ method: 'cash', amount: till.price * 2 }] },
      }).then(
        (answer) => sales.push({ saleId: answer.body.id, sentAt: due, answeredAt: answer.receivedAt, ms: answer.ms }),
        (error) => failures.push(String(error.message).slice(0, 200)),
      ),
    );
  }
  await Promise.all(pending);
  return { sales, failures, offeredSeconds: (Date.now() - began) / 1000 };
}

/**
 * For each summary `{ asOf, tickets }`: how many sales it holds beyond `start` plus those whose
 * event was published by its `as_of` (the page applies every later event on top of it, so a
 * positive number is counted twice, a negative one never).
 */
function heldBeyond(summaries, events, start) {
  return summaries.map(({ asOf, tickets }) => {
    const publishedBy = events.filter((event) => event.publishedAt <= Date.parse(asOf)).length;
    return { as_of: asOf, tickets, sales_published_by_as_of: start + publishedBy, held_beyond_as_of: tickets - start - publishedBy };
  });
}

/**
 * The summary's consistency with the events under load: `seconds` more of sales at `rate`
 * while Node reads `GET /api/v1/reports/dashboard` every 250 ms, each read checked with
 * `heldBeyond` against the bare socket's events.
 */
async function summaryRace({ origin, token, till, rate, seconds, socket, start }) {
  const reads = [];
  let selling = true;
  const reader = (async () => {
    while (selling) {
      const { body } = await request(origin, 'GET', '/api/v1/reports/dashboard', { token });
      reads.push({ asOf: body.as_of, tickets: body.today.tickets });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  const { sales } = await ringUp(origin, token, till, rate, Math.round(rate * seconds));
  selling = false;
  await reader;
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const checked = heldBeyond(reads, await socket.events(), start);
  const doubled = checked.filter((read) => read.held_beyond_as_of > 0);
  return {
    seconds,
    sales: sales.length,
    summaries_read: checked.length,
    summaries_holding_sales_published_after_their_as_of: doubled.length,
    sales_so_held: doubled.reduce((sum, read) => sum + read.held_beyond_as_of, 0),
    summaries_missing_sales_published_by_their_as_of: checked.filter((read) => read.held_beyond_as_of < 0).length,
    examples: doubled.slice(0, 3),
  };
}

export async function measureLive({ browser, shop, rate, seconds, readTickets, dashboardReady }) {
  const total = Math.round(rate * seconds);
  const token = await login(shop.origin, shop.email, shop.password);
  const till = await tillAndProduct(shop.origin, token, { sales: total + rate * 10 });
  const socket = await bareSocket(browser, shop.origin, token);
  const { context, page } = await freshPage(browser, shop.origin);
  const apiCalls = [];
  const summaries = [];
  let live = false;
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (live && url.pathname.startsWith('/api/')) apiCalls.push(`${r.method()} ${url.pathname}`);
  });
  page.on('response', (response) => {
    if (live && new URL(response.url()).pathname === '/api/v1/reports/dashboard') {
      summaries.push(response.json().then((body) => ({ asOf: body.as_of, tickets: body.today.tickets }), () => null));
    }
  });
  try {
    const submit = await fillSignIn(page, shop.email, shop.password);
    const ready = await watch(page, dashboardReady);
    await submit.click();
    if ((await ready(30_000)) === null) throw new Error('the dashboard did not show its figures');
    await page.waitForTimeout(2_000); // the socket subscribes, the first refetches settle
    const start = await recordTickets(page, readTickets);
    if (start === null) throw new Error('the tickets figure could not be read');
    live = true;

    const { sales, failures, offeredSeconds } = await ringUp(shop.origin, token, till, rate, total);
    // Let the last events land (at most 30 s).
    const deadline = Date.now() + 30_000;
    let changes = [];
    let events = [];
    while (Date.now() < deadline) {
      changes = await page.evaluate(() => window.__bench.tickets);
      events = await socket.events();
      const shown = changes.length ? changes[changes.length - 1].count : start;
      if (shown >= start + sales.length && events.length >= sales.length) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    live = false;
    const longTasks = await page.evaluate(() => window.__bench.longTasks);
    const truth = (await request(shop.origin, 'GET', '/api/v1/reports/dashboard', { token })).body.today.tickets;
    // A refetched summary holds `tickets`; the page then applies every event published after
    // its `as_of`. Sales it holds beyond those published by `as_of` are counted twice.
    const refetched = heldBeyond((await Promise.all(summaries)).filter(Boolean), events, start);
    const race = await summaryRace({ origin: shop.origin, token, till, rate, seconds: 10, socket, start });
    race.dashboard_tickets_after = await page.evaluate((source) => new Function(`return (${source})();`)(), readTickets.toString());
    race.server_tickets_after = (await request(shop.origin, 'GET', '/api/v1/reports/dashboard', { token })).body.today.tickets;

    const answered = new Map(sales.map((sale) => [sale.saleId, sale]));
    const answers = sales.map((sale) => sale.answeredAt);
    const dashboard = byCount(changes, start, answers);
    const dashboardFromPublication = byCount(changes, start, events.map((e) => e.publishedAt));
    const socketPerSale = events.filter((e) => answered.has(e.saleId)).map((e) => e.at - answered.get(e.saleId).answeredAt);
    const socketByCount = byCount(events.map((e, k) => ({ count: k + 1, at: e.at })), 0, answers);
    const socketFromPublication = events.map((e) => e.at - e.publishedAt);
    const dashboardSummary = summary(dashboard);
    const socketSummary = summary(socketByCount);
    return {
      target_p95_ms: 250,
      rate_per_s: rate,
      seconds,
      sales_sent: total,
      sales_answered: sales.length,
      failures: failures.slice(0, 5),
      failures_count: failures.length,
      offered_rate_per_s: round(total / offeredSeconds, 1),
      api_answer_ms: summary(sales.map((sale) => sale.ms)),
      dashboard_updates: changes.length,
      tickets_shown_at_end: changes.length ? changes[changes.length - 1].count : start,
      tickets_expected_at_end: start + sales.length,
      tickets_of_the_server_at_end: truth,
      summaries_refetched_during_run: refetched,
      dashboard_ms: dashboardSummary,
      bare_socket_ms: socketSummary,
      ratio_p50: ratio(dashboardSummary.p50, socketSummary.p50),
      ratio_p95: ratio(dashboardSummary.p95, socketSummary.p95),
      bare_socket_per_sale_ms: summary(socketPerSale),
      from_publication: { dashboard_ms: summary(dashboardFromPublication), bare_socket_ms: summary(socketFromPublication) },
      dashboard_rest_calls_during_run: Object.entries(apiCalls.reduce((counts, call) => ({ ...counts, [call]: (counts[call] ?? 0) + 1 }), {})).map(
        ([call, count]) => `${count} × ${call}`,
      ),
      summary_consistency_under_sales: race,
      dashboard_long_tasks: { count: longTasks.length, total_ms: round(longTasks.reduce((sum, t) => sum + t.ms, 0)), longest_ms: round(Math.max(0, ...longTasks.map((t) => t.ms))) },
    };
  } finally {
    await context.close();
    await socket.context.close();
  }
}
