/**
 * The live dashboard as a pure reducer: the summary is loaded once over REST
 * (`GET /api/v1/reports/dashboard`), then every realtime event is applied to it here, so a sale
 * changes the screen without a request per event. The figures follow the server's definitions
 * (server/reports/dashboard.py): today's completed sales count by the local hour they were sold,
 * a void takes its sale out of every figure, refunds count on the hour they were made and
 * `revenue = sales − refunds`; best sellers rank today's lines by revenue, then units.
 *
 * Invariants:
 * - Idempotent: an event (topic and stream id) is applied at most once, a sale at most once (by sale id), a refund
 *   or void at most once (by refund id), a conflict counted and resolved at most once.
 * - An event published at or before the summary's `as_of` is already in the summary (events go
 *   out after their transaction commits, and the summary reads after `as_of`): it is not applied
 *   again, whether it arrives late, live or replayed after a reconnect. A document committed just
 *   before the summary's snapshot may have its event published after `as_of`: the summary names
 *   those (`counted_sales`, `counted_refunds`), and they start out as already applied.
 * - Events after `as_of` are kept in a journal; a newer summary (a refetch) is the new base and
 *   the journal's events after its `as_of` are applied on top, so nothing is lost or doubled.
 * - Register presence only moves forward: a state is taken only if its `version` is newer.
 * - When an event lacks what a figure needs (a best seller or a low-stock product the summary
 *   did not list, another day, a register it did not know), the figure is left as is and
 *   `refetches` grows: the page coalesces those into one summary refetch.
 */
import type { Schemas } from '@orbit/shared/api/client';
import { calendarDateIn, hourIn } from '@orbit/shared/format/format';
import type { RealtimeEvent, RegisterPresence } from '@orbit/shared/realtime/client';

export type DashboardSummary = Schemas['Dashboard'];
export type DashboardRegister = Schemas['DashboardRegister'];
export type BestSeller = Schemas['DashboardProduct'];
export type LowStockItem = Schemas['LowStockItem'];

/** How many best sellers and low-stock items the summary lists (server/reports/dashboard.py). */
export const TOP_PRODUCTS = 5;
export const LOW_STOCK_ITEMS = 10;
/** Past this many journaled events a refetch rebases the figures (and empties the journal). */
export const JOURNAL_LIMIT = 2_000;

export interface InboxConflict {
  id: string;
  code: string;
  message: string;
  sale_id: string | null;
  product_id: string | null;
  device_id: string | null;
  created_at: string;
  note: string;
}

/** A best seller the summary did not list: its revenue since the summary, and whether that is all of today's. */
interface Outsider {
  name: string;
  units: number;
  revenue: number;
  exact: boolean;
}

interface Book {
  /** The revenue of the summary's last best seller when its list was full; 0 when it listed every product sold. */
  floor: number;
  /** Products that crossed down to their reorder point, whose `stock.low` (with the name) is still to come. */
  awaitingLow: Record<string, true>;
  sales: Record<string, true>;
  refunds: Record<string, true>;
  conflicts: Record<string, 'open' | 'resolved'>;
  outsiders: Record<string, Outsider>;
  unknownRegisters: Record<string, true>;
}

export interface LiveState {
  /** The last summary fetched over REST. */
  base: DashboardSummary | null;
  /** What the screen shows: `base` with the journal's events applied. */
  view: DashboardSummary | null;
  /** Events received that `base` may not hold, in arrival order. */
  journal: RealtimeEvent[];
  /** Keys (`topic/id`: each topic has its own stream, so ids repeat across topics) of the journal's events. */
  seen: Record<string, true>;
  book: Book;
  /** Open conflicts for the inbox, newest first (null until loaded). */
  inbox: InboxConflict[] | null;
  /** Grows whenever an event could not be applied exactly: the page refetches the summary. */
  refetches: number;
}

export type LiveAction =
  | { type: 'summary'; summary: DashboardSummary }
  | { type: 'event'; event: RealtimeEvent }
  | { type: 'presence'; registers: RegisterPresence[] }
  | { type: 'inbox'; conflicts: InboxConflict[] }
  | { type: 'resolved'; conflictId: string; status: 'open' | 'resolved'; note?: string };

