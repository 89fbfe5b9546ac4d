/**
 * The API from Node, as another device of the shop would call it: plain HTTP/1.1 with a
 * keep-alive agent, `*.localhost` names sent to loopback (RFC 6761; Node's resolver does not
 * know them, Chromium does), JSON in and out. Timings use the wall clock (`Date.now()`, shared
 * with the browser's `performance.timeOrigin + performance.now()` on the same machine) and
 * `performance.now()` for durations.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';

const agent = new http.Agent({
  keepAlive: true,
  maxSockets: 64,
  lookup: (hostname, options, callback) => {
    if (!hostname.endsWith('.localhost')) return http.globalAgent.options.lookup?.(hostname, options, callback);
    if (options?.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
  },
});

export class ApiFailure extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path}: ${status} ${body.slice(0, 500)}`);
    this.status = status;
  }
}

/**
 * One request: resolves to `{ status, body (parsed JSON or text), ms, receivedAt }` where
 * `receivedAt` is Date.now() when the whole answer had arrived. Throws ApiFailure unless 2xx
 * (or `allow` lists the status).
 */
export async function request(origin, method, path, options = {}) {
  if (options.idempotent) options = { ...options, headers: { 'idempotency-key': randomUUID(), ...options.headers } };
  try {
    return await attempt(origin, method, path, options);
  } catch (error) {
    // The connection dropped before an answer (typically a kept-alive socket the server had
    // just closed): send once more when that is safe, a GET or a POST with its idempotency key
    // (the same key: the server answers a repeat with the first outcome).
    const safe = method === 'GET' || error.reusedSocket || Object.keys(options.headers ?? {}).some((name) => name.toLowerCase() === 'idempotency-key');
    if (error.code === 'ECONNRESET' && safe) return attempt(origin, method, path, options);
    throw error;
  }
}

function attempt(origin, method, path, { token, json, body, contentType, headers = {}, allow = [] }) {
  const url = new URL(path, origin);
  const payload = json !== undefined ? Buffer.from(JSON.stringify(json)) : body !== undefined ? Buffer.from(body) : null;
  const allHeaders = {
    accept: 'application/json',
    ...(payload ? { 'content-type': json !== undefined ? 'application/json' : (contentType ?? 'application/octet-stream'), 'content-length': payload.length } : {}),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...headers,
  };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const outgoing = http.request(url, { method, agent, headers: allHeaders }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        const receivedAt = Date.now();
        const ms = performance.now() - started;
        const text = Buffer.concat(chunks).toString('utf8');
        const status = response.statusCode ?? 0;
        if ((status < 200 || status >= 300) && !allow.includes(status)) {
          reject(new ApiFailure(method, path, status, text));
          return;
        }
        let parsed = text;
        if ((response.headers['content-type'] ?? '').includes('json') && text) parsed = JSON.parse(text);
        resolve({ status, body: parsed, ms, receivedAt, headers: response.headers });
      });
      response.on('error', reject);
    });
    outgoing.on('error', (error) => {
      error.reusedSocket = outgoing.reusedSocket;
      reject(error);
    });
    if (payload) outgoing.write(payload);
    outgoing.end();
  });
}

/** An access token through the JSON token flow (`POST /api/v1/auth/login`), as a device gets one. */
export async function login(origin, email, password) {
  const { body } = await request(origin, 'POST', '/api/v1/auth/login', { json: { email, password } });
  return body.access_token;
}

export function closeAgent() {
  agent.destroy();
}
