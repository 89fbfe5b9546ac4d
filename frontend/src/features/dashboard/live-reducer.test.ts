import { describe, expect, it } from 'vitest';
import type { RealtimeEvent, Topic } from '@orbit/shared/realtime/client';
import { initialLiveState, liveReducer, type DashboardSummary, type LiveAction, type LiveState } from './live-reducer';

// The shop is in Santiago (UTC−3 in January): 13:xx UTC is 10:xx local.
const AS_OF = '2026-01-15T13:00:00Z';

function summary(overrides: Partial<DashboardSummary> = {}): DashboardSummary {
  const hours = (revenue: number) => Array.from({ length: 24 }, (_, hour) => ({ hour, revenue: hour === 9 ? revenue : 0, tickets: hour === 9 ? 2 : 0 }));
  return {
    as_of: AS_OF,
    day: '2026-01-15',
    last_week_day: '2026-01-08',
    time_zone: 'America/Santiago',
    currency: 'CLP',
    today: { revenue: 3_000, sales_total: 3_000, refunds: 0, refunds_count: 0, tickets: 2, average_ticket: 1_500, units: 3 },
    hours_today: hours(3_000),
    hours_last_week: hours(5_000),
    top_products: [
      { product_id: 'p-coffee', name: 'Coffee', units: 2, revenue: 2_000 },
      { product_id: 'p-tea', name: 'Tea', units: 1, revenue: 1_000 },
    ],
    low_stock: { count: 1, items: [{ product_id: 'p-milk', sku: 'MILK', name: 'Milk', stock: 2, reorder_point: 5, shortfall: 3 }] },
    open_conflicts: 1,
    registers: [
      { register_id: 'r-1', code: 'R1', name: 'Front', open_shift_id: 's-1', online: true, last_seen_at: '2026-01-15T12:59:00Z', queued_sales: 0, presence_version: 4 },
    ],
    counted_sales: [],
    counted_refunds: [],
    ...overrides,
  };
}

let sequence = 0;
function event(topic: Topic, type: string, data: Record<string, unknown>, at = '2026-01-15T13:00:05Z', id?: string): RealtimeEvent {
  sequence += 1;
  return { v: 1, id: id ?? `${1_768_482_005_000 + sequence}-0`, topic, type, at, data };
}

function sale(saleId: string, total: number, soldAt = '2026-01-15T13:00:04Z', lines = [{ product_id: 'p-coffee', name: 'Coffee', quantity: 1, total }]) {
  return event('sales', 'sale.created', { sale_id: saleId, total, items: lines.reduce((sum, line) => sum + line.quantity, 0), sold_at: soldAt, lines }, soldAt.replace('04Z', '05Z'));
}

function run(...actions: LiveAction[]): LiveState {
  return actions.reduce(liveReducer, initialLiveState);
}

const loaded = (overrides: Partial<DashboardSummary> = {}): LiveAction => ({ type: 'summary', summary: summary(overrides) });
const hour = (state: LiveState, local: number) => state.view!.hours_today[local];