export const initialLiveState: LiveState = {
  base: null,
  view: null,
  journal: [],
  seen: {},
  book: emptyBook(),
  inbox: null,
  refetches: 0,
};

function emptyBook(summary?: DashboardSummary): Book {
  const top = summary?.top_products ?? [];
  const floor = top.length >= TOP_PRODUCTS ? top[top.length - 1].revenue : 0;
  // Documents the summary already counts whose events may come after its `as_of`: never applied again.
  const counted = (ids: string[] | undefined) => Object.fromEntries((ids ?? []).map((id) => [id, true as const]));
  return { floor, awaitingLow: {}, sales: counted(summary?.counted_sales), refunds: counted(summary?.counted_refunds), conflicts: {}, outsiders: {}, unknownRegisters: {} };
}

export function liveReducer(state: LiveState, action: LiveAction): LiveState {
  switch (action.type) {
    case 'summary':
      return rebase(state, action.summary);
    case 'event':
      return receive(state, action.event);
    case 'presence':
      return state.view ? { ...state, view: { ...state.view, registers: mergePresence(state.view.registers, action.registers) } } : state;
    case 'inbox':
      return { ...state, inbox: mergeInbox(action.conflicts, state.inbox ?? [], state.book.conflicts) };
    case 'resolved':
      return resolveLocally(state, action.conflictId, action.status, action.note);
  }
}

// The journal and the base

function rebase(state: LiveState, summary: DashboardSummary): LiveState {
  const asOf = Date.parse(summary.as_of);
  const journal = state.journal.filter((event) => Date.parse(event.at) > asOf);
  let draft: Draft = { view: withPresenceOf(summary, state.view), book: { ...emptyBook(summary), conflicts: keepResolved(state.book.conflicts) }, exact: true };
  for (const event of journal) draft = apply(draft, event);
  const inbox = state.inbox ? state.inbox.filter((conflict) => draft.book.conflicts[conflict.id] !== 'resolved') : null;
  return {
    base: summary,
    view: draft.view,
    journal,
    seen: Object.fromEntries(journal.map((event) => [eventKey(event), true as const])),
    book: draft.book,
    inbox,
    refetches: state.refetches + (draft.exact ? 0 : 1),
  };
}

/** Conflicts resolved here stay resolved across a rebase (their event may have been before `as_of`). */
function keepResolved(conflicts: Book['conflicts']): Book['conflicts'] {
  return Object.fromEntries(Object.entries(conflicts).filter(([, status]) => status === 'resolved'));
}

/** A new summary keeps the newer presence this page already holds (versions only move forward). */
function withPresenceOf(summary: DashboardSummary, previous: DashboardSummary | null): DashboardSummary {
  if (!previous) return summary;
  const held = new Map(previous.registers.map((register) => [register.register_id, register]));
  return {
    ...summary,
    registers: summary.registers.map((register) => {
      const mine = held.get(register.register_id);
      return mine && mine.presence_version > register.presence_version
        ? { ...register, online: mine.online, last_seen_at: mine.last_seen_at, queued_sales: mine.queued_sales, presence_version: mine.presence_version }
        : register;
    }),
  };
}

/** Stream ids are per topic: the same id on two topics names two events. */
function eventKey(event: RealtimeEvent): string {
  return `${event.topic}/${event.id}`;
}

function receive(state: LiveState, event: RealtimeEvent): LiveState {
  const key = eventKey(event);
  if (state.seen[key]) return state;
  const journal = [...state.journal, event];
  const seen = { ...state.seen, [key]: true as const };
  const overflow = journal.length > JOURNAL_LIMIT ? 1 : 0;
  if (!state.view || !state.base || Date.parse(event.at) <= Date.parse(state.base.as_of)) {
    return { ...state, journal, seen, refetches: state.refetches + overflow };
  }
  const draft = apply({ view: state.view, book: state.book, exact: true }, event);
  return {
    ...state,
    view: draft.view,
    book: draft.book,
    journal,
    seen,
    inbox: state.inbox ? inboxAfter(state.inbox, event, draft.book) : null,
    refetches: state.refetches + (draft.exact ? 0 : 1) + overflow,
  };
}

// Applying one event

interface Draft {
  view: DashboardSummary;
  book: Book;
  /** False once something could not be applied exactly. */
  exact: boolean;
}

