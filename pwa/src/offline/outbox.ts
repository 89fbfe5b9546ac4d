/**
 * The outbox: every document the till made, from the moment it exists until the server settled
 * it — and the only way documents are numbered.
 *
 * States and their transitions (`transition` is the one place they change):
 *
 *   pending ──send──▶ syncing ──answer──▶ acknowledged   (applied, applied with conflict, duplicate)
 *      ▲                │  │    └─answer──▶ dead_letter    (rejected, with the server's code and message)
 *      │                │  └──transient──▶ retrying ──send──▶ syncing
 *      └──unanswered────┘      (network, 503, the batch stopped before it, the tab died mid-push)
 *
 * Invariants:
 * - `seq` is allocated in the same transaction that stores the document, from one counter, so
 *   sequence numbers have no gaps and no repeats, whatever kind the document is; a sale's
 *   invoice number comes from the register's counter the same way.
 * - A document is never changed after it is stored: resends send the same bytes, so the server
 *   answers `duplicate` for one it already settled.
 * - Only final documents (`acknowledged`, `dead_letter`) whose `seq` the server reported as
 *   settled (`last_seq`) may ever be deleted (`purgeSettled`).
 */
import type { Transaction } from 'dexie';
import { withDatabase, type Counters, type DocumentKind, type DocumentResult, type OutboxEntry, type OutboxState, type PosDatabase, type WireDocument } from './db';

export const FINAL_STATES: ReadonlySet<OutboxState> = new Set(['acknowledged', 'dead_letter']);
export const UNSENT_STATES: readonly OutboxState[] = ['pending', 'syncing', 'retrying'];

export function isFinal(state: OutboxState): boolean {
  return FINAL_STATES.has(state);
}

export type OutboxEvent =
  | { type: 'send'; at: number }
  | { type: 'answer'; at: number; result: DocumentResult }
  | { type: 'transient'; at: number; error: string; retryAt: number }
  | { type: 'unanswered'; at: number };

export class TransitionError extends Error {
  constructor(from: OutboxState, event: OutboxEvent['type']) {
    super(`an outbox entry can't go from ${from} on ${event}`);
    this.name = 'TransitionError';
  }
}

/** The entry after `event` (a new object), or a `TransitionError` for a move the diagram has no arrow for. */
export function transition(entry: OutboxEntry, event: OutboxEvent): OutboxEntry {
  const from = entry.state;
  switch (event.type) {
    case 'send':
      if (from !== 'pending' && from !== 'retrying') throw new TransitionError(from, event.type);
      return { ...entry, state: 'syncing', attempts: entry.attempts + 1, updated_at: event.at };
    case 'answer': {
      if (from !== 'syncing') throw new TransitionError(from, event.type);
      const { result } = event;
      if (result.status === 'rejected') {
        return { ...entry, state: 'dead_letter', result, outcome: 'rejected', updated_at: event.at, next_attempt_at: undefined, last_error: undefined };
      }
      // A duplicate carries the stored answer: its conflicts say whether it was applied cleanly.
      const outcome = result.status === 'duplicate' ? (result.conflicts?.length ? 'applied_with_conflict' : 'applied') : result.status;
      return { ...entry, state: 'acknowledged', result, outcome, updated_at: event.at, next_attempt_at: undefined, last_error: undefined };
    }
    case 'transient':
      if (from !== 'syncing') throw new TransitionError(from, event.type);
      return { ...entry, state: 'retrying', last_error: event.error, next_attempt_at: event.retryAt, updated_at: event.at };
    case 'unanswered':
      if (from !== 'syncing') throw new TransitionError(from, event.type);
      return { ...entry, state: 'pending', updated_at: event.at };
  }
}

/** What a document's author provides; the outbox adds `id`, `seq`, `device_time` (and a sale's `number`). */
export interface DraftContext {
  id: string;
  seq: number;
  device_time: string;
  /** The invoice number, for sales only. */
  number?: number;
}

export interface Draft<D extends WireDocument> {
  document: D;
  label: string;
  amount?: number;
  /** The journal rows that go with the document, written in the same transaction. */
  journal?: (transaction: Transaction) => Promise<void>;
}

export interface CommitOptions<D extends WireDocument> {
  kind: D['kind'];
  deviceId: string;
  /** Builds the document once its numbers are known. */
  build: (context: DraftContext) => Draft<D>;
  /** The journal's stores the document's rows go to (the transaction's scope besides meta and outbox). */
  journalTables?: readonly JournalTable[];
  now?: () => Date;
  newId?: () => string;
}

export type JournalTable = 'sales' | 'refunds' | 'shifts' | 'cash_movements' | 'customers';

/**
 * Store a new document durably: take the next `seq` (and, for a sale, the next invoice number),
 * build the document, and write it with its journal rows in one transaction. Resolves once the
 * transaction committed — only then may a receipt show.
 */
