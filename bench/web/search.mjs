/**
 * Target 4: product search on a shop of 50,000 products, key by key.
 *
 * A shop of the bench's own (`catalog.mjs`; its products and their search terms then vacuumed, as autovacuum
 * would after the import) is signed in to and /products opened in a fresh
 * context per round (a new query cache: nothing is answered from an earlier round). Each query
 * is typed one key at a time; after each key the bench waits for the list to show that prefix's
 * results before the next key, so every key is one sample:
 *
 * - keystroke: the key's `keydown` time stamp in the page;
 * - request: when the page's `GET /api/v1/products?…search=<prefix>` started and ended
 *   (Resource Timing); the box waits `SEARCH_DELAY_MS` (100 ms) of quiet before asking;
 * - shown: the first DOM change, after the request started, where the table's rows are that
 *   answer's products in its order and the list is no longer marked busy (a MutationObserver
 *   records every change of the rows and of `aria-busy`).
 *
 * A key that leaves the trimmed text unchanged (a space) asks nothing and is not a sample.
 * Also measured per query: the whole query typed at 8 keys a second, from the last key to its
 * results (what a person typing sees). Baseline, alternately with each sample: the page's very
 * request (same URL) from Node.
 */
import { request } from './api.mjs';
import { largeShop } from './catalog.mjs';
import { freshPage, fillSignIn } from './browser.mjs';
import { settleDatabase } from './server.mjs';
import { ratio, round, summary } from './stats.mjs';

const TYPING_DELAY_MS = 125;

/** Realistic queries over the catalog: parts of names (one without its accent), a SKU prefix, a barcode prefix. */
function queries(rows) {
  const barcode = rows[Math.floor(rows.length * 0.37)].barcode;
  const sku = rows[Math.floor(rows.length * 0.63)].sku;
  return ['choco', 'leche sopr', 'merken', sku.slice(0, 7), barcode.slice(0, 8)];
}

/** In the page: record every change of the products table's rows (by their SKUs) and busy flag. */
function recordRows() {
  const snapshots = [];
  window.__bench.rows = snapshots;
  let last = '';
  const take = () => {
    const table = document.querySelector('main table');
    const busy = table?.closest('[aria-busy]')?.getAttribute('aria-busy') === 'true';
    const skus = table ? [...table.querySelectorAll('tbody tr')].map((row) => (row.textContent.match(/BW-\d{6}/) ?? [''])[0]).filter(Boolean) : null;
    const key = `${busy}|${skus?.join(',')}`;
    if (key !== last) {
      last = key;
      snapshots.push({ at: window.__bench.clock(), busy, skus });
    }
  };
  new MutationObserver(take).observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['aria-busy'] });
  take();
  performance.setResourceTimingBufferSize(100_000);
}

function isProductSearch(url, term) {
  const parsed = new URL(url);
  return parsed.pathname === '/api/v1/products' && (parsed.searchParams.get('search') ?? '') === term;
}

/**
 * Wait for the page's request for `term` and for the rows of its answer: `{ keyAt, fetchStart,
 * fetchEnd, shownAt, url }` in page-clock milliseconds.
 */
async function awaitResults(page, term, answer) {
  const response = await answer;
  const expected = (await response.json()).items.map((item) => item.sku);
  const url = response.url();
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const found = await page.evaluate(
      ([name, skus]) => {
        const entry = performance.getEntriesByName(name).at(-1);
        if (!entry || !entry.responseEnd) return null;
        const fetchStart = performance.timeOrigin + entry.startTime;
        const want = skus.join(',');
        const shown = window.__bench.rows.find((s) => s.at >= fetchStart && !s.busy && s.skus !== null && s.skus.join(',') === want);
        if (!shown) return null;
        return { keyAt: window.__bench.keys.at(-1).at, fetchStart, fetchEnd: performance.timeOrigin + entry.responseEnd, shownAt: shown.at };
      },
      [url, expected],
    );
    if (found) return { ...found, url };
    await page.waitForTimeout(20);
  }
  throw new Error(`the results for "${term}" were not shown`);
}

async function clearSearch(page, box) {
  await box.fill('');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === null, null, { timeout: 10_000 });
  await page.waitForFunction(() => document.querySelector('main [aria-busy="false"] table tbody tr') !== null, null, { timeout: 15_000 });
}

