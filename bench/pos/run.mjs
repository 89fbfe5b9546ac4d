/**
 * The POS benchmark: what a till waits for, in the browser, each figure beside a baseline
 * measured in the same run. Prints one JSON document (docs/benchmarks/pos.md explains it).
 *
 *     TEST_DATABASE_URL=postgresql://… TEST_REDIS_URL=redis://… node bench/pos/run.mjs
 *
 * 1. Builds the POS from the work tree (its Vite config, into a temporary web root) and the React
 *    floor; starts `tests/web/serve.py` on its own port (8782) serving that web root; registers a
 *    shop of its own and imports 25,000 products (CSV).
 * 2. `bundle`: the gzip size of the JavaScript the POS loads at start (target ≤ 250 KB); baseline:
 *    React and ReactDOM rendering one element.
 * 3. `cold_pull`: a fresh browser profile on disk set up by the manager, click → the PIN screen, i.e.
 *    register the device, pull 25,000 products into IndexedDB (and build the search index) —
 *    target ≤ 5 s; baseline: the same catalog pages fetched and parsed in the page, stored nowhere.
 * 4. `search`: each keystroke of typed queries → the results on screen (the next frame painted),
 *    p95 (target ≤ 50 ms), and the part until they are rendered and laid out; baseline: a naive
 *    `filter(includes)` over the same 25,000 names in the page.
 * 5. `scan_to_line`, `tender_to_receipt`, offline: the page's own measures (`pos:scan-to-line`:
 *    Enter of a scan → the line rendered; `pos:tender-to-receipt`: Complete → the durably stored
 *    sale's receipt rendered), p95 (targets ≤ 50 ms); baselines: a map look-up plus one DOM
 *    element, and one raw strict-durability write of a document of the same size into the till's
 *    own IndexedDB database (50 ms apart, as sales are).
 * 6. `push_500`: 500 sales queued offline (written to the outbox as the till writes them), then
 *    the network back → the last one acknowledged (target ≤ 10 s); baseline: the same 500
 *    documents posted by Node for another device, 100 a request.
 *
 * Options: --port 8782 --products 25000 --rounds 2 --sales 80 --queued 500. Environment:
 * TEST_DATABASE_URL, TEST_REDIS_URL (as the browser suites), CHROMIUM_PATH (default
 * /usr/bin/chromium). Takes a few minutes; not part of `make test`.
 */
import { chromium } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { PIN, benchShop } from './shop.mjs';
import { buildAll, removeFolder, startServer, workFolder } from './system.mjs';

const { values: options } = parseArgs({
  options: {
    port: { type: 'string', default: '8782' },
    products: { type: 'string', default: '25000' },
    rounds: { type: 'string', default: '2' },
    sales: { type: 'string', default: '80' },
    queued: { type: 'string', default: '500' },
  },
});
const PORT = Number(options.port);

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function stats(values) {
  const round = (value) => Math.round(value * 100) / 100;
  return { n: values.length, p50: round(quantile(values, 0.5)), p95: round(quantile(values, 0.95)), max: round(Math.max(...values)) };
}

function gzipKb(buffer) {
  return Math.round((gzipSync(buffer, { level: 9 }).length / 1024) * 10) / 10;
}

const LAUNCH = { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] };

async function launch() {
  return chromium.launch(LAUNCH);
}

/** The JavaScript the POS loads at start, gzipped; the floor's beside it. */
async function measureBundle(browser, shop, floorFiles) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  const scripts = new Map();
  page.on('response', async (response) => {
    if (response.request().resourceType() === 'script') scripts.set(response.url(), await response.body().catch(() => Buffer.alloc(0)));
  });
  await page.goto(`${shop.origin}/pos/`);
  await page.getByRole('heading').first().waitFor();
  await page.waitForLoadState('networkidle');
  await context.close();
  const files = [...scripts.entries()].map(([url, body]) => ({ file: url.split('/').pop(), gzip_kb: gzipKb(body) }));
  const floor = (await Promise.all(floorFiles.map((file) => readFile(file)))).reduce((sum, body) => sum + gzipKb(body), 0);
  const total = Math.round(files.reduce((sum, file) => sum + file.gzip_kb, 0) * 10) / 10;
  return { gzip_kb: total, files, baseline_react_floor_gzip_kb: Math.round(floor * 10) / 10, ratio: Math.round((total / floor) * 100) / 100, target_kb: 250 };
}

