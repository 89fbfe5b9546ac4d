/**
 * Product pictures on the till: the catalog pull brings each product's image URL, the service
 * worker fetches and keeps the images right after the pull, and with the network gone a product
 * the cashier had never looked for still shows its picture in the search results.
 */
import { expect, test } from '@playwright/test';
import { bearer } from '../../frontend/e2e/fixtures';
import { createProduct, createShop, ok, openShift, setUpTill, unlock } from './pos';

test('a product image is cached after the pull and shown offline', async ({ page, context, request }) => {
  test.setTimeout(120_000);
  const shop = await createShop(request);
  const product = await createProduct(request, shop.manager);
  const plain = await createProduct(request, shop.manager);
  await page.setContent('<div style="width:320px;height:320px;background:#e80"></div>');
  const png = await page.screenshot({ clip: { x: 0, y: 0, width: 320, height: 320 } });
  const image = await ok<{ grid: string }>(
    await request.put(`/api/v1/products/${product.id}/image`, { headers: { ...bearer(shop.manager), 'content-type': 'image/png' }, data: png }),
  );

  await setUpTill(page, request, shop);
  // The pull asked the service worker to keep the picture: it is in its cache, keyed without the signature.
  const stored = image.grid.split('?')[0];
  await expect
    .poll(() => page.evaluate(async () => (await (await caches.open('orbit-pos-images')).keys()).map((request) => new URL(request.url).pathname)), { timeout: 20_000 })
    .toContain(stored);

  await context.setOffline(true);
  await page.reload();
  await unlock(page, shop.cashier.name);
  await openShift(page, '10000');
  const search = page.getByRole('combobox');
  await search.fill(product.name);
  const result = page.getByRole('option', { name: new RegExp(product.name) });
  const picture = result.locator('img');
  await expect(picture).toBeVisible();
  await expect.poll(() => picture.evaluate((element) => (element as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  expect(await picture.getAttribute('src')).toBe(image.grid);
  await page.screenshot({ path: test.info().outputPath('offline-result.png') });

  // A product without an image shows an empty frame, not a broken picture.
  await search.fill(plain.name);
  await expect(page.getByRole('option', { name: new RegExp(plain.name) }).locator('img')).toHaveCount(0);
  await context.setOffline(false);
});
