/**
 * The system the benchmark measures, of its own: the SPA built from the work tree into a web
 * root of the run's own (so nobody's rebuild swaps the files mid-run), and `tests/web/serve.py`
 * (`orbit dev`: server, forecasting worker, scheduler, the demo shop) on the bench's port with
 * `ORBIT_WEB_ROOT` pointing there.
 *
 * Invariants: the server runs in a process group of its own and `stop()` ends that group only;
 * what it created is dropped afterwards (the database `orbit_web_<port>` and its Redis database
 * when TEST_DATABASE_URL / TEST_REDIS_URL are set, else the embedded services' data folder).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A fresh temporary folder for the run's builds and the server's log. */
export async function workFolder() {
  return mkdtemp(path.join(tmpdir(), 'orbit-bench-web-'));
}

/** Build the SPA (the repository's Vite config, output elsewhere): `{webRoot, assets}`. */
export async function buildSpa(folder) {
  const webRoot = path.join(folder, 'web');
  const outDir = path.join(webRoot, 'frontend', 'dist');
  await build({ root: path.join(ROOT, 'frontend'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return { webRoot, assets: path.join(outDir, 'assets') };
}

/** Build the React floor (`floor/`: React and ReactDOM rendering one element) with the same target. */
export async function buildFloor(folder) {
  const outDir = path.join(folder, 'floor');
  await build({
    root: path.join(ROOT, 'bench', 'web', 'floor'),
    configFile: false,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, target: 'es2022' },
  });
  const assets = path.join(outDir, 'assets');
  return (await readdir(assets)).filter((name) => name.endsWith('.js')).map((name) => path.join(assets, name));
}

async function ready(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with status ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the server did not answer ${url} within ${timeoutMs / 1000} s`);
}

/**
 * Start `tests.web.serve` on `port` with the demo shop of `products` × `days` and wait until
 * it is ready. Returns `{ origin, stop, seconds, log }`.
 */
export async function startServer({ port, products, days, webRoot, folder }) {
  const log = path.join(folder, 'server.log');
  const fd = openSync(log, 'a');
  const started = performance.now();
  const child = spawn(
    path.join(ROOT, '.venv', 'bin', 'python'),
    ['-m', 'tests.web.serve', '--port', String(port), '--products', String(products), '--days', String(days)],
    { cwd: ROOT, detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, ORBIT_WEB_ROOT: webRoot } },
  );
  closeSync(fd);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const late = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 30_000);
      await exited;
      clearTimeout(late);
    }
    cleanUp(port);
  };
  try {
    await ready(`http://127.0.0.1:${port}/ready`, child, 600_000);
  } catch (error) {
    await stop();
    throw new Error(`${error.message} (log: ${log})`);
  }
  return { origin: `http://demo.orbitengine.localhost:${port}`, port, stop, seconds: (performance.now() - started) / 1000, log };
}

/**
 * `VACUUM (ANALYZE)` the server's database (or `table` of it), as autovacuum would soon after a
 * bulk load: otherwise the first minute of measurements runs beside autovacuum and on plans
 * made without statistics. Only with TEST_DATABASE_URL (the embedded services' URL is private
 * to `orbit dev`). Returns the seconds it took, or null.
 */
export function settleDatabase(port, table = '') {
  if (!process.env.TEST_DATABASE_URL) return null;
  const script = [
    'import asyncio, os, sys',
    'from sqlalchemy import text',
    'from sqlalchemy.engine import make_url',
    'from sqlalchemy.ext.asyncio import create_async_engine',
    'from server.core.db import async_url',
    'url = make_url(os.environ["TEST_DATABASE_URL"]).set(database=f"orbit_web_{sys.argv[1]}")',
    'async def main():',
    '    engine = create_async_engine(async_url(url.render_as_string(hide_password=False)), isolation_level="AUTOCOMMIT")',
    '    async with engine.connect() as connection:',
    '        await connection.execute(text(f"vacuum (analyze) {sys.argv[2]}"))',
    '    await engine.dispose()',
    'asyncio.run(main())',
  ].join('\n');
  const started = performance.now();
  const outcome = spawnSync(path.join(ROOT, '.venv', 'bin', 'python'), ['-c', script, String(port), table], { cwd: ROOT, stdio: 'inherit' });
  if (outcome.status !== 0) throw new Error('vacuum (analyze) failed');
  return Math.round((performance.now() - started) / 100) / 10;
}

/** Drop what `tests.web.serve` created for `port`. */
function cleanUp(port) {
  if (process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL) {
    const script = [
      'import asyncio, os, sys',
      'from urllib.parse import urlsplit',
      'from redis import Redis',
      'from tests.conftest import drop_database',
      'from tests.web.serve import redis_database',
      'port = int(sys.argv[1])',
      'asyncio.run(drop_database(os.environ["TEST_DATABASE_URL"], f"orbit_web_{port}"))',
      'url = urlsplit(os.environ["TEST_REDIS_URL"])._replace(path=f"/{redis_database(port)}").geturl()',
      'Redis.from_url(url).flushdb()',
    ].join('\n');
    spawnSync(path.join(ROOT, '.venv', 'bin', 'python'), ['-c', script, String(port)], { cwd: ROOT, stdio: 'inherit' });
  } else {
    spawnSync('rm', ['-rf', path.join(ROOT, `.orbit-web-${port}`)]);
  }
}

export async function removeFolder(folder) {
  await rm(folder, { recursive: true, force: true });
}