/**
 * Set a fresh profile up by the manager on `register`; seconds from "set up" to the PIN screen.
 * A profile on disk (a persistent context): an incognito one keeps IndexedDB in memory, and
 * "durably stored" would mean nothing.
 */
async function coldPull(folder, shop, register) {
  const context = await chromium.launchPersistentContext(path.join(folder, `profile-${register.code}`), { ...LAUNCH, viewport: { width: 1366, height: 768 }, locale: 'es-CL' });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${shop.origin}/pos/`);
  await page.getByLabel(/^(email|correo electrónico)$/i).fill(shop.admin.email);
  await page.getByLabel(/^(password|contraseña)$/i).fill(shop.admin.password);
  await page.getByRole('button', { name: /^(continue|continuar)$/i }).click();
  await page.getByRole('radio', { name: new RegExp(register.code) }).check();
  const started = Date.now();
  await page.getByRole('button', { name: /set up this till|configurar este equipo/i }).click();
  await page.getByRole('heading', { name: /who is at the till|quién está en la caja/i }).waitFor({ timeout: 120_000 });
  const seconds = (Date.now() - started) / 1000;
  const stored = await page.evaluate(async () => {
    const db = await new Promise((resolve) => {
      const open = indexedDB.open('orbit-pos');
      open.onsuccess = () => resolve(open.result);
    });
    const count = await new Promise((resolve) => {
      const request = db.transaction('products').objectStore('products').count();
      request.onsuccess = () => resolve(request.result);
    });
    db.close();
    return count;
  });
  return { context, page, seconds, stored };
}

/** The same catalog pages fetched and parsed in the page, stored nowhere (the pull's floor). */
async function fetchOnly(page, token) {
  return page.evaluate(async (accessToken) => {
    const db = await new Promise((resolve) => {
      const open = indexedDB.open('orbit-pos');
      open.onsuccess = () => resolve(open.result);
    });
    const device = await new Promise((resolve) => {
      const request = db.transaction('meta').objectStore('meta').get('device');
      request.onsuccess = () => resolve(request.result.value);
    });
    db.close();
    const started = performance.now();
    let cursor = '';
    let rows = 0;
    for (;;) {
      const response = await fetch(`/api/v1/sync/catalog?limit=5000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
        headers: { authorization: `Bearer ${accessToken}`, 'x-device-id': device.id, 'x-device-key': device.credential },
      });
      const page = await response.json();
      rows += page.products.length;
      cursor = page.next_cursor;
      if (!page.has_more) break;
    }
    return { seconds: (performance.now() - started) / 1000, rows };
  }, token);
}

/** Sign the till in, unlock, open a shift (in the UI). */
async function readyToSell(page, shop) {
  await page.getByRole('button', { name: 'Bench Cashier' }).click();
  await page.keyboard.type(PIN);
  await page.keyboard.press('Enter');
  await page.getByRole('navigation').waitFor();
  await page
    .getByRole('button', { name: /sign the till in|iniciar sesión en la caja/i })
    .first()
    .click();
  await page.getByLabel(/^(email|correo electrónico)$/i).fill(shop.cashier.email);
  await page.getByLabel(/^(password|contraseña)$/i).fill(shop.cashier.password);
  await page
    .getByRole('dialog')
    .getByRole('button', { name: /^(sign in|entrar)$/i })
    .click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  await page.getByRole('button', { name: /^(shift|turno)/i }).click();
  await page.getByLabel(/opening float|fondo inicial/i).fill('50000');
  await page.getByRole('button', { name: /^(open a shift|abrir un turno)$/i }).click();
  await page.getByRole('button', { name: /close the shift|cerrar el turno/i }).waitFor();
  await page.getByRole('button', { name: /^(sell|vender)/i }).click();
  await page.getByRole('combobox').waitFor();
}

