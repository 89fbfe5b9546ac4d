/**
 * Service-worker updates, never in the middle of a sale: a new version installs in the
 * background and waits; the frame then offers to install it, and only lets the cashier do so
 * between sales (no ticket open). Installing tells the waiting worker to take over and reloads
 * the page; until then the page keeps running the version it started with, whose files the
 * worker keeps (`sw.ts`). The worker is checked for updates every 30 minutes.
 */
import { registerSW } from 'virtual:pwa-register';
import { runtime } from '../lib/runtime';

const CHECK_EVERY_MS = 30 * 60_000;

export function startUpdater(): void {
  if (!('serviceWorker' in navigator)) return;
  const update = registerSW({
    immediate: true,
    onNeedRefresh: () =>
      runtime.setUpdater(async () => {
        // The new worker takes control once told to skip waiting; the page then reloads onto it.
        navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), { once: true });
        await update(true);
      }),
    onRegisteredSW: (_url, registration) => {
      if (registration) setInterval(() => void registration.update().catch(() => undefined), CHECK_EVERY_MS);
    },
  });
}
