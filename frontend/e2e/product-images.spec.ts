/**
 * A product's photo in the web app against the real server: added from the product's page,
 * shown there and as a thumbnail in the list, replaced, refused when it is not an image (by the
 * page first, by the server's content check after), and removed after a confirmation; in
 * English and Spanish, on a laptop and a phone.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { crc32 } from 'node:zlib';
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

/** A zip (stored, no compression) of `files`: what a shop's photo folder zipped looks like. */
function zipOf(files: Record<string, Buffer>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(files)) {
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
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

  test('photos from a zip named by SKU: checked first, then stored, the unusable files listed', async ({ page, request }) => {
    await useLanguage(page, 'en');
    const token = await apiToken(request, 'manager');
    const first = await createProduct(request, token);
    const second = await createProduct(request, token);
    const zip = zipOf({
      [`${first.sku}.png`]: await pngOf(page, '#c60'),
      [`photos/${second.sku}.PNG`]: await pngOf(page, '#06c'),
      'NO-SUCH-SKU.png': await pngOf(page, '#999'),
      '../escape.png': await pngOf(page, '#000'),
    });
    await signIn(page, 'manager', '/products/import');
    await expect(page.getByRole('heading', { name: 'Photos from a zip' })).toBeVisible();
    await page.getByLabel('Zip of photos').setInputFiles({ name: 'photos.zip', mimeType: 'application/zip', buffer: zip });
    await expect(page.getByTestId('images-zip-summary')).toHaveText('Checked: 2 photos of 4 files can be set.');
    await expect(page.getByText(/2 files can’t be used/)).toBeVisible();
    await expect(page.getByText(/no product has the SKU 'NO-SUCH-SKU'/)).toBeVisible();
    await expect(page.getByText(/may not hold a path/)).toBeVisible();
    await expectAccessible(page);
    // Nothing stored by the check.
    const before = await (await request.get(`/api/v1/products/${first.id}`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(before.image).toBeNull();
    await page.getByRole('button', { name: 'Set 2 photos' }).click();
    await expect(page.getByTestId('images-zip-summary')).toHaveText('2 photos set (0 already the same).');
    for (const product of [first, second]) {
      const read = await (await request.get(`/api/v1/products/${product.id}`, { headers: { authorization: `Bearer ${token}` } })).json();
      expect(read.image?.grid).toMatch(/-grid\.webp\?/);
    }
  });
});