const inexact = (draft: Draft): Draft => (draft.exact ? { ...draft, exact: false } : draft);

function apply(draft: Draft, event: RealtimeEvent): Draft {
  if (event.data === null) return inexact(draft);
  switch (event.type) {
    case 'sale.created':
      return saleCreated(draft, event.data as unknown as SaleCreated);
    case 'sale.refunded':
    case 'sale.voided':
      return refundMade(draft, event.data as unknown as RefundMade, event.type === 'sale.voided');
    case 'stock.changed':
      return stockChanged(draft, event.data as unknown as StockChanged);
    case 'stock.low':
      return stockLow(draft, event.data as unknown as StockLow);
    case 'register.presence':
      return presenceChanged(draft, event.data as unknown as RegisterPresence);
    case 'register.heartbeat':
      return heartbeat(draft, event.data as unknown as Heartbeat);
    case 'shift.opened':
    case 'shift.closed':
      return shiftChanged(draft, event.data as unknown as ShiftChanged, event.type === 'shift.opened');
    case 'sync.conflict':
      return conflictOpened(draft, String((event.data as { conflict_id?: unknown }).conflict_id ?? ''));
    case 'sync.conflict_resolved':
      return conflictResolved(draft, String((event.data as { conflict_id?: unknown }).conflict_id ?? ''));
    default:
      return draft;
  }
}

interface SaleCreated {
  sale_id: string;
  total: number;
  items: number;
  sold_at: string;
  lines?: { product_id: string; name?: string; quantity: number; total?: number }[];
}

interface RefundMade {
  refund_id: string;
  total: number;
  refunded_at?: string;
  sold_at?: string;
  lines?: { product_id: string; quantity: number; amount: number }[];
}

/** Where an instant falls against the dashboard's day: before it, on it, or after it (a new day). */
function dayOf(view: DashboardSummary, instant: string): 'before' | 'today' | 'after' {
  const day = calendarDateIn(instant, view.time_zone);
  return day < view.day ? 'before' : day > view.day ? 'after' : 'today';
}

function roundedAverage(total: number, tickets: number): number {
  return tickets > 0 ? Math.floor((2 * total + tickets) / (2 * tickets)) : 0;
}

/** Today's figures and the hour of `instant` moved by a sale (`tickets` ±1) or a refund (0). */
function addToToday(view: DashboardSummary, instant: string, change: { sales: number; tickets: number; refunds: number; refundsCount: number; units: number }): DashboardSummary {
  const today = view.today;
  const salesTotal = today.sales_total + change.sales;
  const tickets = today.tickets + change.tickets;
  const refunds = today.refunds + change.refunds;
  const hour = hourIn(instant, view.time_zone);
  return {
    ...view,
    today: {
      ...today,
      sales_total: salesTotal,
      tickets,
      refunds,
      refunds_count: today.refunds_count + change.refundsCount,
      revenue: salesTotal - refunds,
      units: today.units + change.units,
      average_ticket: roundedAverage(salesTotal, tickets),
    },
    hours_today: view.hours_today.map((figures) =>
      figures.hour === hour ? { ...figures, revenue: figures.revenue + change.sales - change.refunds, tickets: figures.tickets + change.tickets } : figures,
    ),
  };
}

function saleCreated(draft: Draft, sale: SaleCreated): Draft {
  if (!sale.sale_id || draft.book.sales[sale.sale_id]) return draft;
  const book = { ...draft.book, sales: { ...draft.book.sales, [sale.sale_id]: true as const } };
  if (typeof sale.total !== 'number' || !sale.sold_at || !sale.lines) return inexact({ ...draft, book });
  const when = dayOf(draft.view, sale.sold_at);
  if (when === 'before') return { ...draft, book };
  if (when === 'after') return inexact({ ...draft, book });
  const view = addToToday(draft.view, sale.sold_at, { sales: sale.total, tickets: 1, refunds: 0, refundsCount: 0, units: sale.items });
  return rankBestSellers(
    { view, book, exact: draft.exact },
    sale.lines.map((line) => ({ product_id: line.product_id, name: line.name, units: line.quantity, revenue: line.total })),
  );
}