/** Keystroke → results on screen, for every prefix of `queries`; the naive filter beside it. */
async function measureSearch(page, queries) {
  return page.evaluate(async (words) => {
    const input = document.querySelector('input[role="combobox"]');
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    const painted = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    const db = await new Promise((resolve) => {
      const open = indexedDB.open('orbit-pos');
      open.onsuccess = () => resolve(open.result);
    });
    const names = await new Promise((resolve) => {
      const request = db.transaction('products').objectStore('products').getAll();
      request.onsuccess = () => resolve(request.result.map((product) => product.name.toLowerCase()));
    });
    db.close();
    const keystrokes = [];
    const rendered = [];
    const naive = [];
    for (const word of words) {
      for (let length = 1; length <= word.length; length += 1) {
        const prefix = word.slice(0, length);
        const started = performance.now();
        setValue.call(input, prefix);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        void document.querySelector('[role="listbox"]')?.offsetHeight;
        rendered.push(performance.now() - started);
        await painted();
        keystrokes.push(performance.now() - started);
        const naiveStarted = performance.now();
        names.filter((name) => name.includes(prefix.toLowerCase())).slice(0, 30);
        naive.push(performance.now() - naiveStarted);
      }
      setValue.call(input, '');
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await painted();
    }
    return { keystrokes, rendered, naive, products: names.length };
  }, queries);
}

/** `sales` sales offline, scanned and paid in cash; the page's own measures. */
async function measureSelling(page, rows, sales) {
  await page.context().setOffline(true);
  await page.evaluate(() => performance.clearMeasures());
  for (let index = 0; index < sales; index += 1) {
    await page.keyboard.type(rows[(index * 37) % rows.length].barcode, { delay: 2 });
    await page.keyboard.press('Enter');
    await page.getByTestId('ticket-line').first().waitFor();
    await page.keyboard.press('F9');
    const amount = page.getByRole('dialog').getByLabel(/^(amount|monto)$/i);
    await amount.press('Enter');
    await page.getByRole('dialog').getByTestId('receipt').waitFor();
    await page.getByRole('button', { name: /^(new sale|nueva venta)$/i }).click();
  }
  const measured = await page.evaluate(() => ({
    scan: performance.getEntriesByName('pos:scan-to-line').map((entry) => entry.duration),
    tender: performance.getEntriesByName('pos:tender-to-receipt').map((entry) => entry.duration),
    stored: performance.getEntriesByName('pos:tender-to-stored').map((entry) => entry.duration),
  }));
  const floors = await page.evaluate(async (count) => {
    const map = new Map(Array.from({ length: 25_000 }, (_, i) => [`78${i}`, { id: i }]));
    const list = document.createElement('ol');
    document.body.append(list);
    const scan = [];
    for (let i = 0; i < count; i += 1) {
      const started = performance.now();
      const found = map.get(`78${(i * 37) % 25_000}`);
      const item = document.createElement('li');
      item.textContent = String(found.id);
      list.append(item);
      void item.offsetHeight;
      scan.push(performance.now() - started);
    }
    list.remove();
    // The till's own database (a scratch key of its `meta` store): the same files, the same size.
    const db = await new Promise((resolve) => {
      const open = indexedDB.open('orbit-pos');
      open.onsuccess = () => resolve(open.result);
    });
    const document_ = {
      kind: 'sale',
      lines: [{ product_id: crypto.randomUUID(), quantity: 1, unit_price: 1990, discount: 0 }],
      payments: [{ method: 'cash', amount: 1990, reference: '' }],
      note: '',
    };
    const tender = [];
    for (let i = 0; i < count; i += 1) {
      const started = performance.now();
      await new Promise((resolve, reject) => {
        const transaction = db.transaction('meta', 'readwrite', { durability: 'strict' });
        transaction.objectStore('meta').put({ key: 'bench-floor', value: { ...document_, id: crypto.randomUUID(), seq: i } });
        transaction.oncomplete = resolve;
        transaction.onerror = reject;
      });
      tender.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => {
      const transaction = db.transaction('meta', 'readwrite');
      transaction.objectStore('meta').delete('bench-floor');
      transaction.oncomplete = resolve;
    });
    db.close();
    return { scan, tender };
  }, sales);
  return { measured, floors };
}

async function outboxStates(page) {
  return page.evaluate(async () => {
    const db = await new Promise((resolve) => {
      const open = indexedDB.open('orbit-pos');
      open.onsuccess = () => resolve(open.result);
    });
    const rows = await new Promise((resolve) => {
      const request = db.transaction('outbox').objectStore('outbox').getAll();
      request.onsuccess = () => resolve(request.result);
    });
    db.close();
    return rows.reduce((counts, row) => ({ ...counts, [row.state]: (counts[row.state] ?? 0) + 1 }), {});
  });
}

