/**
 * The one sync coordinator of a till: it pushes the outbox to `POST /api/v1/sync/sales` and turns
 * the answers into outbox states. Only the writer tab runs one (`writer.ts`).
 *
 * Invariants:
 * - One push in flight at a time, per till; documents go in sequence order, never skipping one
 *   that is not final (the server would stop at the gap anyway).
 * - Every sent document ends its attempt in a state: answered (`acknowledged`/`dead_letter`),
 *   `retrying` (transient failure) or back to `pending` (not answered); a crash in between leaves
 *   `syncing`, which `recoverInterrupted` turns back into `pending` at the next start.
 * - Transient failures back off exponentially with jitter (1 s doubling to 60 s, half of it
 *   random) and never retry before the server's `retry_after_ms`. Background Sync is not used:
 *   attempts happen at start, on `online`, when the page becomes visible, on a timer, and when
 *   a new document is stored.
 * - A device the server refuses (revoked, wrong credential, unknown) stops pushing until the till
 *   is set up again; a till without a session waits for a sign-in. Neither loses a document.
 */
import type { Schemas } from '@orbit/shared/api/client';
import type { DeviceCredential, OutboxEntry, PosDatabase, WireDocument } from './db';
import { applyEvent, recoverInterrupted, unsentEntries } from './outbox';

export type PushResult = Schemas['PushResult'];

export type PushOutcome =
  | { type: 'answered'; result: PushResult }
  | { type: 'retry'; error: string; retryAfterMs?: number }
  | { type: 'unauthorized' }
  | { type: 'device_refused'; code: string; message: string }
  | { type: 'too_large' }
  | { type: 'refused'; status: number; message: string };

export interface PushTransport {
  push(device: DeviceCredential, documents: WireDocument[]): Promise<PushOutcome>;
}

export type SyncPhase = 'idle' | 'sending' | 'waiting' | 'offline' | 'signed_out' | 'device_refused' | 'blocked';

export interface SyncStatus {
  phase: SyncPhase;
  message?: string;
  /** When the next attempt is due (`waiting`). */
  next_attempt_at?: number;
  last_success_at?: number;
}

export type KickReason = 'start' | 'online' | 'visible' | 'timer' | 'document' | 'session' | 'manual';

export interface CoordinatorOptions {
  db: PosDatabase;
  transport: PushTransport;
  isOnline?: () => boolean;
  now?: () => number;
  random?: () => number;
  setTimer?: (callback: () => void, ms: number) => () => void;
  /** Called with the entries each answer made final (to update the journal). */
  onSettled?: (entries: OutboxEntry[]) => Promise<void>;
  maxDocuments?: number;
  maxBytes?: number;
  periodMs?: number;
}

export const MAX_DOCUMENTS = 100;
/** Below the server's 1 MiB so that the envelope always fits. */
export const MAX_BYTES = 900 * 1024;
const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 60_000;
const REFUSED_DELAY_MS = 5 * 60_000;

