/**
 * One writer tab per till. The tab holding the Web Lock `WRITER_LOCK` is the only one that
 * numbers documents, pushes them, pulls the catalog and keeps the live connection; every other
 * tab of the POS is a read-only mirror of the same IndexedDB (Dexie's live queries follow the
 * writer's changes across tabs), and takes over, lock and all, when the writer tab closes.
 *
 * Invariant: at most one tab of an origin holds the lock at any moment (the browser guarantees
 * it, across tabs and windows of one profile); the lock is released only when its tab goes away.
 * Numbering is also safe without it (`outbox.commitDocument` takes the counters inside its
 * transaction), so the lock is what keeps a second tab from forking the sequence of *work*, not
 * the last line of defence.
 */

export const WRITER_LOCK = 'orbit-pos-writer';

export interface LocksLike {
  request(name: string, options: { mode?: 'exclusive' | 'shared'; ifAvailable?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => Promise<unknown>): Promise<unknown>;
}

export type WriterRole = 'electing' | 'writer' | 'mirror';

/**
 * Queue for the writer lock. `onRole` hears 'mirror' while another tab holds it and 'writer' once
 * this tab got it (it keeps it until `release` or the tab closes). Without the Web Locks API the
 * tab is the writer (a browser that old has no second tab to fear).
 */
export function electWriter(onRole: (role: WriterRole) => void, locks: LocksLike | null = (globalThis.navigator?.locks as unknown as LocksLike) ?? null): { release: () => void } {
  if (!locks) {
    onRole('writer');
    return { release: () => undefined };
  }
  const abort = new AbortController();
  let releaseHeld: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    releaseHeld = resolve;
  });
  let granted = false;
  void locks
    .request(WRITER_LOCK, { mode: 'exclusive', ifAvailable: true }, async (lock) => {
      if (lock === null) return;
      granted = true;
      onRole('writer');
      await held;
    })
    .then(() => {
      if (granted || abort.signal.aborted) return;
      onRole('mirror');
      return locks.request(WRITER_LOCK, { mode: 'exclusive', signal: abort.signal }, async () => {
        onRole('writer');
        await held;
      });
    })
    .catch(() => undefined);
  return {
    release: () => {
      abort.abort();
      releaseHeld();
    },
  };
}
