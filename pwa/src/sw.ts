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
 * - Product images (`/api/v1/files/products/…`, signed URLs from the catalog pull) are kept in
 *   `IMAGE_CACHE`, cache first, keyed by the image's name without its signature: a URL signed
 *   again later still finds the stored picture, and a new image has a new name. After each pull
 *   the page sends `CACHE_IMAGES` with the pulled products' images, fetched here a few at a time,
 *   so a product looked for offline still shows its picture (`lib/image-cache.ts`).
 * - The rest of the API and `/ws` are never intercepted: the till's data lives in IndexedDB.
 */
import { CacheableResponsePlugin } from 'workbox-cacheable-response';
import { clientsClaim, type WorkboxPlugin } from 'workbox-core';
import { ExpirationPlugin } from 'workbox-expiration';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';
import { IMAGE_CACHE, MAX_CACHED_IMAGES, type CacheImagesMessage } from './lib/image-cache';

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

const IMAGE_PREFIX = '/api/v1/files/products/';
const WARM_AT_ONCE = 4;
const withoutSignature: WorkboxPlugin = {
  cacheKeyWillBeUsed: async ({ request }) => {
    const url = new URL(request.url);
    url.search = '';
    return url.href;
  },
};
const images = new CacheFirst({
  cacheName: IMAGE_CACHE,
  plugins: [
    withoutSignature,
    new CacheableResponsePlugin({ statuses: [200] }),
    new ExpirationPlugin({ maxEntries: MAX_CACHED_IMAGES, maxAgeSeconds: 400 * 24 * 3600, purgeOnQuotaError: true }),
  ],
});
registerRoute(({ url, request }) => url.origin === scope.origin && url.pathname.startsWith(IMAGE_PREFIX) && request.method === 'GET', images);

/** Fetch (into the cache) the images not there yet, `WARM_AT_ONCE` at a time; failures are skipped. */
async function warmImages(urls: string[], event: ExtendableEvent): Promise<void> {
  const cache = await caches.open(IMAGE_CACHE);
  const wanted = urls.filter((url) => new URL(url, scope).pathname.startsWith(IMAGE_PREFIX));
  for (let start = 0; start < wanted.length; start += WARM_AT_ONCE) {
    await Promise.all(
      wanted.slice(start, start + WARM_AT_ONCE).map(async (url) => {
        const request = new Request(new URL(url, scope).href);
        const key = new URL(request.url);
        key.search = '';
        if (await cache.match(key.href)) return;
        await images.handle({ event, request }).catch(() => undefined);
      }),
    );
  }
}

registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { allowlist: [new RegExp(`^${scope.pathname}`)] }));

self.addEventListener('message', (event) => {
  const message = event.data as { type?: string } | null;
  if (message?.type === 'SKIP_WAITING') void self.skipWaiting();
  if (message?.type === 'CACHE_IMAGES') event.waitUntil(warmImages((message as CacheImagesMessage).urls.slice(-MAX_CACHED_IMAGES), event));
});

clientsClaim();