async function drained(page, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const states = await outboxStates(page);
    if (!states.pending && !states.syncing && !states.retrying) return states;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the queue did not drain: ${JSON.stringify(await outboxStates(page))}`);
}

/** Queue `count` sales as the till stores them (outbox entries and counters, one transaction). */
async function queueSales(page, count, products) {
  return page.evaluate(
    async ({ count, products }) => {
      const db = await new Promise((resolve) => {
        const open = indexedDB.open('orbit-pos');
        open.onsuccess = () => resolve(open.result);
      });
      const read = (store, key) =>
        new Promise((resolve) => {
          const request = db.transaction(store).objectStore(store).get(key);
          request.onsuccess = () => resolve(request.result);
        });
      const device = (await read('meta', 'device')).value;
      const shifts = await new Promise((resolve) => {
        const request = db.transaction('shifts').objectStore('shifts').getAll();
        request.onsuccess = () => resolve(request.result.filter((shift) => shift.status === 'open'));
      });
      const cashierId = shifts[0].opened_by;
      await new Promise((resolve, reject) => {
        const transaction = db.transaction(['meta', 'outbox'], 'readwrite', { durability: 'strict' });
        const meta = transaction.objectStore('meta');
        const outbox = transaction.objectStore('outbox');
        const request = meta.get('counters');
        request.onsuccess = () => {
          const counters = request.result.value;
          const now = Date.now();
          for (let index = 0; index < count; index += 1) {
            const product = products[index % products.length];
            const seq = counters.next_seq + index;
            const number = counters.next_number + index;
            const id = crypto.randomUUID();
            const document = {
              kind: 'sale',
              id,
              seq,
              device_time: new Date(now + index).toISOString(),
              cashier_id: cashierId,
              shift_id: shifts[0].id,
              number,
              lines: [{ product_id: product.id, quantity: 1, unit_price: product.price, discount: 0 }],
              payments: [{ method: 'cash', amount: product.price, reference: '' }],
              discount: 0,
              customer_id: null,
              note: '',
            };
            outbox.add({
              device_id: device.id,
              seq,
              id,
              kind: 'sale',
              document,
              state: 'pending',
              attempts: 0,
              created_at: now,
              updated_at: now,
              label: `${device.register_code}-${number}`,
              amount: product.price,
            });
          }
          meta.put({ key: 'counters', value: { next_seq: counters.next_seq + count, next_number: counters.next_number + count } });
        };
        transaction.oncomplete = resolve;
        transaction.onerror = () => reject(transaction.error);
      });
      db.close();
      return cashierId;
    },
    { count, products },
  );
}

/** The same kind of documents pushed straight from Node for another device, 100 a request. */
async function directPush(shop, register, count, products, cashierId) {
  const { device, credential } = await shop.call('POST', '/api/v1/sync/devices', { token: shop.token, json: { register_id: register.id, name: 'Bench direct' } });
  const open = { kind: 'shift_open', id: randomUUID(), seq: 1, device_time: new Date().toISOString(), cashier_id: cashierId, opening_float: 0 };
  const headers = { 'x-device-key': credential };
  await shop.call('POST', '/api/v1/sync/sales', { token: shop.token, headers, json: { device_id: device.id, sales: [open] } });
  const documents = Array.from({ length: count }, (_, index) => {
    const product = products[index % products.length];
    return {
      kind: 'sale',
      id: randomUUID(),
      seq: index + 2,
      device_time: new Date(Date.now() + index).toISOString(),
      cashier_id: cashierId,
      shift_id: open.id,
      number: index + 1,
      lines: [{ product_id: product.id, quantity: 1, unit_price: product.price, discount: 0 }],
      payments: [{ method: 'cash', amount: product.price, reference: '' }],
      discount: 0,
      customer_id: null,
      note: '',
    };
  });
  const started = performance.now();
  for (let offset = 0; offset < documents.length; offset += 100) {
    await shop.call('POST', '/api/v1/sync/sales', { token: shop.token, headers, json: { device_id: device.id, sales: documents.slice(offset, offset + 100) } });
  }
  return (performance.now() - started) / 1000;
}

async function main() {
  const folder = await workFolder();
  const report = { started_at: new Date().toISOString(), machine: { cpus: os.cpus().length, load_before: os.loadavg()[0] }, options };
  let server = null;
  let browser = null;
  try {
    const { webRoot, floorFiles } = await buildAll(folder);
    server = await startServer({ port: PORT, webRoot, folder });
    report.server_start_s = Math.round(server.seconds * 10) / 10;
    const rounds = Number(options.rounds);
    const shop = await benchShop(PORT, { products: Number(options.products), registers: rounds + 1 });
    report.catalog = { products: shop.rows.length, import_s: Math.round(shop.importSeconds * 10) / 10 };
    browser = await launch();
    report.bundle = await measureBundle(browser, shop, floorFiles);

    const pulls = [];
    let kept = null;
    for (let round = 0; round < rounds; round += 1) {
      const setUp = await coldPull(folder, shop, shop.registers[round]);
      const floor = await fetchOnly(setUp.page, shop.token);
      pulls.push({ seconds: setUp.seconds, stored: setUp.stored, fetch_only_s: floor.seconds, fetched: floor.rows });
      if (kept) await kept.context.close();
      kept = setUp;
    }
    const pullMedian = quantile(
      pulls.map((pull) => pull.seconds),
      0.5,
    );
    const fetchMedian = quantile(
      pulls.map((pull) => pull.fetch_only_s),
      0.5,
    );
    report.cold_pull = {
      rounds: pulls,
      median_s: Math.round(pullMedian * 100) / 100,
      baseline_fetch_only_median_s: Math.round(fetchMedian * 100) / 100,
      ratio: Math.round((pullMedian / fetchMedian) * 100) / 100,
      target_s: 5,
    };

    const { page } = kept;
    await readyToSell(page, shop);
    const queries = ['leche colun entera', 'cafe nestle', 'galletas mckay chocolate', 'bp-012345', '7811'];
    const search = await measureSearch(page, queries);
    report.search = {
      products: search.products,
      keystrokes: stats(search.keystrokes),
      of_which_rendered_and_laid_out: stats(search.rendered),
      baseline_naive_filter: stats(search.naive),
      ratio_p95: Math.round((quantile(search.keystrokes, 0.95) / quantile(search.naive, 0.95)) * 100) / 100,
      target_p95_ms: 50,
    };

    const selling = await measureSelling(page, shop.rows, Number(options.sales));
    report.scan_to_line = { offline: true, ...stats(selling.measured.scan), baseline_lookup_and_element: stats(selling.floors.scan), target_p95_ms: 50 };
    report.tender_to_receipt = {
      offline: true,
      ...stats(selling.measured.tender),
      of_which_stored: stats(selling.measured.stored),
      baseline_strict_indexeddb_write: stats(selling.floors.tender),
      target_p95_ms: 50,
    };

    await page.context().setOffline(false);
    await drained(page);
    await page.context().setOffline(true);
    const queued = Number(options.queued);
    const products = await page.evaluate(
      async (skus) => {
        const db = await new Promise((resolve) => {
          const open = indexedDB.open('orbit-pos');
          open.onsuccess = () => resolve(open.result);
        });
        const wanted = new Set(skus);
        const found = await new Promise((resolve) => {
          const request = db.transaction('products').objectStore('products').getAll();
          request.onsuccess = () => resolve(request.result.filter((product) => wanted.has(product.sku)).map((product) => ({ id: product.id, price: product.price })));
        });
        db.close();
        return found;
      },
      shop.rows.slice(100, 120).map((row) => row.sku),
    );
    const cashierId = await queueSales(page, queued, products);
    const started = Date.now();
    await page.context().setOffline(false);
    const states = await drained(page);
    const pushSeconds = (Date.now() - started) / 1000;
    const direct = await directPush(shop, shop.registers[rounds], queued, products, cashierId);
    report.push_500 = {
      documents: queued,
      seconds: Math.round(pushSeconds * 100) / 100,
      states,
      baseline_direct_push_s: Math.round(direct * 100) / 100,
      ratio: Math.round((pushSeconds / direct) * 100) / 100,
      target_s: 10,
    };
    await kept.context.close();
  } finally {
    await browser?.close();
    await server?.stop();
    await removeFolder(folder);
  }
  report.machine.load_after = os.loadavg()[0];
  console.log(JSON.stringify(report, null, 2));
}

await main();
