/**
 * Sizes of JavaScript as a browser downloads it: gzip of each body (zlib's default level 6, what
 * a compressing proxy or CDN sends; the Python server itself sends them uncompressed), in kB of
 * 1,000 bytes as Vite reports them, and where the bytes of a built chunk come from, read from its
 * source map.
 *
 * Invariant: a chunk's breakdown attributes every byte of its generated code that a mapping
 * covers to exactly one source (so the minified sizes of one chunk add up to at most its size).
 */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

export function gzipBytes(body) {
  return gzipSync(body).length;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((character, index) => [character, index]));

/** One line of a source map's `mappings`: its segments as arrays of absolute-per-field numbers. */
function decodeSegments(line, state) {
  const segments = [];
  let column = 0;
  for (const text of line.split(',')) {
    if (!text) continue;
    const fields = [];
    let value = 0;
    let shift = 0;
    for (const character of text) {
      const digit = DIGIT.get(character);
      value += (digit & 31) << shift;
      if (digit & 32) {
        shift += 5;
      } else {
        fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
        value = 0;
        shift = 0;
      }
    }
    column += fields[0];
    if (fields.length >= 4) {
      state.source += fields[1];
      segments.push({ column, source: state.source });
    } else {
      segments.push({ column, source: -1 });
    }
  }
  return segments;
}

/** Where a source file belongs: an npm package, the shared package, or a folder of the SPA. */
export function origin(sourcePath) {
  const modules = sourcePath.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = sourcePath.slice(modules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const shared = sourcePath.match(/packages\/shared\/src\/([^/]+)/);
  if (shared) return `@orbit/shared/${shared[1]}`;
  const spa = sourcePath.match(/frontend\/src\/((?:features\/)?[^/]+)/);
  if (spa) return `frontend/src/${spa[1]}`;
  return sourcePath.replace(/^(\.\.\/)+/, '');
}

/** The folder of the npm package a source belongs to (`…/node_modules/a/node_modules/b`), or null. */
function packageRoot(sourcePath) {
  const match = sourcePath.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
  return match ? match[1] : null;
}

/**
 * Where the bytes of `code` come from, by origin (see `origin`), from its source map: each
 * mapped segment runs to the next segment of its line. For each of the `top` largest origins:
 * its minified bytes, and its gzip weight measured as what the chunk's gzip shrinks by without
 * those bytes (duplicates compress against each other, so shares would overstate them); and
 * how many copies of the package (nested installs of different versions) the chunk holds.
 */
export function breakdown(code, map, top = 15) {
  const lines = code.split('\n');
  const mappingLines = map.mappings.split(';');
  const ranges = new Map();
  const roots = new Map();
  const state = { source: 0 };
  for (let index = 0; index < mappingLines.length && index < lines.length; index += 1) {
    const segments = decodeSegments(mappingLines[index], state);
    for (let k = 0; k < segments.length; k += 1) {
      const { column, source } = segments[k];
      if (source < 0) continue;
      const end = k + 1 < segments.length ? segments[k + 1].column : lines[index].length;
      const sourcePath = map.sources[source] ?? '?';
      const key = origin(sourcePath);
      if (!ranges.has(key)) ranges.set(key, []);
      ranges.get(key).push([index, column, end]);
      const root = packageRoot(sourcePath);
      if (root) {
        if (!roots.has(key)) roots.set(key, new Set());
        roots.get(key).add(root);
      }
    }
  }
  const bytesOf = (list) => list.reduce((sum, [line, start, end]) => sum + Buffer.byteLength(lines[line].slice(start, end)), 0);
  const without = (list) => {
    const cuts = new Map();
    for (const [line, start, end] of list) {
      if (!cuts.has(line)) cuts.set(line, []);
      cuts.get(line).push([start, end]);
    }
    return lines
      .map((text, line) => {
        const parts = cuts.get(line);
        if (!parts) return text;
        parts.sort((a, b) => a[0] - b[0]);
        let kept = '';
        let at = 0;
        for (const [start, end] of parts) {
          kept += text.slice(at, start);
          at = Math.max(at, end);
        }
        return kept + text.slice(at);
      })
      .join('\n');
  };
  const whole = gzipBytes(code);
  return [...ranges.entries()]
    .map(([key, list]) => ({ origin: key, list, bytes: bytesOf(list) }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top)
    .map(({ origin: key, list, bytes }) => ({
      origin: key,
      minified_kb: kb(bytes),
      gzip_kb: kb(whole - gzipBytes(without(list))),
      ...((roots.get(key)?.size ?? 1) > 1 ? { copies: roots.get(key).size } : {}),
    }));
}

/** The breakdown of a built chunk on disk (`file` and `file.map`), or null without a map. */
export async function chunkBreakdown(file, top = 15) {
  const [code, mapText] = await Promise.all([readFile(file, 'utf8'), readFile(`${file}.map`, 'utf8').catch(() => null)]);
  return mapText ? breakdown(code, JSON.parse(mapText), top) : null;
}

/** kB of 1,000 bytes, one decimal. */
export function kb(bytes) {
  return Math.round(bytes / 100) / 10;
}
