/** Exporting a till's queue and importing it on another: same documents, same device, once. */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DEVICE, ORGANIZATION, freshTill, product } from './test-support';
import { openShift, recordSale } from './journal';
import { QueueFileError, exportQueue, importQueue } from './queue-file';
import { applyEvent } from './outbox';

describe('queue file', () => {
  it('carries the unsent documents byte for byte, and importing twice adds nothing', async () => {
    const { db, till } = await freshTill();
    const shift = await openShift(till, 0);
    await recordSale(till, { lines: [{ product: product(), quantity: 1, discount: 0 }], discount: 0, customer: null }, [{ method: 'cash', amount: 1990 }], shift.id);
    await applyEvent(db, DEVICE.id, [1], () => ({ type: 'send', at: 0 }));
    await applyEvent(db, DEVICE.id, [1], (e) => ({
      type: 'answer',
      at: 0,
      result: { id: e.id, seq: 1, kind: 'shift_open', status: 'applied', code: null, message: null, sale_id: null, invoice_number: null, conflicts: [] },
    }));
    const file = await exportQueue(db, ORGANIZATION.id);
    expect(file.queues).toHaveLength(1);
    expect(file.queues[0].documents.map((d) => d.seq)).toEqual([2]);

    const { db: other } = await freshTill();
    await other.devices.clear();
    await other.deleteMeta('device');
    const text = JSON.stringify(file);
    expect(await importQueue(other, text, ORGANIZATION.id)).toBe(1);
    expect(await importQueue(other, text, ORGANIZATION.id)).toBe(0);
    const [imported] = await other.outbox.toArray();
    expect(imported).toMatchObject({ device_id: DEVICE.id, seq: 2, state: 'pending' });
    expect(imported.document).toEqual((await db.outbox.get([DEVICE.id, 2]))!.document);
    expect(await other.devices.get(DEVICE.id)).toMatchObject({ own: false, credential: DEVICE.credential });
  });

  it('refuses files that are not queues of this shop', async () => {
    const { db } = await freshTill();
    await expect(importQueue(db, 'not json', ORGANIZATION.id)).rejects.toThrow(QueueFileError);
    await expect(importQueue(db, JSON.stringify({ format: 'x' }), ORGANIZATION.id)).rejects.toThrow(QueueFileError);
    const file = await exportQueue(db, 'another-shop');
    await expect(importQueue(db, JSON.stringify(file), ORGANIZATION.id)).rejects.toMatchObject({ reason: 'organization' });
  });
});
