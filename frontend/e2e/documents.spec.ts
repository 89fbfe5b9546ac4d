import { readFile } from 'node:fs/promises';
import { expect, test, type Download, type Page } from '@playwright/test';
import { apiToken, bearer, expectAccessible, signIn } from './fixtures';
import { createProduct, openTill, sell } from './selling';

/** The downloaded file: a PDF named after the document's number. */
async function expectPdf(download: Download, name: RegExp): Promise<Buffer> {
  expect(download.suggestedFilename()).toMatch(name);
  const path = await download.path();
  const body = await readFile(path);
  expect(body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(body.length).toBeGreaterThan(1000);
  return body;
}

async function downloadBy(page: Page, button: RegExp): Promise<Download> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  return download;
}

test.describe('sale documents', () => {
  test('the sale page downloads the invoice and the receipt, and a refund its credit note', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const till = await openTill(page.request, token);
    const product = await createProduct(page.request, token);
    const sale = await sell(page.request, token, till, [{ product, quantity: 3 }]);

    await signIn(page, 'manager', `/sales/${sale.id}`);
    await expect(page.getByRole('heading', { level: 1, name: new RegExp(sale.invoice_number) })).toBeVisible();
    const documents = page.getByRole('group', { name: /^(documents|documentos)$/i });
    await expect(documents).toBeVisible();
    await expectAccessible(page);

    const invoice = await expectPdf(await downloadBy(page, /^(invoice|factura) \(pdf\)$/i), new RegExp(`^${sale.invoice_number}\\.pdf$`));
    await expectPdf(await downloadBy(page, /^(receipt|comprobante) \(pdf\)$/i), new RegExp(`^${sale.invoice_number}-receipt\\.pdf$`));
    // The second download is the stored file, byte for byte.
    const again = await expectPdf(await downloadBy(page, /^(invoice|factura) \(pdf\)$/i), /\.pdf$/);
    expect(again.equals(invoice)).toBe(true);

    const refund = await page.request.post(`/api/v1/sales/${sale.id}/refunds`, {
      headers: bearer(token, true),
      data: { register_id: till.registerId, lines: [{ sale_line_id: sale.lines[0].id, quantity: 1 }], method: 'cash', reason: 'Caja dañada' },
    });
    expect(refund.status()).toBe(201);
    await page.reload();
    await expectPdf(await downloadBy(page, /^(credit note|nota de crédito) \(pdf\)$/i), new RegExp(`^${sale.invoice_number}-D1\\.pdf$`));
    await expectAccessible(page);
  });
});
