/// <reference lib="webworker" />
/**
 * The POS's service worker (Workbox 7.4).
 *
 * - The whole shell (HTML, every script and style, icons, manifest) is precached, and every
 *   navigation under `/pos/` is answered with the precached `index.html`: after one visit the
 *   till starts with no network at all.
 * - A new version installs in the background and then waits: the page asks the cashier and sends
 *   `SKIP_WAITING` between sales (`app/updater.ts`), never in the middle of one.
 * - Old versions' scripts stay available: every asset of every installed version is also copied
 *   into `KEEP_CACHE`, which activation never clears, so a page still running an older version
 *   can load any chunk it asks for, even after the server deleted it and a newer version took
 *   over. Hashed files never change, so serving them from a cache is always right.
 * - The API and `/ws` are never intercepted: the till's data lives in IndexedDB, not here.
 */
import { clientsClaim } from 'workbox-core';
import { ExpirationPlugin } from 'workbox-expiration';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';

declare let self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (PrecacheEntry | string)[] };

const KEEP_CACHE = 'orbit-pos-assets';
const manifest = self.__WB_MANIFEST;
const scope = new URL(self.registration.scope);
const assetPrefix = `${scope.pathname}assets/`;

precacheAndRoute(manifest);
cleanupOutdatedCaches();

self.addEventListener('install', (event) => {
  const assets = manifest.map((entry) => (typeof entry === 'string' ? entry : entry.url)).filter((url) => url.startsWith('assets/'));
  event.waitUntil(caches.open(KEEP_CACHE).then((cache) => cache.addAll(assets)));
});

registerRoute(
  ({ url, request }) => url.origin === scope.origin && url.pathname.startsWith(assetPrefix) && request.method === 'GET',
  new CacheFirst({ cacheName: KEEP_CACHE, plugins: [new ExpirationPlugin({ maxEntries: 400, maxAgeSeconds: 90 * 24 * 3600 })] }),
);

registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { allowlist: [new RegExp(`^${scope.pathname}`)] }));

self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

clientsClaim();
