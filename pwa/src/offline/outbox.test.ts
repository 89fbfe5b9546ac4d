/**
 * The outbox's state machine and numbering: every arrow of the diagram in `outbox.ts`, no other;
 * sequence and invoice numbers without gaps or repeats, whatever fails or races; nothing final
 * deleted before the server settled it.
 */
import 'fake-indexeddb/auto';
import { forceCloseDatabase } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { PosDatabase, type DocumentResult, type OutboxEntry, type OutboxState } from './db';
import { recordCustomer, recordSale, openShift } from './journal';
import {
  TransitionError,
  applyEvent,
  commitDocument,
  followRegisterNumber,
  purgeSettled,
  readCounters,
  recoverInterrupted,
  transition,
  unsentEntries,
  unsyncedCount,
} from './outbox';
import { DEVICE, freshTill, product } from './test-support';

function entry(state: OutboxState): OutboxEntry {
  return {
    device_id: DEVICE.id,
    seq: 1,
    id: crypto.randomUUID(),
    kind: 'shift_open',
    document: { kind: 'shift_open', id: 'x', seq: 1, device_time: new Date(0).toISOString(), cashier_id: 'c', opening_float: 0 },
    state,
    attempts: 0,
    created_at: 0,
    updated_at: 0,
    label: 'T1',
  };
}

function result(status: DocumentResult['status'], extra: Partial<DocumentResult> = {}): DocumentResult {
  return { id: 'x', seq: 1, kind: 'sale', status, code: null, message: null, sale_id: null, invoice_number: null, conflicts: [], ...extra };
}

describe('transition', () => {
  it('follows every arrow of the diagram', () => {
    const sent = transition(entry('pending'), { type: 'send', at: 1 });
    expect(sent).toMatchObject({ state: 'syncing', attempts: 1 });
    expect(transition(sent, { type: 'answer', at: 2, result: result('applied') })).toMatchObject({ state: 'acknowledged', outcome: 'applied' });
    expect(transition(sent, { type: 'answer', at: 2, result: result('applied_with_conflict') })).toMatchObject({ state: 'acknowledged', outcome: 'applied_with_conflict' });
    expect(transition(sent, { type: 'answer', at: 2, result: result('rejected', { code: 'payments_short' }) })).toMatchObject({ state: 'dead_letter', outcome: 'rejected' });
    const retrying = transition(sent, { type: 'transient', at: 2, error: 'network', retryAt: 10 });
    expect(retrying).toMatchObject({ state: 'retrying', last_error: 'network', next_attempt_at: 10 });
    expect(transition(retrying, { type: 'send', at: 11 })).toMatchObject({ state: 'syncing', attempts: 2 });
    expect(transition(sent, { type: 'unanswered', at: 2 })).toMatchObject({ state: 'pending' });
  });

  it('reads a duplicate as the stored answer: with conflicts it was applied with conflict', () => {
    const sent = transition(entry('pending'), { type: 'send', at: 1 });
    expect(transition(sent, { type: 'answer', at: 2, result: result('duplicate') })).toMatchObject({ state: 'acknowledged', outcome: 'applied' });
    const withConflict = result('duplicate', { conflicts: [{ code: 'negative_stock', message: 'x', product_id: null }] });
    expect(transition(sent, { type: 'answer', at: 2, result: withConflict })).toMatchObject({ state: 'acknowledged', outcome: 'applied_with_conflict' });
  });

  it('refuses every move the diagram has no arrow for', () => {
    const invalid: [OutboxState, Parameters<typeof transition>[1]][] = [
      ['syncing', { type: 'send', at: 0 }],
      ['acknowledged', { type: 'send', at: 0 }],
      ['dead_letter', { type: 'send', at: 0 }],
      ['pending', { type: 'answer', at: 0, result: result('applied') }],
      ['retrying', { type: 'answer', at: 0, result: result('applied') }],
      ['acknowledged', { type: 'answer', at: 0, result: result('applied') }],
      ['pending', { type: 'transient', at: 0, error: 'x', retryAt: 0 }],
      ['acknowledged', { type: 'unanswered', at: 0 }],
      ['dead_letter', { type: 'unanswered', at: 0 }],
    ];
    for (const [state, event] of invalid) expect(() => transition(entry(state), event)).toThrow(TransitionError);
  });
});

