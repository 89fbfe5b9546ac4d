/**
 * The sync coordinator against a fake server that keeps `last_seq` and stored answers the way
 * `sync.push.push_documents` does: in-order pushes, lost answers resent and answered
 * `duplicate`, the server's `retry_after_ms` honoured, backoff with jitter, a refused device
 * stopping for good, nothing settled twice.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { SyncCoordinator, backoffDelay, type PushOutcome, type PushTransport } from './coordinator';
import type { DeviceCredential, DocumentResult, WireDocument } from './db';
import { openShift, recordSale, settleJournal } from './journal';
import { unsyncedCount } from './outbox';
import { DEVICE, freshTill, product } from './test-support';

/** A server with the protocol's bookkeeping: last_seq, stored answers, gaps. */
class FakeServer implements PushTransport {
  lastSeq = 0;
  settled = new Map<string, DocumentResult>();
  applied: WireDocument[] = [];
  requests: number[][] = [];
  /** Outcomes to answer instead of settling (one per request, in order). */
  scripted: (PushOutcome | 'commit-then-drop')[] = [];

  async push(_device: DeviceCredential, documents: WireDocument[]): Promise<PushOutcome> {
    this.requests.push(documents.map((d) => d.seq));
    const scripted = this.scripted.shift();
    if (scripted && scripted !== 'commit-then-drop') return scripted;
    const results: DocumentResult[] = [];
    let expected: number | null = null;
    for (const document of documents) {
      const stored = this.settled.get(document.id);
      if (stored) {
        results.push({ ...stored, status: 'duplicate' });
        continue;
      }
      if (document.seq > this.lastSeq + 1) {
        expected = this.lastSeq + 1;
        break;
      }
      const answer: DocumentResult = {
        id: document.id,
        seq: document.seq,
        kind: document.kind,
        status: 'applied',
        code: null,
        message: null,
        sale_id: null,
        invoice_number: document.kind === 'sale' ? `T1-${document.number}` : null,
        conflicts: [],
      };
      this.settled.set(document.id, answer);
      this.applied.push(document);
      this.lastSeq = document.seq;
      results.push(answer);
    }
    if (scripted === 'commit-then-drop') throw new TypeError('Failed to fetch');
    return { type: 'answered', result: { device_id: DEVICE.id, last_seq: this.lastSeq, results, expected_seq: expected, retry_after_ms: null } };
  }
}

function clock() {
  let now = 1_000_000;
  const timers: { at: number; run: () => void }[] = [];
  return {
    now: () => now,
    setTimer: (run: () => void, ms: number) => {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return () => timers.splice(timers.indexOf(timer) >>> 0, 1);
    },
    /** Move time forward, firing due timers (not the periodic one unless reached). */
    advance(ms: number) {
      now += ms;
      for (const timer of timers.filter((t) => t.at <= now)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.run();
      }
    },
  };
}

async function setUp(documents: number) {
  const { db, till } = await freshTill();
  const shift = await openShift(till, 0);
  const milk = product();
  for (let i = 1; i < documents; i += 1) {
    await recordSale(till, { lines: [{ product: milk, quantity: 1, discount: 0 }], discount: 0, customer: null }, [{ method: 'cash', amount: 1990 }], shift.id);
  }
  const server = new FakeServer();
  const time = clock();
  const coordinator = new SyncCoordinator({
    db,
    transport: server,
    now: time.now,
    setTimer: time.setTimer,
    random: () => 0.5,
    isOnline: () => true,
    onSettled: (entries) => settleJournal(db, entries),
    periodMs: 3_600_000,
  });
  return { db, till, server, time, coordinator };
}

