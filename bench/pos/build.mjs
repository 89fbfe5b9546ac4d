/**
 * The benchmark's builds, run by `system.mjs` in a child process: the POS with its own Vite
 * config into `{folder}/web/pwa/dist`, and the React floor (`floor/`) with the POS's target.
 * Writes `{ webRoot, floorFiles }` to `{folder}/build.json`.
 *
 *     node bench/pos/build.mjs <folder>
 */
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const folder = process.argv[2];
const webRoot = path.join(folder, 'web');
await build({ root: path.join(ROOT, 'pwa'), logLevel: 'warn', build: { outDir: path.join(webRoot, 'pwa', 'dist'), emptyOutDir: true } });
const floorDir = path.join(folder, 'floor');
await build({ root: path.join(ROOT, 'bench', 'pos', 'floor'), configFile: false, logLevel: 'warn', build: { outDir: floorDir, emptyOutDir: true, target: 'es2022' } });
const assets = path.join(floorDir, 'assets');
const floorFiles = (await readdir(assets)).filter((name) => name.endsWith('.js')).map((name) => path.join(assets, name));
await writeFile(path.join(folder, 'build.json'), JSON.stringify({ webRoot, floorFiles }));