describe('commitDocument and numbering', () => {
  it('numbers every kind in one sequence and only sales in the invoice series', async () => {
    const { db, till } = await freshTill({ nextNumber: 41 });
    const milk = product();
    const shift = await openShift(till, 10_000);
    const customer = await recordCustomer(till, { name: 'Pedro', tax_id: null, email: null, phone: null });
    const first = await recordSale(till, { lines: [{ product: milk, quantity: 1, discount: 0 }], discount: 0, customer }, [{ method: 'cash', amount: 2000 }], shift.id);
    const second = await recordSale(till, { lines: [{ product: milk, quantity: 2, discount: 0 }], discount: 0, customer: null }, [{ method: 'card', amount: 3980 }], shift.id);
    const entries = await db.outbox.toArray();
    expect(entries.map((e) => [e.seq, e.kind])).toEqual([
      [1, 'shift_open'],
      [2, 'customer'],
      [3, 'sale'],
      [4, 'sale'],
    ]);
    expect([first.invoice_number, second.invoice_number]).toEqual(['T1-41', 'T1-42']);
    expect(await readCounters(db)).toEqual({ next_seq: 5, next_number: 43 });
    expect(entries[2].document).toMatchObject({ kind: 'sale', seq: 3, number: 41, customer_id: customer.id, shift_id: shift.id });
    expect(await db.sales.get(first.id)).toMatchObject({ total: 1990, change_total: 10 });
    expect(await db.customers.get(customer.id)).toMatchObject({ name: 'Pedro', pending: true });
  });

  it('leaves no trace of a document whose journal failed: no gap, no number used', async () => {
    const { db, till } = await freshTill();
    await expect(
      commitDocument(db, {
        kind: 'shift_open',
        deviceId: DEVICE.id,
        build: ({ id, seq, device_time }) => ({
          document: { kind: 'shift_open', id, seq, device_time, cashier_id: till.cashier.id, opening_float: 0 },
          label: 'x',
          journal: async () => {
            throw new Error('disk full');
          },
        }),
      }),
    ).rejects.toThrow('disk full');
    expect(await db.outbox.count()).toBe(0);
    expect(await readCounters(db)).toEqual({ next_seq: 1, next_number: 1 });
    await openShift(till, 0);
    expect((await db.outbox.toArray()).map((e) => e.seq)).toEqual([1]);
  });

  it('gives two connections racing for numbers distinct, gapless sequences', async () => {
    const { db, till } = await freshTill();
    const other = new PosDatabase(db.name);
    await other.open();
    const milk = product();
    const sell = (database: PosDatabase) =>
      recordSale({ ...till, db: database }, { lines: [{ product: milk, quantity: 1, discount: 0 }], discount: 0, customer: null }, [{ method: 'cash', amount: 1990 }], null);
    const sales = await Promise.all(Array.from({ length: 20 }, (_, index) => sell(index % 2 ? db : other)));
    expect(sales.map((sale) => sale.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect((await db.outbox.toArray()).map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
  });

  it('keeps writing after the browser dropped the connection', async () => {
    const { db, till } = await freshTill();
    await openShift(till, 0);
    forceCloseDatabase(db.backendDB() as unknown as Parameters<typeof forceCloseDatabase>[0]);
    await openShift(till, 0);
    expect((await db.outbox.toArray()).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('lets the invoice counter follow the register forward, never back', async () => {
    const { db } = await freshTill({ nextNumber: 10 });
    await followRegisterNumber(db, 4);
    expect((await readCounters(db)).next_number).toBe(10);
    await followRegisterNumber(db, 20);
    expect((await readCounters(db)).next_number).toBe(21);
  });
});

describe('keeping and purging', () => {
  it('puts documents left syncing by a dead tab back to pending', async () => {
    const { db, till } = await freshTill();
    await openShift(till, 0);
    await applyEvent(db, DEVICE.id, [1], () => ({ type: 'send', at: 1 }));
    expect(await recoverInterrupted(db)).toBe(1);
    expect((await unsentEntries(db, DEVICE.id)).map((e) => e.state)).toEqual(['pending']);
  });

  it('deletes only final documents the server settled, and only old ones', async () => {
    const { db, till } = await freshTill();
    for (let i = 0; i < 4; i += 1) await openShift(till, 0);
    await applyEvent(db, DEVICE.id, [1, 2, 3], () => ({ type: 'send', at: 0 }));
    await applyEvent(db, DEVICE.id, [1, 2], (e) => ({ type: 'answer', at: 0, result: result('applied', { id: e.id, seq: e.seq }) }));
    await applyEvent(db, DEVICE.id, [3], () => ({ type: 'transient', at: 0, error: 'x', retryAt: 1 }));
    expect(await unsyncedCount(db)).toBe(2);
    // The server reported last_seq 1: document 2 is final here but not known settled there.
    expect(await purgeSettled(db, DEVICE.id, 1, { keepMs: 0, now: 10 })).toBe(1);
    expect((await db.outbox.toArray()).map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(await purgeSettled(db, DEVICE.id, 4, { keepMs: 60_000, now: 10 })).toBe(0);
    expect(await purgeSettled(db, DEVICE.id, 4, { keepMs: 0, now: 10 })).toBe(1);
    expect((await db.outbox.toArray()).map((e) => e.seq)).toEqual([3, 4]);
  });
});