/** Sign in to the shop in a fresh context, open /products and run `work(page, searchBox)`. */
async function onProducts(browser, shop, work) {
  const { context, page } = await freshPage(browser, shop.origin);
  try {
    const submit = await fillSignIn(page, shop.email, shop.password);
    await submit.click();
    await page.getByRole('navigation').first().waitFor();
    await page.goto('/products');
    await page.locator('main table tbody tr').first().waitFor({ timeout: 30_000 });
    await page.evaluate(recordRows);
    await work(page, page.getByRole('searchbox'));
  } finally {
    await context.close();
  }
}

export async function measureSearch({ browser, port, products, rounds, log }) {
  const shop = await largeShop(port, products);
  log(`  ${products} products imported in ${Math.round(shop.import_s)} s`);
  const vacuumSeconds = settleDatabase(port, 'products, product_stock, product_search_terms');
  const keystrokes = [];
  const typed = [];
  const skipped = [];
  for (let roundIndex = 0; roundIndex < rounds; roundIndex += 1) {
    await onProducts(browser, shop, async (page, box) => {
      for (const query of queries(shop.rows)) {
        await box.click();
        let previous = '';
        for (let index = 0; index < query.length; index += 1) {
          const term = query.slice(0, index + 1).trim();
          if (term === previous) {
            await page.keyboard.type(query[index]);
            skipped.push(query.slice(0, index + 1));
            continue;
          }
          previous = term;
          const answer = page.waitForResponse((response) => isProductSearch(response.url(), term), { timeout: 15_000 });
          await page.keyboard.type(query[index]);
          const sample = await awaitResults(page, term, answer);
          const baseline = await request(shop.origin, 'GET', new URL(sample.url).pathname + new URL(sample.url).search, { token: shop.token });
          keystrokes.push({
            query,
            term,
            total: sample.shownAt - sample.keyAt,
            wait: sample.fetchStart - sample.keyAt,
            fetch: sample.fetchEnd - sample.fetchStart,
            render: sample.shownAt - sample.fetchEnd,
            afterRequest: sample.shownAt - sample.fetchStart,
            rest: baseline.ms,
          });
        }
        await clearSearch(page, box);
      }
    });
    // The whole query at a typing pace, in a page of its own (the first page's query cache
    // holds these answers): from its last key to its results.
    await onProducts(browser, shop, async (page, box) => {
      for (const query of queries(shop.rows)) {
        await box.click();
        const term = query.trim();
        const answer = page.waitForResponse((response) => isProductSearch(response.url(), term), { timeout: 15_000 });
        await page.keyboard.type(query, { delay: TYPING_DELAY_MS });
        const sample = await awaitResults(page, term, answer);
        typed.push({ query, total: sample.shownAt - sample.keyAt, afterRequest: sample.shownAt - sample.fetchStart });
        await clearSearch(page, box);
      }
    });
  }
  const pick = (field) => keystrokes.map((sample) => sample[field]);
  const total = summary(pick('total'));
  const rest = summary(pick('rest'));
  const afterRequest = summary(pick('afterRequest'));
  return {
    target_p95_ms: 300,
    products,
    import_s: round(shop.import_s),
    vacuum_analyze_products_s: vacuumSeconds,
    rounds,
    queries: queries(shop.rows),
    keystrokes: keystrokes.length,
    keys_without_request: skipped.length,
    keystroke_to_results_ms: total,
    debounce_ms: 100,
    keystroke_to_request_ms: summary(pick('wait')),
    request_to_results_ms: afterRequest,
    request_ms: summary(pick('fetch')),
    answer_to_rows_ms: summary(pick('render')),
    rest_ms: rest,
    ratio_p50: ratio(total.p50, rest.p50),
    ratio_p95: ratio(total.p95, rest.p95),
    after_debounce_ratio_p95: ratio(afterRequest.p95, rest.p95),
    typed_at_8_keys_per_s_last_key_to_results_ms: summary(typed.map((sample) => sample.total)),
    by_query: Object.fromEntries(
      queries(shop.rows).map((query) => {
        const own = keystrokes.filter((sample) => sample.query === query);
        return [query, { keystroke_to_results_p50_ms: summary(own.map((s) => s.total)).p50, request_p50_ms: summary(own.map((s) => s.fetch)).p50, rest_p50_ms: summary(own.map((s) => s.rest)).p50 }];
      }),
    ),
  };
}