describe('SyncCoordinator', () => {
  it('pushes everything in sequence order, in batches of at most 100, and settles each once', async () => {
    const { db, server, coordinator } = await setUp(250);
    await coordinator.start();
    await coordinator.idle();
    expect(server.requests.map((r) => r.length)).toEqual([100, 100, 50]);
    expect(server.requests.flat()).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(server.applied).toHaveLength(250);
    expect(await unsyncedCount(db)).toBe(0);
    expect((await db.outbox.toArray()).every((e) => e.state === 'acknowledged' && e.outcome === 'applied')).toBe(true);
    expect(await db.getMeta('server_last_seq')).toEqual({ [DEVICE.id]: 250 });
  });

  it('resends a batch whose answer was lost, and the server answers duplicate: one sale, not two', async () => {
    const { db, server, time, coordinator } = await setUp(3);
    server.scripted = ['commit-then-drop'];
    await coordinator.start();
    await coordinator.idle();
    expect(server.applied).toHaveLength(3);
    expect((await db.outbox.toArray()).map((e) => e.state)).toEqual(['retrying', 'retrying', 'retrying']);
    time.advance(backoffDelay(1, () => 0.5));
    await coordinator.idle();
    expect(server.requests).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(server.applied).toHaveLength(3);
    const entries = await db.outbox.toArray();
    expect(entries.map((e) => [e.state, e.result?.status, e.outcome])).toEqual([
      ['acknowledged', 'duplicate', 'applied'],
      ['acknowledged', 'duplicate', 'applied'],
      ['acknowledged', 'duplicate', 'applied'],
    ]);
  });

  it("never retries before the server's retry_after_ms, even when the network comes back", async () => {
    const { server, time, coordinator } = await setUp(2);
    server.scripted = [{ type: 'retry', error: 'busy', retryAfterMs: 30_000 }];
    await coordinator.start();
    await coordinator.idle();
    expect(coordinator.status).toMatchObject({ phase: 'waiting', message: 'busy' });
    await coordinator.kick('online');
    await coordinator.idle();
    expect(server.requests).toHaveLength(1);
    time.advance(30_000);
    await coordinator.idle();
    expect(server.requests).toHaveLength(2);
    expect(server.applied).toHaveLength(2);
  });

  it('backs off exponentially with jitter, and a returning network cuts its own backoff short', async () => {
    expect([1, 2, 3, 7, 20].map((n) => backoffDelay(n, () => 0))).toEqual([500, 1_000, 2_000, 30_000, 30_000]);
    expect([1, 2, 3, 7, 20].map((n) => backoffDelay(n, () => 1))).toEqual([1_000, 2_000, 4_000, 60_000, 60_000]);
    const { server, coordinator } = await setUp(1);
    server.scripted = [
      { type: 'retry', error: 'network' },
      { type: 'retry', error: 'network' },
    ];
    await coordinator.start();
    await coordinator.idle();
    await coordinator.kick('document');
    await coordinator.idle();
    expect(server.requests).toHaveLength(1);
    await coordinator.kick('online');
    await coordinator.idle();
    await coordinator.kick('visible');
    await coordinator.idle();
    expect(server.requests).toHaveLength(3);
    expect(server.applied).toHaveLength(1);
  });

  it('stops pushing a device the server refuses, keeping its documents', async () => {
    const { db, server, coordinator } = await setUp(2);
    server.scripted = [{ type: 'device_refused', code: 'device_revoked', message: 'this device was revoked; register it again' }];
    await coordinator.start();
    await coordinator.idle();
    await coordinator.kick('online');
    await coordinator.idle();
    expect(server.requests).toHaveLength(1);
    expect(coordinator.status).toMatchObject({ phase: 'device_refused', message: 'this device was revoked; register it again' });
    expect(await db.getMeta('device_refused')).toMatchObject({ code: 'device_revoked' });
    expect((await db.outbox.toArray()).map((e) => e.state)).toEqual(['pending', 'pending']);
  });

  it('waits for a session, and halves a batch the server finds too large', async () => {
    const { server, coordinator } = await setUp(4);
    server.scripted = [{ type: 'unauthorized' }];
    await coordinator.start();
    await coordinator.idle();
    expect(coordinator.status.phase).toBe('signed_out');
    server.scripted = [{ type: 'too_large' }];
    await coordinator.kick('session');
    await coordinator.idle();
    expect(server.requests).toEqual([
      [1, 2, 3, 4],
      [1, 2, 3, 4],
      [1, 2],
      [3, 4],
    ]);
  });

  it('puts a rejected document in the dead letters and goes on with the next', async () => {
    const { db, server, coordinator } = await setUp(3);
    const original = server.push.bind(server);
    server.push = async (device, documents) => {
      const outcome = await original(device, documents);
      if (outcome.type === 'answered')
        outcome.result.results = outcome.result.results.map((r) => (r.seq === 2 ? { ...r, status: 'rejected', code: 'invalid_amounts', message: 'short' } : r));
      return outcome;
    };
    await coordinator.start();
    await coordinator.idle();
    expect((await db.outbox.toArray()).map((e) => [e.seq, e.state])).toEqual([
      [1, 'acknowledged'],
      [2, 'dead_letter'],
      [3, 'acknowledged'],
    ]);
    expect(await unsyncedCount(db)).toBe(0);
  });
});
