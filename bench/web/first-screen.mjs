/**
 * Targets 1 and 2: signing in and landing on the dashboard.
 *
 * Each sample is a new browser context (empty cache, no cookie), as a manager's first visit of
 * the day: the sign-in page is loaded and filled (not timed), then the time runs from the click
 * on "Sign in" (the click event's own time stamp) to the DOM change that shows the dashboard's
 * figures (`dashboardReady`). Every JavaScript file the page fetched until then is kept, with
 * its gzip size, split into what the sign-in page loaded and what signing in added.
 *
 * The baseline, measured alternately with the samples: the REST calls the page made between the
 * click and its figures, from Node: the same sign-in POST, then the page's GETs all at once (the
 * least a page could wait for them). Then, what a sign-in costs the other requests of the server
 * process (`otherRequestsDuringSignIns`).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { request } from './api.mjs';
import { freshPage, fillSignIn, watch } from './browser.mjs';
import { chunkBreakdown, gzipBytes, kb } from './bundle.mjs';
import { ratio, round, summary } from './stats.mjs';

/** `name-HASH.js` → `name` (the chunk's name as Vite gives it). */
function chunkName(url) {
  const file = new URL(url).pathname.split('/').pop();
  return file.replace(/-[A-Za-z0-9_-]{8}\.js$/, '');
}

/** One sign-in: `{ ms, scripts: [{url, phase, bytes, gzip}], api: ['GET /api/v1/…'] }`. */
export async function signInOnce(browser, shop, dashboardReady) {
  const { context, page } = await freshPage(browser, shop.origin);
  let phase = 'sign-in';
  const requests = [];
  const scripts = [];
  page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), type: r.resourceType(), at: Date.now(), phase }));
  page.on('response', (response) => {
    const url = response.url();
    if (new URL(url).pathname.endsWith('.js')) {
      const requestedIn = phase;
      scripts.push(
        response.body().then(
          (body) => ({ url, phase: requestedIn, bytes: body.length, gzip: gzipBytes(body), at: Date.now() }),
          () => null,
        ),
      );
    }
  });
  try {
    const submit = await fillSignIn(page, shop.email, shop.password);
    const ready = await watch(page, dashboardReady);
    phase = 'dashboard';
    await submit.click();
    const readyAt = await ready(30_000);
    const submitAt = await page.evaluate(() => window.__bench.submitAt);
    // What the page fetched after the click, in page-clock ms from the click: the waterfall.
    const timeline = await page.evaluate(
      ([from, to]) =>
        performance
          .getEntriesByType('resource')
          .map((entry) => ({ url: new URL(entry.name), start: performance.timeOrigin + entry.startTime - from, end: performance.timeOrigin + entry.responseEnd - from }))
          .filter((entry) => entry.start >= -1 && entry.start <= to - from)
          .map((entry) => `${Math.round(entry.start)}–${Math.round(entry.end)} ms ${entry.url.pathname.replace(/^\/assets\/(.+)-[A-Za-z0-9_-]{8}\.js$/, '$1.js')}`),
      [submitAt, readyAt],
    );
    if (readyAt === null || submitAt === null) throw new Error(`the dashboard did not show its figures (url ${page.url()})`);
    const loaded = (await Promise.all(scripts)).filter(Boolean);
    const api = requests
      .filter((r) => r.phase === 'dashboard' && r.at <= readyAt && new URL(r.url).pathname.startsWith('/api/'))
      .map((r) => `${r.method} ${new URL(r.url).pathname}${new URL(r.url).search}`);
    return { ms: readyAt - submitAt, timeline, scripts: loaded.filter((s) => s.phase === 'sign-in' || requests.some((r) => r.url === s.url && r.at <= readyAt)), api };
  } finally {
    await context.close();
  }
}

/** Timings of a cheap authenticated GET, one after another, for `ms`. */
async function probe(shop, token, ms) {
  const timings = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    timings.push((await request(shop.origin, 'GET', '/api/v1/registers', { token })).ms);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return timings;
}

/**
 * What a sign-in costs everyone else on the server process: a cheap GET in a loop, alone for 3 s
 * and then while three sign-ins run one after another (a password check that held the event
 * loop would hold each of those GETs for as long).
 */
