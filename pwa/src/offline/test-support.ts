/**
 * What the offline tests share: a fresh fake IndexedDB database per test, a set-up till, and
 * documents to put in it. Not shipped (only tests import it).
 */
import 'fake-indexeddb/auto';
import { PosDatabase, type DeviceCredential, type OrganizationSettings, type Product } from './db';
import type { Till } from './journal';

let counter = 0;

export const ORGANIZATION: OrganizationSettings = {
  id: '00000000-0000-4000-8000-00000000000a',
  name: 'Almacén Test',
  currency: 'CLP',
  currency_minor_units: 0,
  locale: 'es-CL',
  time_zone: 'America/Santiago',
  tax_mode: 'inclusive',
  allow_negative_stock: false,
};

export const DEVICE: DeviceCredential = {
  id: '00000000-0000-4000-8000-0000000000d1',
  credential: 'secret-credential',
  register_id: '00000000-0000-4000-8000-0000000000e1',
  register_code: 'T1',
  name: 'Test till',
  own: true,
};

export function product(overrides: Partial<Product> = {}): Product {
  counter += 1;
  return {
    id: crypto.randomUUID(),
    sku: `SKU-${counter}`,
    barcode: `780000000${String(counter).padStart(4, '0')}`,
    name: `Product ${counter}`,
    category_id: null,
    price: 1990,
    tax_rate_bp: 1900,
    unit: 'unit',
    stock: 10,
    is_active: true,
    image: null,
    ...overrides,
  };
}

/** A new database with a device installed and its counters at the start. */
export async function freshTill(overrides: { nextNumber?: number } = {}): Promise<{ db: PosDatabase; till: Till }> {
  counter += 1;
  const db = new PosDatabase(`pos-test-${counter}-${crypto.randomUUID()}`);
  await db.open();
  await db.devices.put(DEVICE);
  await db.setMeta('device', DEVICE);
  await db.setMeta('organization', ORGANIZATION);
  await db.setMeta('counters', { next_seq: 1, next_number: overrides.nextNumber ?? 1 });
  const till: Till = { db, device: DEVICE, cashier: { id: '00000000-0000-4000-8000-0000000000c1', full_name: 'Carla Cajera' }, organization: ORGANIZATION };
  return { db, till };
}
