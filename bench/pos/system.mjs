/**
 * The system the POS benchmark measures, of its own: the POS (and the React floor) built from the
 * work tree into a temporary web root, and `tests/web/serve.py` (`orbit dev` on a fresh database
 * `orbit_web_<port>`, a small demo shop) on the bench's port serving that web root.
 *
 * Invariants: the server runs in a process group of its own and `stop()` ends that group only;
 * the temporary folder is removed by `removeFolder`.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function workFolder() {
  return mkdtemp(path.join(tmpdir(), 'orbit-bench-pos-'));
}

export async function removeFolder(folder) {
  await rm(folder, { recursive: true, force: true });
}

/**
 * Build the POS (its own Vite config, into `{folder}/web/pwa/dist`) and the React floor (same
 * target), in a child process whose output goes to stderr: Vite's native bundler prints to stdout,
 * which is the report's. Returns `{ webRoot, floorFiles }`.
 */
export async function buildAll(folder) {
  const child = spawn(process.execPath, [path.join(ROOT, 'bench', 'pos', 'build.mjs'), folder], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  const status = await new Promise((resolve) => child.once('exit', resolve));
  if (status !== 0) throw new Error(`the build failed (${status})`);
  return JSON.parse(await readFile(path.join(folder, 'build.json'), 'utf8'));
}

async function ready(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with status ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the server did not answer ${url} within ${timeoutMs / 1000} s`);
}

/** Start the server on `port` serving `webRoot`; `{ stop, seconds }`. */
export async function startServer({ port, webRoot, folder }) {
  const log = path.join(folder, 'server.log');
  const fd = openSync(log, 'a');
  const started = performance.now();
  const child = spawn(path.join(ROOT, '.venv', 'bin', 'python'), ['-m', 'tests.web.serve', '--port', String(port), '--products', '60', '--days', '14'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ORBIT_WEB_ROOT: webRoot },
  });
  closeSync(fd);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  };
  try {
    await ready(`http://127.0.0.1:${port}/ready`, child, 300_000);
  } catch (error) {
    await stop();
    throw new Error(`${error.message}; see ${log}`);
  }
  return { stop, seconds: (performance.now() - started) / 1000, log };
}