/** The wait before attempt `failures + 1` after `failures` failures in a row: equal jitter. */
export function backoffDelay(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Triggers that mean the world changed (the network came back): they cut our own backoff short. */
const FRESH_START: ReadonlySet<KickReason> = new Set(['start', 'online', 'visible', 'session', 'manual']);

const encoder = new TextEncoder();

export class SyncCoordinator {
  status: SyncStatus = { phase: 'idle' };
  private readonly listeners = new Set<(status: SyncStatus) => void>();
  private running: Promise<void> | null = null;
  private again = false;
  private failures = 0;
  /** Our own backoff: attempts before this instant wait, unless the network came back. */
  private backoffUntil = 0;
  /** The server's `retry_after_ms`: nothing is sent before this instant, whatever happens. */
  private serverNotBefore = 0;
  private cancelTimer: (() => void) | null = null;
  private cancelPeriodic: (() => void) | null = null;
  private maxDocuments: number;
  private stopped = true;
  private readonly refusedDevices = new Set<string>();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly setTimer: (callback: () => void, ms: number) => () => void;
  private readonly isOnline: () => boolean;

  constructor(private readonly options: CoordinatorOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.setTimer =
      options.setTimer ??
      ((callback, ms) => {
        const handle = setTimeout(callback, ms);
        return () => clearTimeout(handle);
      });
    this.isOnline = options.isOnline ?? (() => globalThis.navigator?.onLine ?? true);
    this.maxDocuments = options.maxDocuments ?? MAX_DOCUMENTS;
  }

  subscribe(listener: (status: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Recover interrupted pushes and start: first attempt now, then on every trigger. */
  async start(): Promise<void> {
    this.stopped = false;
    await recoverInterrupted(this.options.db, this.now());
    this.schedulePeriodic();
    this.kick('start');
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelPeriodic?.();
  }

  /** Forget that a device was refused (it was set up again). */
  forgive(deviceId: string): void {
    this.refusedDevices.delete(deviceId);
  }

  /** Ask for an attempt; resolves when the attempt it caused (or joined) is over. */
  kick(reason: KickReason): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const now = this.now();
    if (now < this.serverNotBefore) return this.wakeAt(this.serverNotBefore);
    if (FRESH_START.has(reason)) this.backoffUntil = 0;
    else if (now < this.backoffUntil) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Resolves once no attempt is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private setStatus(status: SyncStatus): void {
    this.status = status;
    for (const listener of this.listeners) listener(status);
  }

  private schedulePeriodic(): void {
    this.cancelPeriodic?.();
    this.cancelPeriodic = this.setTimer(() => {
      if (this.stopped) return;
      void this.kick('timer');
      this.schedulePeriodic();
    }, this.options.periodMs ?? 20_000);
  }

  private wakeAt(at: number): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = this.setTimer(() => void this.kick('timer'), Math.max(0, at - this.now()));
    return Promise.resolve();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.drain();
    } while (this.again && !this.stopped && this.now() >= Math.max(this.serverNotBefore, this.backoffUntil));
  }

  private async drain(): Promise<void> {
    const devices = (await this.options.db.devices.toArray()).sort((a, b) => Number(b.own) - Number(a.own));
    for (const device of devices) {
      if (this.refusedDevices.has(device.id)) continue;
      for (;;) {
        if (this.stopped) return;
        if (!this.isOnline()) {
          this.setStatus({ ...this.status, phase: 'offline', message: undefined });
          return;
        }
        const progress = await this.pushBatch(device);
        if (progress === 'stop') return;
        if (progress === 'done') break;
      }
    }
    if (this.status.phase === 'sending' || this.status.phase === 'offline' || this.status.phase === 'signed_out') {
      this.setStatus({ phase: 'idle', last_success_at: this.status.last_success_at });
    }
  }

  /** The first not-final documents in order, within the batch limits. */
  private batchOf(entries: OutboxEntry[]): OutboxEntry[] {
    const batch: OutboxEntry[] = [];
    let bytes = 64;
    for (const entry of entries) {
      const size = encoder.encode(JSON.stringify(entry.document)).length + 1;
      if (batch.length >= this.maxDocuments || (batch.length > 0 && bytes + size > (this.options.maxBytes ?? MAX_BYTES))) break;
      batch.push(entry);
      bytes += size;
    }
    return batch;
  }

  /** One request. 'more': call again; 'done': nothing left for this device; 'stop': wait for a trigger. */
  private async pushBatch(device: DeviceCredential): Promise<'more' | 'done' | 'stop'> {
    const { db } = this.options;
    const batch = this.batchOf(await unsentEntries(db, device.id));
    if (!batch.length) return 'done';
    const seqs = batch.map((entry) => entry.seq);
    await applyEvent(db, device.id, seqs, (entry) => (entry.state === 'syncing' ? null : { type: 'send', at: this.now() }));
    this.setStatus({ ...this.status, phase: 'sending', message: undefined });
    let outcome: PushOutcome;
    try {
      outcome = await this.options.transport.push(
        device,
        batch.map((entry) => entry.document),
      );
    } catch (error) {
      outcome = { type: 'retry', error: error instanceof Error ? error.message : String(error) };
    }
    const at = this.now();
    switch (outcome.type) {
      case 'answered':
        return this.answered(device, batch, outcome.result);
      case 'retry': {
        this.failures += 1;
        const delay = Math.max(outcome.retryAfterMs ?? 0, backoffDelay(this.failures, this.random));
        if (outcome.retryAfterMs) this.serverNotBefore = at + outcome.retryAfterMs;
        this.backoffUntil = at + delay;
        await applyEvent(db, device.id, seqs, () => ({ type: 'transient', at, error: outcome.error, retryAt: at + delay }));
        this.setStatus({ ...this.status, phase: 'waiting', message: outcome.error, next_attempt_at: at + delay });
        await this.wakeAt(at + delay);
        return 'stop';
      }
      case 'too_large':
        await applyEvent(db, device.id, seqs, () => ({ type: 'unanswered', at }));
        this.maxDocuments = Math.max(1, Math.floor(batch.length / 2));
        return 'more';
      case 'unauthorized':
        await applyEvent(db, device.id, seqs, () => ({ type: 'unanswered', at }));
        this.setStatus({ ...this.status, phase: 'signed_out', message: undefined });
        return 'stop';
      case 'device_refused':
        await applyEvent(db, device.id, seqs, () => ({ type: 'unanswered', at }));
        this.refusedDevices.add(device.id);
        if (device.own) await db.setMeta('device_refused', { code: outcome.code, message: outcome.message, at });
        this.setStatus({ ...this.status, phase: 'device_refused', message: outcome.message });
        return 'done';
      case 'refused': {
        // A batch refused whole (a product or cashier the server does not know): sending it again
        // soon cannot help, and skipping it would leave a gap the server never accepts.
        this.backoffUntil = at + REFUSED_DELAY_MS;
        await applyEvent(db, device.id, seqs, () => ({ type: 'transient', at, error: outcome.message, retryAt: at + REFUSED_DELAY_MS }));
        this.setStatus({ ...this.status, phase: 'blocked', message: outcome.message, next_attempt_at: at + REFUSED_DELAY_MS });
        await this.wakeAt(at + REFUSED_DELAY_MS);
        return 'stop';
      }
    }
  }

  private async answered(device: DeviceCredential, batch: OutboxEntry[], result: PushResult): Promise<'more' | 'done' | 'stop'> {
    const { db } = this.options;
    const at = this.now();
    const answers = new Map((result.results ?? []).map((answer) => [answer.seq, answer]));
    const settled = await applyEvent(
      db,
      device.id,
      batch.map((entry) => entry.seq),
      (entry) => {
        const answer = answers.get(entry.seq);
        return answer && answer.id === entry.id ? { type: 'answer', at, result: answer } : { type: 'unanswered', at };
      },
    );
    const known = (await db.getMeta('server_last_seq')) ?? {};
    await db.setMeta('server_last_seq', { ...known, [device.id]: result.last_seq });
    const final = settled.filter((entry) => entry.state === 'acknowledged' || entry.state === 'dead_letter');
    if (final.length) await this.options.onSettled?.(final);
    this.failures = 0;
    this.backoffUntil = 0;
    this.serverNotBefore = 0;
    const expected = result.expected_seq ?? null;
    if (!final.length && expected !== null && expected < batch[0].seq) {
      const message = `The server expects document ${expected}, which this till does not have.`;
      this.setStatus({ ...this.status, phase: 'blocked', message });
      return 'done';
    }
    this.setStatus({ phase: 'sending', last_success_at: at });
    return final.length ? 'more' : 'done';
  }
}
