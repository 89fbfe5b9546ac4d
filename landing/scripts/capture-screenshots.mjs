/**
 * Takes the product screenshots the landing pages show, from a running system with the demo
 * shop (`make demo`, or the browser suites' server), in both languages, as WebP under
 * `src/assets/screens/` (the build resizes them for each screen). Run it again when the
 * product's look changes:
 *
 *   node landing/scripts/capture-screenshots.mjs [shop URL, default http://demo.orbitengine.localhost:8765]
 */
import { chromium } from '@playwright/test';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const shop = process.argv[2] ?? 'http://demo.orbitengine.localhost:8765';
const folder = fileURLToPath(new URL('../src/assets/screens/', import.meta.url));
const screens = [
  { name: 'dashboard', path: '/', ready: 'main h1' },
  { name: 'forecasts', path: '/forecasts?tab=reorder', ready: 'main table' },
  { name: 'products', path: '/products', ready: 'main table' },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  for (const language of ['es', 'en']) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1.5 });
    await context.addInitScript((chosen) => localStorage.setItem('orbit.language', chosen), language);
    const page = await context.newPage();
    await page.goto(`${shop}/sign-in`);
    const status = await page.evaluate(async () => {
      const response = await fetch('/api/v1/auth/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'manager@demo.example', password: 'demo-manager-2026' }),
      });
      return response.status;
    });
    if (status !== 200) throw new Error(`sign-in failed: ${status}`);
    for (const screen of screens) {
      await page.goto(shop + screen.path);
      await page.locator(screen.ready).first().waitFor();
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(1500);
      const png = await page.screenshot({ type: 'png' });
      const webp = await page.evaluate(async (base64) => {
        const image = new Image();
        image.src = `data:image/png;base64,${base64}`;
        await image.decode();
        const canvas = new OffscreenCanvas(image.naturalWidth, image.naturalHeight);
        canvas.getContext('2d').drawImage(image, 0, 0);
        const blob = await canvas.convertToBlob({ type: 'image/webp', quality: 0.9 });
        const url = await new Promise((resolve) => {
          const reader = new FileReader();
          reader.onload = () => resolve(String(reader.result));
          reader.readAsDataURL(blob);
        });
        return url.slice(url.indexOf(',') + 1);
      }, png.toString('base64'));
      await writeFile(`${folder}${screen.name}-${language}.webp`, Buffer.from(webp, 'base64'));
      console.log(`${screen.name}-${language}.webp`);
    }
    await context.close();
  }
} finally {
  await browser.close();
}
