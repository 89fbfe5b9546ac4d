/**
 * Debian's Chromium driven by Playwright, as the browser suites run it, and the probes the
 * benchmark puts into pages. Every time is taken inside the page as `performance.timeOrigin +
 * performance.now()` (or an event's `timeStamp` on the same origin): wall-clock milliseconds on
 * the machine's clock, comparable with `Date.now()` in Node on the same machine.
 */
import { chromium } from '@playwright/test';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/** A fresh context (empty cache, no cookies) at 1280 × 800, in Spanish as the demo shop. */
export async function freshPage(browser, origin) {
  const context = await browser.newContext({ baseURL: origin, viewport: { width: 1280, height: 800 }, locale: 'es-CL' });
  await context.addInitScript(() => {
    const clock = () => performance.timeOrigin + performance.now();
    window.__bench = { clock, submitAt: null, keys: [] };
    addEventListener(
      'click',
      (event) => {
        if (event.target instanceof Element && event.target.closest('button[type=submit]')) window.__bench.submitAt = performance.timeOrigin + event.timeStamp;
      },
      true,
    );
    addEventListener('keydown', (event) => window.__bench.keys.push({ key: event.key, at: performance.timeOrigin + event.timeStamp }), true);
  });
  const page = await context.newPage();
  return { context, page };
}

/**
 * Start watching the document for the first moment `predicate` holds (a self-contained function
 * of one argument, evaluated in the page after each batch of DOM changes, so the time is that of
 * the change, before it is painted). Returns `wait(timeoutMs)`, resolving to that page-clock
 * time, or null on timeout. Install it before the action whose effect it times.
 */
export async function watch(page, predicate, argument) {
  const id = await page.evaluate(
    ([source, value]) => {
      const check = new Function('value', `return (${source})(value);`);
      const bench = window.__bench;
      bench.watches ??= [];
      const entry = { at: null, cancel: () => undefined };
      entry.promise = new Promise((resolve) => {
        const done = (at) => {
          observer.disconnect();
          entry.at = at;
          resolve(at);
        };
        const observer = new MutationObserver(() => {
          if (entry.at === null && check(value)) done(bench.clock());
        });
        entry.cancel = () => done(null);
        observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
        if (check(value)) done(bench.clock());
      });
      bench.watches.push(entry);
      return bench.watches.length - 1;
    },
    [predicate.toString(), argument],
  );
  return async (timeoutMs = 30_000) => {
    const timer = setTimeout(() => void page.evaluate((k) => window.__bench.watches[k].cancel(), id).catch(() => undefined), timeoutMs);
    try {
      return await page.evaluate((k) => window.__bench.watches[k].promise, id);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Fill the sign-in form (not timed) and return the submit button. */
export async function fillSignIn(page, email, password) {
  await page.goto('/sign-in', { waitUntil: 'networkidle' });
  await page.getByLabel(/email|correo/i).fill(email);
  await page.getByLabel(/password|contraseña/i).fill(password);
  return page.getByRole('button', { name: /sign in|entrar/i });
}