describe('live dashboard reducer', () => {
  it('adds a sale to revenue, tickets, units, its local hour and the best sellers', () => {
    const state = run(loaded(), { type: 'event', event: sale('sale-1', 1_000) });
    expect(state.view!.today).toMatchObject({ revenue: 4_000, sales_total: 4_000, tickets: 3, units: 4, average_ticket: 1_333 });
    expect(hour(state, 10)).toEqual({ hour: 10, revenue: 1_000, tickets: 1 });
    expect(state.view!.top_products[0]).toMatchObject({ product_id: 'p-coffee', units: 3, revenue: 3_000 });
    expect(state.refetches).toBe(0);
  });

  it('tells events of different topics apart even when their stream ids are equal', () => {
    const soldOut = event('stock', 'stock.changed', { products: [{ product_id: 'p-coffee', sku: 'COF', stock: 9, delta: -1, kind: 'sale', reorder_point: 0 }] }, undefined, '1768482005000-0');
    const sold = { ...sale('sale-1', 1_000), id: '1768482005000-0' };
    const state = run(loaded(), { type: 'event', event: soldOut }, { type: 'event', event: sold });
    expect(state.view!.today.tickets).toBe(3);
  });

  it('applies an event id once and a sale once, whatever event carries it', () => {
    const first = sale('sale-1', 1_000);
    const once = run(loaded(), { type: 'event', event: first });
    expect(liveReducer(once, { type: 'event', event: first })).toBe(once);
    const again = liveReducer(once, { type: 'event', event: { ...first, id: '1768482999999-0' } });
    expect(again.view!.today.tickets).toBe(3);
  });

  it('leaves out events the summary already holds, and replays the rest onto a newer summary', () => {
    const before = sale('sale-0', 500, '2026-01-15T12:59:58Z');
    const after = sale('sale-1', 1_000);
    const state = run({ type: 'event', event: before }, loaded(), { type: 'event', event: after });
    expect(state.view!.today.tickets).toBe(3);
    // A refetch whose summary already counts sale-1 (its as_of is later) must not count it twice…
    const counted = summary({ as_of: '2026-01-15T13:00:10Z', today: { ...summary().today, revenue: 4_000, sales_total: 4_000, tickets: 3 } });
    const rebased = liveReducer(state, { type: 'summary', summary: counted });
    expect(rebased.view!.today.tickets).toBe(3);
    expect(rebased.journal).toEqual([]);
    // …and one fetched before it replays it.
    const older = liveReducer(state, { type: 'summary', summary: summary({ as_of: '2026-01-15T13:00:01Z' }) });
    expect(older.view!.today.tickets).toBe(3);
    expect(older.journal.map((e) => e.id)).toEqual([after.id]);
  });

  it('never applies again a sale or refund the summary counts, though its event comes after as_of', () => {
    const late = sale('sale-in-summary', 1_000);
    const refund = event('sales', 'sale.refunded', { refund_id: 'refund-in-summary', sale_id: 'sale-0', total: 500, refunded_at: '2026-01-15T13:00:04Z', kind: 'refund', lines: [] });
    const state = run(loaded({ counted_sales: ['sale-in-summary'], counted_refunds: ['refund-in-summary'] }), { type: 'event', event: late }, { type: 'event', event: refund });
    expect(state.view!.today).toMatchObject({ revenue: 3_000, tickets: 2, units: 3, refunds: 0 });
    const next = run(loaded({ counted_sales: ['sale-in-summary'] }), { type: 'event', event: sale('sale-new', 1_000) });
    expect(next.view!.today).toMatchObject({ revenue: 4_000, tickets: 3 });
  });

  it('takes refunds off revenue on the hour they were made, and a void takes its sale out of everything', () => {
    const refund = event('sales', 'sale.refunded', {
      sale_id: 'old-sale',
      refund_id: 'refund-1',
      kind: 'refund',
      total: 400,
      refunded_at: '2026-01-15T14:10:00Z',
      sold_at: '2026-01-14T14:00:00Z',
      lines: [{ product_id: 'p-tea', quantity: 1, amount: 400 }],
    });
    const voided = event('sales', 'sale.voided', {
      sale_id: 'sale-1',
      refund_id: 'void-1',
      kind: 'void',
      total: 1_000,
      refunded_at: '2026-01-15T14:20:00Z',
      sold_at: '2026-01-15T13:00:04Z',
      lines: [{ product_id: 'p-coffee', quantity: 1, amount: 1_000 }],
    });
    const state = run(loaded(), { type: 'event', event: sale('sale-1', 1_000) }, { type: 'event', event: refund }, { type: 'event', event: voided }, { type: 'event', event: { ...refund, id: '1768482999998-0' } });
    expect(state.view!.today).toMatchObject({ revenue: 2_600, sales_total: 3_000, refunds: 400, refunds_count: 1, tickets: 2, units: 3, average_ticket: 1_500 });
    expect(hour(state, 11).revenue).toBe(-400);
    expect(hour(state, 10)).toEqual({ hour: 10, revenue: 0, tickets: 0 });
    expect(state.view!.top_products[0]).toMatchObject({ product_id: 'p-coffee', units: 2, revenue: 2_000 });
    expect(state.refetches).toBe(0);
  });

  it('ignores a sale of an earlier day and asks for a refetch on a new day', () => {
    const yesterday = run(loaded(), { type: 'event', event: sale('offline-1', 700, '2026-01-14T20:00:04Z') });
    expect(yesterday.view!.today.tickets).toBe(2);
    expect(yesterday.refetches).toBe(0);
    const tomorrow = run(loaded(), { type: 'event', event: sale('sale-9', 700, '2026-01-16T04:00:04Z') });
    expect(tomorrow.view!.today.tickets).toBe(2);
    expect(tomorrow.refetches).toBe(1);
  });

  it('applies presence only from newer versions, from events and snapshots, across refetches', () => {
    const presence = (version: number, online: boolean) => ({ register_id: 'r-1', register_code: 'R1', online, last_seen: '2026-01-15T13:00:03Z', queued_sales: version, version });
    const state = run(
      loaded(),
      { type: 'event', event: event('registers', 'register.presence', presence(6, false)) },
      { type: 'event', event: event('registers', 'register.presence', presence(5, true)) },
      { type: 'presence', registers: [presence(3, true)] },
    );
    expect(state.view!.registers[0]).toMatchObject({ online: false, presence_version: 6, queued_sales: 6 });
    const snapshot = liveReducer(state, { type: 'presence', registers: [presence(7, true)] });
    expect(snapshot.view!.registers[0]).toMatchObject({ online: true, presence_version: 7 });
    const refetched = liveReducer(snapshot, loaded({ as_of: '2026-01-15T13:00:10Z' }));
    expect(refetched.view!.registers[0]).toMatchObject({ online: true, presence_version: 7 });
  });

  it('asks for a refetch when a register it does not know shows up, once', () => {
    const stranger = { register_id: 'r-new', register_code: 'R9', online: true, last_seen: null, queued_sales: 0, version: 1 };
    const state = run(
      loaded(),
      { type: 'event', event: event('registers', 'register.presence', stranger) },
      { type: 'event', event: event('registers', 'shift.opened', { shift_id: 's-9', register_id: 'r-new' }) },
      { type: 'presence', registers: [{ ...stranger, version: 2 }] },
    );
    expect(state.refetches).toBe(1);
    expect(state.view!.registers.map((register) => register.register_id)).toEqual(['r-1']);
    const closed = liveReducer(state, { type: 'event', event: event('registers', 'shift.closed', { shift_id: 's-1', register_id: 'r-1' }) });
    expect(closed.view!.registers[0].open_shift_id).toBeNull();
  });

  it('ranks a new best seller exactly while the list has room, and refetches when its place is unknown', () => {
    const juice = [{ product_id: 'p-juice', name: 'Juice', quantity: 2, total: 5_000 }];
    const roomy = run(loaded(), { type: 'event', event: sale('sale-2', 5_000, undefined, juice) });
    expect(roomy.view!.top_products.map((p) => p.product_id)).toEqual(['p-juice', 'p-coffee', 'p-tea']);
    expect(roomy.refetches).toBe(0);

    const full = ['a', 'b', 'c', 'd', 'e'].map((letter, index) => ({ product_id: `p-${letter}`, name: letter, units: 1, revenue: 900 - index * 100 }));
    const crowded = run(loaded({ top_products: full }), { type: 'event', event: sale('sale-3', 50, undefined, [{ product_id: 'p-gum', name: 'Gum', quantity: 1, total: 50 }]) });
    expect(crowded.view!.top_products.map((p) => p.product_id)).toEqual(full.map((p) => p.product_id));
    expect(crowded.refetches).toBe(1);
  });

  it('keeps the low-stock list: a product restocked leaves it, one crossing down joins it with its name', () => {
    const restock = event('stock', 'stock.changed', { products: [{ product_id: 'p-milk', sku: 'MILK', stock: 20, delta: 18, kind: 'receipt', reorder_point: 5 }] });
    const crossing = event('stock', 'stock.changed', { products: [{ product_id: 'p-eggs', sku: 'EGGS', stock: 3, delta: -4, kind: 'sale', reorder_point: 4 }] });
    const named = event('alerts', 'stock.low', { product_id: 'p-eggs', sku: 'EGGS', name: 'Eggs', stock: 3, reorder_point: 4 });
    const state = run(loaded(), { type: 'event', event: restock }, { type: 'event', event: crossing }, { type: 'event', event: named });
    expect(state.view!.low_stock).toEqual({ count: 1, items: [{ product_id: 'p-eggs', sku: 'EGGS', name: 'Eggs', stock: 3, reorder_point: 4, shortfall: 1 }] });
    expect(state.refetches).toBe(0);
    // The alert may come first: the count still moves once.
    const reversed = run(loaded(), { type: 'event', event: named }, { type: 'event', event: crossing });
    expect(reversed.view!.low_stock.count).toBe(2);
  });

  it('counts a conflict once, takes it off when resolved here or elsewhere, and keeps the inbox in step', () => {
    const opened = event('alerts', 'sync.conflict', { conflict_id: 'c-2', code: 'negative_stock', message: 'stock went below zero', device_id: 'd-1', sale_id: 's-7', product_id: 'p-tea' });
    const state = run(
      loaded(),
      { type: 'inbox', conflicts: [{ id: 'c-1', code: 'price_changed', message: 'sold at another price', sale_id: null, product_id: null, device_id: 'd-1', created_at: '2026-01-15T12:00:00Z', note: '' }] },
      { type: 'event', event: opened },
      { type: 'event', event: { ...opened, id: '1768482999997-0' } },
    );
    expect(state.view!.open_conflicts).toBe(2);
    expect(state.inbox!.map((c) => c.id)).toEqual(['c-2', 'c-1']);
    const resolvedHere = liveReducer(state, { type: 'resolved', conflictId: 'c-2', status: 'resolved' });
    const echoed = liveReducer(resolvedHere, { type: 'event', event: event('alerts', 'sync.conflict_resolved', { conflict_id: 'c-2', resolution: 'acknowledged' }) });
    expect(echoed.view!.open_conflicts).toBe(1);
    expect(echoed.inbox!.map((c) => c.id)).toEqual(['c-1']);
    const elsewhere = liveReducer(echoed, { type: 'event', event: event('alerts', 'sync.conflict_resolved', { conflict_id: 'c-1', resolution: 'acknowledged' }) });
    expect(elsewhere.view!.open_conflicts).toBe(0);
    expect(elsewhere.inbox).toEqual([]);
  });
});
