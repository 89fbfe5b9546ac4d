/**
 * The SPA's benchmark: what a manager waits for in the browser, against a baseline measured in
 * the same run. Prints one JSON document (docs/benchmarks/web.md explains every figure).
 *
 *     TEST_DATABASE_URL=postgresql://… TEST_REDIS_URL=redis://… node bench/web/run.mjs
 *
 * What it does:
 *
 * 1. builds the SPA from the work tree (Vite, the repository's config) into a temporary web
 *    root, and the React floor (`floor/`: React and ReactDOM rendering one element);
 * 2. starts `tests/web/serve.py` on its own port (8790: `orbit dev` on a fresh database
 *    `orbit_web_8790` with the demo shop of 300 products × 730 days, as `make demo`; embedded
 *    services when TEST_* are unset) serving that web root, and VACUUM (ANALYZE)s the fresh
 *    database as autovacuum soon would;
 * 3. first screen (targets 1 and 2, `first-screen.mjs`): `--signins` sign-ins of the demo
 *    manager in fresh contexts, click → the dashboard's figures, and the gzip size of every
 *    JavaScript file loaded; baselines: the page's REST calls from Node, the React floor;
 * 4. live (target 3, `live.mjs`): `--rate` sales a second for `--seconds` through the API
 *    with the dashboard open; each sale's API answer → the tickets figure; baseline: a bare
 *    WebSocket client in another page;
 * 5. search (target 4, `search.mjs`): a shop of its own with `--search-products` products
 *    (imported as CSV), queries typed key by key on /products, keystroke → the list showing
 *    that prefix's results; baseline: the same requests from Node;
 * 6. prints the JSON and stops the server (its process group), dropping its database.
 *
 * Options: --port 8790 --products 300 --days 730 --signins 12 --rate 20 --seconds 30
 * --search-products 50000 --rounds 2 --only first-screen,live,search. Environment:
 * TEST_DATABASE_URL, TEST_REDIS_URL (as the browser suites), CHROMIUM_PATH (default
 * /usr/bin/chromium). Takes about 10 minutes on 2 cores; not part of `make test`.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { closeAgent } from './api.mjs';
import { launch } from './browser.mjs';
import { measureFirstScreen } from './first-screen.mjs';
import { measureLive } from './live.mjs';
import { measureSearch } from './search.mjs';
import { dashboardReady, readTickets } from './screens.mjs';
import { buildFloor, buildSpa, removeFolder, ROOT, settleDatabase, startServer, workFolder } from './server.mjs';

const { values: options } = parseArgs({
  options: {
    port: { type: 'string', default: '8790' },
    products: { type: 'string', default: '300' },
    days: { type: 'string', default: '730' },
    signins: { type: 'string', default: '12' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '30' },
    'search-products': { type: 'string', default: '50000' },
    rounds: { type: 'string', default: '2' },
    only: { type: 'string', default: 'first-screen,live,search' },
  },
});
const only = new Set(options.only.split(','));
const DEMO_MANAGER = { email: 'manager@demo.example', password: 'demo-manager-2026' };

function loadAverage() {
  return Math.round(os.loadavg()[0] * 100) / 100;
}

function log(message) {
  process.stderr.write(`[bench/web ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function main() {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const result = { benchmark: 'web', started_at: new Date().toISOString(), commit, machine: { cpus: os.cpus().length, node: process.version, load_average_1m: { before: loadAverage() } } };
  const folder = await workFolder();
  let server = null;
  let browser = null;
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await removeFolder(folder);
  };
  const interrupted = () => void stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    log('building the SPA and the React floor');
    const spa = await buildSpa(folder);
    const floorFiles = await buildFloor(folder);
    log(`starting the server on port ${options.port} (demo shop ${options.products} products × ${options.days} days)`);
    server = await startServer({ port: Number(options.port), products: Number(options.products), days: Number(options.days), webRoot: spa.webRoot, folder });
    log('vacuum (analyze) of the fresh database');
    const vacuumSeconds = settleDatabase(server.port);
    result.server = { port: server.port, start_s: Math.round(server.seconds), vacuum_analyze_s: vacuumSeconds, demo_shop: { products: Number(options.products), days: Number(options.days) } };
    browser = await launch();
    result.machine.chromium = browser.version();
    const demo = { origin: server.origin, ...DEMO_MANAGER };
    if (only.has('first-screen')) {
      log(`first screen: ${options.signins} sign-ins`);
      Object.assign(result, await measureFirstScreen({ browser, shop: demo, samples: Number(options.signins), dashboardReady, assets: spa.assets, floorFiles }));
    }
    if (only.has('live')) {
      log(`live: ${options.rate} sales/s for ${options.seconds} s`);
      result.live_event_to_dom = await measureLive({ browser, shop: demo, rate: Number(options.rate), seconds: Number(options.seconds), readTickets, dashboardReady });
    }
    if (only.has('search')) {
      log(`search: a shop of ${options['search-products']} products`);
      result.product_search = await measureSearch({ browser, port: server.port, products: Number(options['search-products']), rounds: Number(options.rounds), log });
    }
  } finally {
    result.machine.load_average_1m.after = loadAverage();
    log('stopping the server');
    await stop();
    closeAgent();
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
