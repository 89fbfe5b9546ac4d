/**
 * A product's photo in the web app against the real server: added from the product's page,
 * shown there and as a thumbnail in the list, replaced, refused when it is not an image (by the
 * page first, by the server's content check after), and removed after a confirmation; in
 * English and Spanish, on a laptop and a phone.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { createProduct, expectNoHorizontalOverflow, useLanguage } from './catalog';
import { apiToken, expectAccessible, signIn } from './fixtures';

/** A real PNG: a screenshot of a block of colour. */
async function pngOf(page: Page, colour: string): Promise<Buffer> {
  const scratch = await page.context().newPage();
  await scratch.setContent(`<div style="width:320px;height:240px;background:${colour}"></div>`);
  const png = await scratch.screenshot({ clip: { x: 0, y: 0, width: 320, height: 240 } });
  await scratch.close();
  return png;
}

async function loaded(image: Locator): Promise<void> {
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((element) => (element as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
}

function fileInput(page: Page): Locator {
  return page.locator('input[type="file"]');
}

test.describe('product images', () => {
  test('add, show in the list, replace, refuse a non-image, remove', async ({ page, request }) => {
    await useLanguage(page, 'en');
    const token = await apiToken(request, 'manager');
    const product = await createProduct(request, token);
    await signIn(page, 'manager', `/products/${product.id}`);
    await expect(page.getByRole('heading', { level: 1, name: product.name })).toBeVisible();
    await expect(page.getByText(/no photo yet/i)).toBeVisible();
    await expectAccessible(page);

    await fileInput(page).setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: await pngOf(page, '#d22') });
    const photo = page.getByRole('img', { name: `Photo of ${product.name}` });
    await loaded(photo);
    await expect(page.getByText('Photo added', { exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: /replace photo/i })).toBeVisible();
    await expectAccessible(page);
    const firstSource = await photo.getAttribute('src');
    expect(firstSource).toMatch(/^\/api\/v1\/files\/products\/.+-detail\.webp\?expires=\d+&signature=/);

    // The list shows it as a thumbnail at the start of the product's row.
    await page.goto(`/products?q=${encodeURIComponent(product.sku)}`);
    const row = page.getByRole('row').filter({ hasText: product.name });
    await loaded(row.locator('img'));
    expect(await row.locator('img').getAttribute('src')).toMatch(/-thumb\.webp\?/);

    await page.goto(`/products/${product.id}`);
    await fileInput(page).setInputFiles({ name: 'blue.png', mimeType: 'image/png', buffer: await pngOf(page, '#22d') });
    await expect(page.getByText('Photo replaced', { exact: true })).toBeVisible();
    await expect(photo).not.toHaveAttribute('src', firstSource!);
    await loaded(photo);

    // Refused by the page (a text file), then by the server (text that claims to be a JPEG).
    await fileInput(page).setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') });
    await expect(page.getByRole('alert')).toHaveText(/choose a jpeg, png or webp image/i);
    await fileInput(page).setInputFiles({ name: 'fake.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a photo either, only its name') });
    await expect(page.getByRole('alert')).toHaveText(/not a jpeg, png or webp image/i);
    await loaded(photo);

    await page.getByRole('button', { name: /remove photo/i }).click();
    const dialog = page.getByRole('dialog', { name: /remove the photo/i });
    await expectAccessible(page);
    await dialog.getByRole('button', { name: /remove photo/i }).click();
    await expect(dialog).toBeHidden();
    await expect(photo).toHaveCount(0);
    await expect(page.getByText(/no photo yet/i)).toBeVisible();
  });

  test('in Spanish on a phone', async ({ page, request }) => {
    await useLanguage(page, 'es');
    const token = await apiToken(request, 'manager');
    const product = await createProduct(request, token);
    await signIn(page, 'manager', `/products/${product.id}`);
    await page.setViewportSize({ width: 375, height: 800 });
    await expect(page.getByText(/aún no tiene foto/i)).toBeVisible();
    await fileInput(page).setInputFiles({ name: 'verde.png', mimeType: 'image/png', buffer: await pngOf(page, '#2a2') });
    await loaded(page.getByRole('img', { name: `Foto de ${product.name}` }));
    await expect(page.getByText('Foto agregada', { exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: /reemplazar foto/i })).toBeVisible();
    // The server's refusal, by its code, in Spanish.
    await fileInput(page).setInputFiles({ name: 'falsa.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('solo el nombre es de foto') });
    await expect(page.getByRole('alert')).toHaveText('El archivo no es una imagen JPEG, PNG ni WebP.');
    await expectNoHorizontalOverflow(page, 375);
    await expectAccessible(page);
    await page.goto(`/products?q=${encodeURIComponent(product.sku)}`);
    await loaded(page.getByRole('row').filter({ hasText: product.name }).locator('img'));
    await expectNoHorizontalOverflow(page, 375);
  });
});
