/**
 * Product images for offline ring-up: the service worker keeps every image it has served or
 * been asked to fetch (`sw.ts`, cache `IMAGE_CACHE`, keyed by the image's name without its
 * signature). After each catalog pull the till asks it to fetch the images that came, so a
 * product first looked for with the network gone still shows its picture.
 */
export const IMAGE_CACHE = 'orbit-pos-images';
/** The most images kept (the least recently used go first). */
export const MAX_CACHED_IMAGES = 3000;

export interface CacheImagesMessage {
  type: 'CACHE_IMAGES';
  urls: string[];
}

/** The image URLs of pulled products, the newest last, at most `MAX_CACHED_IMAGES`. */
export function imageUrls(products: readonly { image?: string | null }[]): string[] {
  return products.flatMap((product) => (product.image ? [product.image] : [])).slice(-MAX_CACHED_IMAGES);
}

export function cacheImages(urls: string[]): void {
  if (!urls.length || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  void navigator.serviceWorker.ready.then((registration) => registration.active?.postMessage({ type: 'CACHE_IMAGES', urls } satisfies CacheImagesMessage));
}