async function otherRequestsDuringSignIns(shop) {
  const signIn = () => request(shop.origin, 'POST', '/api/v1/auth/login', { json: { email: shop.email, password: shop.password } });
  const token = (await signIn()).body.access_token;
  const quiet = await probe(shop, token, 3_000);
  const during = probe(shop, token, 3_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const signIns = [];
  for (let index = 0; index < 3; index += 1) signIns.push((await signIn()).ms);
  return { get_alone_ms: summary(quiet), get_during_sign_ins_ms: summary(await during), sign_in_ms: signIns.map((value) => round(value)) };
}

/** The page's REST calls from Node: the sign-in POST, then its GETs together. */
export async function restOnce(shop, calls) {
  const started = performance.now();
  const signedIn = await request(shop.origin, 'POST', '/api/v1/auth/session', { json: { email: shop.email, password: shop.password } });
  const token = signedIn.body.access_token;
  const gets = calls.filter((call) => call.startsWith('GET '));
  await Promise.all(gets.map((call) => request(shop.origin, 'GET', call.slice(4), { token })));
  return performance.now() - started;
}

function sizes(scripts) {
  const byUrl = new Map(scripts.map((s) => [s.url, s]));
  const unique = [...byUrl.values()];
  return {
    files: unique.length,
    bytes_kb: kb(unique.reduce((sum, s) => sum + s.bytes, 0)),
    gzip_kb: kb(unique.reduce((sum, s) => sum + s.gzip, 0)),
    chunks: unique
      .sort((a, b) => b.gzip - a.gzip)
      .map((s) => ({ chunk: chunkName(s.url), file: new URL(s.url).pathname.split('/').pop(), minified_kb: kb(s.bytes), gzip_kb: kb(s.gzip) })),
  };
}

/**
 * `samples` sign-ins alternating with the REST baseline; figures of targets 1 and 2.
 * `assets` is the folder of the build the server serves (for the source-map breakdown) and
 * `floorFiles` the React floor's JavaScript.
 */
export async function measureFirstScreen({ browser, shop, samples, dashboardReady, assets, floorFiles }) {
  const { readFile } = await import('node:fs/promises');
  await signInOnce(browser, shop, dashboardReady); // warm-up: the server's caches and plans
  const ui = [];
  const rest = [];
  let first = null;
  const all = [];
  for (let index = 0; index < samples; index += 1) {
    const sample = await signInOnce(browser, shop, dashboardReady);
    first ??= sample;
    all.push(sample);
    ui.push(sample.ms);
    rest.push(await restOnce(shop, sample.api));
  }
  const stall = await otherRequestsDuringSignIns(shop);
  const median = [...all].sort((a, b) => a.ms - b.ms)[Math.floor((all.length - 1) / 2)];
  const signInPage = sizes(first.scripts.filter((s) => s.phase === 'sign-in'));
  const throughDashboard = sizes(first.scripts);
  const floorGzip = (await Promise.all(floorFiles.map((file) => readFile(file)))).reduce((sum, body) => sum + gzipBytes(body), 0);
  const files = await readdir(assets);
  const largest = throughDashboard.chunks.slice(0, 3);
  const breakdowns = {};
  for (const chunk of largest) {
    if (files.includes(chunk.file)) breakdowns[chunk.file] = await chunkBreakdown(path.join(assets, chunk.file), 15);
  }
  const uiSummary = summary(ui);
  const restSummary = summary(rest);
  return {
    javascript: {
      target_gzip_kb: 200,
      sign_in_page: signInPage,
      sign_in_through_dashboard: throughDashboard,
      react_floor_gzip_kb: kb(floorGzip),
      ratio_to_react_floor: ratio(throughDashboard.gzip_kb, kb(floorGzip)),
      added_to_floor_gzip_kb: round(throughDashboard.gzip_kb - kb(floorGzip)),
      largest_chunks_by_origin: breakdowns,
      note: 'kB of 1,000 bytes; gzip at zlib\'s default level of each body as served (the server sends JavaScript uncompressed); CSS not counted',
    },
    dashboard_after_sign_in: {
      target_ms: 1500,
      samples,
      ui_ms: uiSummary,
      rest_ms: restSummary,
      ratio_p50: ratio(uiSummary.p50, restSummary.p50),
      ratio_p95: ratio(uiSummary.p95, restSummary.p95),
      page_beyond_rest_ms: summary(ui.map((value, index) => value - rest[index])),
      api_calls_of_the_page: first.api,
      waterfall_of_the_median_sample: median.timeline,
      shown_at_ms_of_the_median_sample: round(median.ms),
      ui_each_ms: ui.map((v) => round(v)),
      other_requests_during_sign_ins: stall,
    },
  };
}
