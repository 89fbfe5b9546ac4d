/**
 * A sale's documents at the till: the receipt printed from the screen and the invoice's PDF,
 * from the sale just made and from the sale history (the refunds screen's recent sales).
 */
import { readFile } from 'node:fs/promises';
import { expect, test, type Download, type Page } from '@playwright/test';
import { bearer, expectAccessible } from '../../frontend/e2e/fixtures';
import { createProduct, createShop, ok, openShift, pay, scan, setUpTill, unlock } from './pos';

async function expectPdf(download: Download, invoice: string): Promise<void> {
  expect(download.suggestedFilename()).toBe(`${invoice}.pdf`);
  const body = await readFile(await download.path());
  expect(body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(body.length).toBeGreaterThan(1000);
}

async function invoicePdf(page: Page, scope: ReturnType<Page['getByRole']> | Page): Promise<Download> {
  const [download] = await Promise.all([page.waitForEvent('download'), scope.getByRole('button', { name: /^(invoice|factura) \(pdf\)$/i }).click()]);
  return download;
}

test('the sale just made and a sale from the history print their receipt and download their invoice PDF; offline the receipt prints and the invoice waits for the network', async ({ context, page, request }) => {
  const shop = await createShop(request);
  const product = await createProduct(request, shop.manager, { price: 2_490, stock: 20 });
  await setUpTill(page, request, shop);
  await unlock(page, shop.cashier.name);
  await openShift(page);

  await scan(page, product.barcode);
  await scan(page, product.barcode);
  await pay(page, [{ method: /^(cash|efectivo)$/i }]);
  const dialog = page.getByRole('dialog');
  const invoice = `${shop.registerCode}-1`;
  await expect(dialog.getByTestId('receipt')).toContainText(invoice);
  // The print view holds the receipt that window.print() prints.
  await expect(page.locator('#print-area').getByTestId('receipt')).toContainText(invoice);
  await expectAccessible(page);

  // Once the sale has reached the server, its invoice is a PDF.
  await expect(page.getByTestId('queue-count')).toHaveCount(0, { timeout: 30_000 });
  const sales = await ok<{ items: { id: string; invoice_number: string }[] }>(
    await request.get(`/api/v1/sales?register_id=${shop.registerId}`, { headers: bearer(shop.manager) }),
  );
  expect(sales.items.map((sale) => sale.invoice_number)).toEqual([invoice]);
  await expectPdf(await invoicePdf(page, dialog), invoice);
  await dialog.getByRole('button', { name: /^(new sale|nueva venta)$/i }).click();

  // From the history: the recent sales of the refunds screen.
  await page.getByRole('button', { name: /^(refunds|devoluciones)/i }).click();
  await page.getByRole('button', { name: new RegExp(`(refund|devolver) ${invoice}`, 'i') }).click();
  await expect(page.getByRole('button', { name: /^(print receipt|imprimir boleta)$/i })).toBeVisible();
  await expect(page.locator('#print-area').getByTestId('receipt')).toContainText(invoice);
  await expectPdf(await invoicePdf(page, page), invoice);
  await expectAccessible(page);

  // A sale made offline: its receipt prints; its invoice needs the network, then exists once it is sent.
  await context.setOffline(true);
  await page.getByRole('button', { name: /^(sell|vender)/i }).click();
  await scan(page, product.barcode);
  await pay(page, [{ method: /^(cash|efectivo)$/i }]);
  const offlineInvoice = `${shop.registerCode}-2`;
  await expect(page.locator('#print-area').getByTestId('receipt')).toContainText(offlineInvoice);
  await dialog.getByRole('button', { name: /^(invoice|factura) \(pdf\)$/i }).click();
  // The toast's text, and for a moment its screen-reader announcement too: the first is the toast.
  await expect(page.getByText(/the invoice needs the network|la factura necesita la red/i).first()).toBeVisible();
  await context.setOffline(false);
  await expect(page.getByTestId('queue-count')).toHaveCount(0, { timeout: 30_000 });
  await expectPdf(await invoicePdf(page, dialog), offlineInvoice);
});