function refundMade(draft: Draft, refund: RefundMade, isVoid: boolean): Draft {
  if (!refund.refund_id || draft.book.refunds[refund.refund_id]) return draft;
  const book = { ...draft.book, refunds: { ...draft.book.refunds, [refund.refund_id]: true as const } };
  if (!isVoid) {
    if (!refund.refunded_at || typeof refund.total !== 'number') return inexact({ ...draft, book });
    const when = dayOf(draft.view, refund.refunded_at);
    if (when === 'before') return { ...draft, book };
    if (when === 'after') return inexact({ ...draft, book });
    return { ...draft, book, view: addToToday(draft.view, refund.refunded_at, { sales: 0, tickets: 0, refunds: refund.total, refundsCount: 1, units: 0 }) };
  }
  // A void takes its sale out of every figure of the day it was sold.
  if (!refund.sold_at || !refund.lines || typeof refund.total !== 'number') return inexact({ ...draft, book });
  const when = dayOf(draft.view, refund.sold_at);
  if (when === 'before') return { ...draft, book };
  if (when === 'after') return inexact({ ...draft, book });
  const units = refund.lines.reduce((sum, line) => sum + line.quantity, 0);
  const view = addToToday(draft.view, refund.sold_at, { sales: -refund.total, tickets: -1, refunds: 0, refundsCount: 0, units: -units });
  return rankBestSellers(
    { view, book, exact: draft.exact },
    refund.lines.map((line) => ({ product_id: line.product_id, units: -line.quantity, revenue: -line.amount })),
  );
}

// Best sellers

interface ProductChange {
  product_id: string;
  name?: string;
  units: number;
  revenue: number | undefined;
}

function byRank(a: BestSeller, b: BestSeller): number {
  return b.revenue - a.revenue || b.units - a.units || (a.product_id < b.product_id ? -1 : a.product_id > b.product_id ? 1 : 0);
}

/**
 * Apply line changes to the best sellers. The summary listed every product sold today when its
 * list was not full; when it was, a product it did not list sold at most as much as its last
 * one (`floor`) before the summary. A product whose place cannot be known asks for a refetch.
 */
function rankBestSellers(draft: Draft, changes: ProductChange[]): Draft {
  if (changes.some((change) => typeof change.revenue !== 'number')) return inexact(draft);
  const { floor } = draft.book;
  const list = new Map(draft.view.top_products.map((product) => [product.product_id, product]));
  const outsiders = { ...draft.book.outsiders };
  let exact = draft.exact;
  for (const change of changes) {
    const listed = list.get(change.product_id);
    if (listed) {
      list.set(change.product_id, { ...listed, units: listed.units + change.units, revenue: listed.revenue + (change.revenue ?? 0) });
    } else {
      const known = outsiders[change.product_id] ?? { name: change.name ?? '', units: 0, revenue: 0, exact: floor === 0 };
      outsiders[change.product_id] = { ...known, name: known.name || change.name || '', units: known.units + change.units, revenue: known.revenue + (change.revenue ?? 0) };
    }
  }
  // Exactly known outsiders compete for the places; the rest can only be bounded.
  for (const [productId, outsider] of Object.entries(outsiders)) {
    if (outsider.exact && outsider.units > 0 && outsider.name) {
      list.set(productId, { product_id: productId, name: outsider.name, units: outsider.units, revenue: outsider.revenue });
      delete outsiders[productId];
    }
  }
  const ranked = [...list.values()].filter((product) => product.units > 0 || product.revenue > 0).sort(byRank);
  const top = ranked.slice(0, TOP_PRODUCTS);
  for (const dropped of ranked.slice(TOP_PRODUCTS)) {
    outsiders[dropped.product_id] = { name: dropped.name, units: dropped.units, revenue: dropped.revenue, exact: true };
  }
  const last = top.length === TOP_PRODUCTS ? top[TOP_PRODUCTS - 1].revenue : 0;
  for (const outsider of Object.values(outsiders)) {
    const mostItCouldHave = outsider.exact ? outsider.revenue : floor + outsider.revenue;
    if (!outsider.exact && outsider.revenue > 0 && mostItCouldHave >= last) exact = false;
  }
  // Products nobody has heard of since the summary may now outrank a listed one that fell below the floor.
  if (floor > 0 && (top.length < TOP_PRODUCTS || last < floor)) exact = false;
  return { view: { ...draft.view, top_products: top }, book: { ...draft.book, outsiders }, exact };
}