export async function commitDocument<D extends WireDocument>(db: PosDatabase, options: CommitOptions<D>): Promise<OutboxEntry> {
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? (() => crypto.randomUUID());
  return withDatabase(db, () =>
    db.transaction('rw', ['meta', 'outbox', ...(options.journalTables ?? [])], async (transaction) => {
      const counters = await readCounters(db);
      const moment = now();
      const context: DraftContext = {
        id: newId(),
        seq: counters.next_seq,
        device_time: moment.toISOString(),
        number: options.kind === 'sale' ? counters.next_number : undefined,
      };
      const draft = options.build(context);
      if (draft.document.kind !== options.kind || draft.document.seq !== context.seq || draft.document.id !== context.id) {
        throw new Error('the document must carry the id, seq and kind the outbox gave it');
      }
      const entry: OutboxEntry = {
        device_id: options.deviceId,
        seq: context.seq,
        id: context.id,
        kind: options.kind as DocumentKind,
        document: draft.document,
        state: 'pending',
        attempts: 0,
        created_at: moment.getTime(),
        updated_at: moment.getTime(),
        label: draft.label,
        amount: draft.amount,
      };
      // Every write is issued at once: one round trip to the database instead of one per write.
      await Promise.all([
        db.outbox.add(entry),
        draft.journal?.(transaction),
        db.setMeta('counters', {
          next_seq: counters.next_seq + 1,
          next_number: options.kind === 'sale' ? counters.next_number + 1 : counters.next_number,
        }),
      ]);
      return entry;
    }),
  );
}

export async function readCounters(db: PosDatabase): Promise<Counters> {
  const counters = await db.getMeta('counters');
  if (!counters) throw new Error('this till has no counters: it is not set up');
  return counters;
}

/**
 * Let the invoice counter follow the register's series on the server (numbers used online on the
 * same register, say), never backwards. Runs in its own transaction with the counters.
 */
export async function followRegisterNumber(db: PosDatabase, lastNumber: number): Promise<void> {
  await db.transaction('rw', db.meta, async () => {
    const counters = await readCounters(db);
    if (lastNumber + 1 > counters.next_number) await db.setMeta('counters', { ...counters, next_number: lastNumber + 1 });
  });
}

function deviceRange(deviceId: string): [[string, number], [string, number]] {
  return [
    [deviceId, -Infinity],
    [deviceId, Infinity],
  ];
}

/** A device's entries in sequence order. */
export function entriesOf(db: PosDatabase, deviceId: string) {
  const [lower, upper] = deviceRange(deviceId);
  return db.outbox.where('[device_id+seq]').between(lower, upper, true, true);
}

/** The device's documents not yet final, in sequence order. */
export async function unsentEntries(db: PosDatabase, deviceId: string): Promise<OutboxEntry[]> {
  return entriesOf(db, deviceId)
    .filter((entry) => !isFinal(entry.state))
    .toArray();
}

/** How many documents of every device are not final yet (the badge, the heartbeat). */
export async function unsyncedCount(db: PosDatabase): Promise<number> {
  return db.outbox
    .where('state')
    .anyOf([...UNSENT_STATES])
    .count();
}

/** Apply one event to the stored entries named by `seqs`, in one transaction. */
export async function applyEvent(db: PosDatabase, deviceId: string, seqs: readonly number[], event: (entry: OutboxEntry) => OutboxEvent | null): Promise<OutboxEntry[]> {
  return withDatabase(db, () =>
    db.transaction('rw', db.outbox, async () => {
      const entries = await db.outbox.bulkGet(seqs.map((seq) => [deviceId, seq] as [string, number]));
      const changed: OutboxEntry[] = [];
      for (const entry of entries) {
        if (!entry) continue;
        const next = event(entry);
        if (!next) continue;
        changed.push(transition(entry, next));
      }
      await db.outbox.bulkPut(changed);
      return changed;
    }),
  );
}

/**
 * On start-up, documents left `syncing` by a tab that died mid-push go back to `pending`: their
 * answer was lost, and the resend will be answered `duplicate` if the server had settled them.
 */
export async function recoverInterrupted(db: PosDatabase, at = Date.now()): Promise<number> {
  return db.transaction('rw', db.outbox, async () => {
    const stuck = await db.outbox.where('state').equals('syncing').toArray();
    await db.outbox.bulkPut(stuck.map((entry) => transition(entry, { type: 'unanswered', at })));
    return stuck.length;
  });
}

/**
 * Delete final documents that are older than `keepMs` and settled on the server (`seq` at or
 * below its `last_seq`). Nothing else is ever deleted.
 */
export async function purgeSettled(db: PosDatabase, deviceId: string, serverLastSeq: number, { keepMs, now = Date.now() }: { keepMs: number; now?: number }): Promise<number> {
  return db.transaction('rw', db.outbox, async () => {
    const [lower] = deviceRange(deviceId);
    const old = await db.outbox
      .where('[device_id+seq]')
      .between(lower, [deviceId, serverLastSeq], true, true)
      .filter((entry) => isFinal(entry.state) && entry.updated_at < now - keepMs)
      .primaryKeys();
    await db.outbox.bulkDelete(old);
    return old.length;
  });
}
