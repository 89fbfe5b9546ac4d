/**
 * Setting up sales for the browser suites through the API, as a till would: a register of the
 * test's own (unique code) with an open shift, a product of its own with plenty of stock, and
 * sales rung up with an idempotency key. Nothing depends on the demo shop's data or on other
 * tests, so the specs run in any order against a shared server.
 */
import { expect, type APIRequestContext } from '@playwright/test';
import { bearer } from './fixtures';

export interface Till {
  registerId: string;
  registerCode: string;
  shiftId: string;
}

export interface TestProduct {
  id: string;
  sku: string;
  name: string;
  price: number;
}

let counter = 0;

/** A short unique token: register codes allow 8 upper-case letters or digits. */
export function uniqueCode(prefix: string): string {
  counter += 1;
  return `${prefix}${(Date.now() * 10 + (counter % 10)).toString(36).toUpperCase()}`.slice(0, 8);
}

async function ok<T>(response: { ok(): boolean; status(): number; text(): Promise<string>; json(): Promise<unknown> }): Promise<T> {
  if (!response.ok()) expect(`${response.status()} ${await response.text()}`).toBe('a successful answer');
  return (await response.json()) as T;
}

/** A new register with an open shift (opening float in minor units). */
export async function openTill(request: APIRequestContext, token: string, openingFloat = 10_000): Promise<Till> {
  const code = `T${uniqueCode('').slice(-7)}`;
  const register = await ok<{ id: string; code: string }>(
    await request.post('/api/v1/registers', { headers: bearer(token), data: { code, name: `Test till ${code}` } }),
  );
  const shift = await ok<{ id: string }>(
    await request.post('/api/v1/shifts', { headers: bearer(token, true), data: { register_id: register.id, opening_float: openingFloat } }),
  );
  return { registerId: register.id, registerCode: register.code, shiftId: shift.id };
}

/** A new active product with `stock` units, tax included in its price. */
export async function createProduct(request: APIRequestContext, token: string, { price = 1_990, stock = 1_000, reorderPoint = 0 } = {}): Promise<TestProduct> {
  const sku = `E2E-${uniqueCode('P')}`;
  const product = await ok<TestProduct>(
    await request.post('/api/v1/products', {
      headers: bearer(token),
      data: { sku, name: `Test product ${sku}`, price, initial_stock: stock, reorder_point: reorderPoint },
    }),
  );
  return product;
}

export interface TestSale {
  id: string;
  invoice_number: string;
  total: number;
  lines: { id: string; quantity: number; total: number }[];
}

/** Ring up a sale online on the till's open shift, paid in cash (change given). */
export async function sell(request: APIRequestContext, token: string, till: Till, lines: { product: TestProduct; quantity: number }[]): Promise<TestSale> {
  const due = lines.reduce((sum, line) => sum + line.product.price * line.quantity, 0);
  return ok<TestSale>(
    await request.post('/api/v1/sales', {
      headers: bearer(token, true),
      data: {
        register_id: till.registerId,
        lines: lines.map((line) => ({ product_id: line.product.id, quantity: line.quantity })),
        payments: [{ method: 'cash', amount: due * 2 }],
      },
    }),
  );
}

/** A pay-in or pay-out of cash on an open shift. */
export async function moveCash(request: APIRequestContext, token: string, shiftId: string, kind: 'pay_in' | 'pay_out', amount: number, reason: string): Promise<void> {
  await ok(await request.post(`/api/v1/shifts/${shiftId}/cash-movements`, { headers: bearer(token, true), data: { kind, amount, reason } }));
}

/** Close a shift with counted amounts per method (methods left out are taken as expected). */
export async function closeShift(request: APIRequestContext, token: string, shiftId: string, counts: { method: string; counted: number }[]): Promise<void> {
  await ok(await request.post(`/api/v1/shifts/${shiftId}/close`, { headers: bearer(token, true), data: { counts, note: 'closed by the browser suite' } }));
}

/** The calendar date of now in the shop's time zone (the demo shop: America/Santiago). */
export function todayIn(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

export interface Device {
  id: string;
  credential: string;
  seq: number;
  number: number;
}

/** Register a POS device on the till's register (its credential is shown only in this answer). */
export async function registerDevice(request: APIRequestContext, token: string, till: Till): Promise<Device> {
  const answer = await ok<{ device: { id: string }; credential: string }>(
    await request.post('/api/v1/sync/devices', { headers: bearer(token), data: { register_id: till.registerId, name: `Tablet ${till.registerCode}` } }),
  );
  return { id: answer.device.id, credential: answer.credential, seq: 0, number: 0 };
}

/**
 * Push one offline sale from the device, as the POS does when it is back online. `unitPrice`
 * other than the catalog's is kept (the till already charged it) and files a `price_changed`
 * conflict. Answers the document's id (the sale's id) and its settlement status.
 */
export async function pushOfflineSale(
  request: APIRequestContext,
  token: string,
  device: Device,
  till: Till,
  { product, quantity, unitPrice = product.price, cashierId }: { product: TestProduct; quantity: number; unitPrice?: number; cashierId: string },
): Promise<{ saleId: string; status: string }> {
  device.seq += 1;
  device.number += 1;
  const saleId = crypto.randomUUID();
  const document = {
    kind: 'sale',
    id: saleId,
    seq: device.seq,
    device_time: new Date().toISOString(),
    cashier_id: cashierId,
    shift_id: till.shiftId,
    number: device.number,
    lines: [{ product_id: product.id, quantity, unit_price: unitPrice }],
    payments: [{ method: 'cash', amount: unitPrice * quantity * 2 }],
  };
  const answer = await ok<{ results: { status: string }[] }>(
    await request.post('/api/v1/sync/sales', { headers: { ...bearer(token), 'x-device-key': device.credential }, data: { device_id: device.id, sales: [document] } }),
  );
  return { saleId, status: answer.results[0].status };
}