// Stock

interface StockChanged {
  products: { product_id: string; sku: string; stock: number; delta: number; reorder_point?: number }[];
}

interface StockLow {
  product_id: string;
  sku: string;
  name: string;
  stock: number;
  reorder_point: number;
}

function lowOrder(a: LowStockItem, b: LowStockItem): number {
  return a.stock - a.reorder_point - (b.stock - b.reorder_point) || a.name.localeCompare(b.name) || (a.product_id < b.product_id ? -1 : 1);
}

function stockChanged(draft: Draft, change: StockChanged): Draft {
  let { count } = draft.view.low_stock;
  const items = new Map(draft.view.low_stock.items.map((item) => [item.product_id, item]));
  const awaitingLow = { ...draft.book.awaitingLow };
  let exact = draft.exact;
  for (const product of change.products ?? []) {
    if (typeof product.reorder_point !== 'number') {
      exact = false;
      continue;
    }
    const wasLow = product.stock - product.delta <= product.reorder_point;
    const isLow = product.stock <= product.reorder_point;
    count += Number(isLow) - Number(wasLow);
    const listed = items.get(product.product_id);
    if (listed) {
      if (isLow) items.set(product.product_id, { ...listed, stock: product.stock, reorder_point: product.reorder_point, shortfall: Math.max(product.reorder_point - product.stock, 0) });
      else items.delete(product.product_id);
    } else if (isLow && !wasLow) {
      awaitingLow[product.product_id] = true;
    } else if (!isLow) {
      delete awaitingLow[product.product_id];
    } else {
      // A low product the summary did not list moved: it may now belong in the list, and only the server has its name.
      const last = [...items.values()].sort(lowOrder).at(-1);
      if (items.size < LOW_STOCK_ITEMS || !last || product.stock - product.reorder_point <= last.stock - last.reorder_point) exact = false;
    }
  }
  const shown = [...items.values()].sort(lowOrder).slice(0, LOW_STOCK_ITEMS);
  // Places left empty while more products are low than are listed or awaited: those are unknown here.
  if (shown.length < LOW_STOCK_ITEMS && count - Object.keys(awaitingLow).length > shown.length) exact = false;
  return { exact, book: { ...draft.book, awaitingLow }, view: { ...draft.view, low_stock: { count: Math.max(count, 0), items: shown } } };
}

/** `stock.low` names a product that just crossed down to its reorder point (it is counted by `stock.changed`). */
function stockLow(draft: Draft, low: StockLow): Draft {
  if (!low.product_id || draft.view.low_stock.items.some((item) => item.product_id === low.product_id)) return draft;
  const item: LowStockItem = {
    product_id: low.product_id,
    sku: low.sku,
    name: low.name,
    stock: low.stock,
    reorder_point: low.reorder_point,
    shortfall: Math.max(low.reorder_point - low.stock, 0),
  };
  const items = [...draft.view.low_stock.items, item].sort(lowOrder).slice(0, LOW_STOCK_ITEMS);
  const awaitingLow = { ...draft.book.awaitingLow };
  delete awaitingLow[low.product_id];
  return { ...draft, book: { ...draft.book, awaitingLow }, view: { ...draft.view, low_stock: { ...draft.view.low_stock, items } } };
}

// Registers

interface Heartbeat {
  register_id: string;
  last_seen_at: string;
  queued_documents: number;
}

interface ShiftChanged {
  shift_id: string;
  register_id: string;
}

/** Presence states (events or a snapshot) merged by version: only a newer state replaces one. */
export function mergePresence(registers: DashboardRegister[], states: RegisterPresence[]): DashboardRegister[] {
  const byId = new Map(states.map((state) => [state.register_id, state]));
  return registers.map((register) => {
    const state = byId.get(register.register_id);
    if (!state || state.version <= register.presence_version) return register;
    return { ...register, online: state.online, last_seen_at: state.last_seen, queued_sales: state.queued_sales, presence_version: state.version };
  });
}

function knownRegister(draft: Draft, registerId: string): Draft | null {
  if (draft.view.registers.some((register) => register.register_id === registerId)) return null;
  if (draft.book.unknownRegisters[registerId]) return draft;
  return inexact({ ...draft, book: { ...draft.book, unknownRegisters: { ...draft.book.unknownRegisters, [registerId]: true } } });
}

/** A register's presence event; one the summary did not list (a new register) asks for it, once. */
function presenceChanged(draft: Draft, state: RegisterPresence): Draft {
  const unknown = knownRegister(draft, state.register_id);
  if (unknown) return unknown;
  return { ...draft, view: { ...draft.view, registers: mergePresence(draft.view.registers, [state]) } };
}

function heartbeat(draft: Draft, beat: Heartbeat): Draft {
  const unknown = knownRegister(draft, beat.register_id);
  if (unknown) return unknown;
  return {
    ...draft,
    view: {
      ...draft.view,
      registers: draft.view.registers.map((register) =>
        register.register_id === beat.register_id && (!register.last_seen_at || Date.parse(beat.last_seen_at) > Date.parse(register.last_seen_at))
          ? { ...register, last_seen_at: beat.last_seen_at, queued_sales: beat.queued_documents }
          : register,
      ),
    },
  };
}

function shiftChanged(draft: Draft, shift: ShiftChanged, opened: boolean): Draft {
  const unknown = knownRegister(draft, shift.register_id);
  if (unknown) return unknown;
  return {
    ...draft,
    view: {
      ...draft.view,
      registers: draft.view.registers.map((register) =>
        register.register_id !== shift.register_id
          ? register
          : { ...register, open_shift_id: opened ? shift.shift_id : register.open_shift_id === shift.shift_id ? null : register.open_shift_id },
      ),
    },
  };
}

// Conflicts

function conflictOpened(draft: Draft, conflictId: string): Draft {
  if (!conflictId || draft.book.conflicts[conflictId]) return draft;
  return {
    ...draft,
    book: { ...draft.book, conflicts: { ...draft.book.conflicts, [conflictId]: 'open' } },
    view: { ...draft.view, open_conflicts: draft.view.open_conflicts + 1 },
  };
}

function conflictResolved(draft: Draft, conflictId: string): Draft {
  if (!conflictId || draft.book.conflicts[conflictId] === 'resolved') return draft;
  return {
    ...draft,
    book: { ...draft.book, conflicts: { ...draft.book.conflicts, [conflictId]: 'resolved' } },
    view: { ...draft.view, open_conflicts: Math.max(0, draft.view.open_conflicts - 1) },
  };
}

function resolveLocally(state: LiveState, conflictId: string, status: 'open' | 'resolved', note?: string): LiveState {
  if (status === 'open') {
    return { ...state, inbox: state.inbox?.map((conflict) => (conflict.id === conflictId ? { ...conflict, note: note ?? conflict.note } : conflict)) ?? null };
  }
  if (!state.view) return state;
  const draft = conflictResolved({ view: state.view, book: state.book, exact: true }, conflictId);
  return { ...state, view: draft.view, book: draft.book, inbox: state.inbox?.filter((conflict) => conflict.id !== conflictId) ?? null };
}

/** The inbox after an `alerts` event: a new conflict first, a resolved one gone. */
function inboxAfter(inbox: InboxConflict[], event: RealtimeEvent, book: Book): InboxConflict[] {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const id = typeof data.conflict_id === 'string' ? data.conflict_id : null;
  if (!id) return inbox;
  if (event.type === 'sync.conflict_resolved') return inbox.filter((conflict) => conflict.id !== id);
  if (event.type !== 'sync.conflict' || inbox.some((conflict) => conflict.id === id) || book.conflicts[id] === 'resolved') return inbox;
  const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : null);
  return [
    { id, code: text('code') ?? '', message: text('message') ?? '', sale_id: text('sale_id'), product_id: text('product_id'), device_id: text('device_id'), created_at: event.at, note: '' },
    ...inbox,
  ];
}

/** The inbox from REST, with what events said since: union by id, resolved ones left out, newest first. */
function mergeInbox(fetched: InboxConflict[], held: InboxConflict[], conflicts: Book['conflicts']): InboxConflict[] {
  const byId = new Map<string, InboxConflict>();
  for (const conflict of [...held, ...fetched]) byId.set(conflict.id, conflict);
  return [...byId.values()].filter((conflict) => conflicts[conflict.id] !== 'resolved').sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
}
