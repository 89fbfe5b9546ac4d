/**
 * The browser session's state and the one place that refreshes it.
 *
 * The access token lives in memory only; the refresh token is an HttpOnly cookie the page never
 * sees. Every tab of the shop shares that cookie, and the server rotates it on each refresh and
 * revokes the whole session when a rotated one is used again. So, invariants:
 *
 * - At most one refresh request is in flight across all tabs: each refresh runs inside the Web
 *   Lock `LOCK_NAME`. A tab that waited for the lock first checks whether another tab refreshed
 *   meanwhile (its `generation` moved and the token is fresh) and then uses that token instead
 *   of spending the cookie again.
 * - Every change of session (signed in, refreshed, signed out) is announced on the
 *   BroadcastChannel `CHANNEL_NAME`, and every tab adopts it: logout in one tab ends every tab.
 * - A lock held too long (a tab frozen mid-request) cannot hang the others: after
 *   `lockTimeoutMs` the waiter steals the lock.
 */

export interface SessionUser {
  id: string;
  email: string;
  full_name: string;
  role: 'admin' | 'manager' | 'cashier';
}

export interface SessionTokens {
  accessToken: string;
  /** Epoch milliseconds at which the access token expires. */
  expiresAt: number;
  user: SessionUser;
}

export type SessionMessage =
  | { type: 'session'; tokens: SessionTokens }
  | { type: 'signed-out' };

/** The parts of the Web Locks API used here (`navigator.locks`). */
export interface LockManagerLike {
  request<T>(name: string, options: { signal?: AbortSignal; steal?: boolean }, callback: () => Promise<T>): Promise<T>;
}

/** The parts of BroadcastChannel used here. */
export interface ChannelLike {
  postMessage(message: SessionMessage): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<SessionMessage>) => void): void;
  close(): void;
}

export interface CoordinatorOptions {
  /** Exchanges the refresh cookie for new tokens; null when the server ends the session. */
  refreshRequest: () => Promise<SessionTokens | null>;
  locks?: LockManagerLike | null;
  channel?: ChannelLike | null;
  now?: () => number;
  lockTimeoutMs?: number;
  /** A token with less than this left is not fresh and gets refreshed. */
  freshnessMs?: number;
}

export const LOCK_NAME = 'orbit-session-refresh';
export const CHANNEL_NAME = 'orbit-session';

type Listener = (tokens: SessionTokens | null) => void;

export class SessionCoordinator {
  private tokens: SessionTokens | null = null;
  private generation = 0;
  private inflight: Promise<SessionTokens | null> | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly refreshRequest: () => Promise<SessionTokens | null>;
  private readonly locks: LockManagerLike | null;
  private readonly channel: ChannelLike | null;
  private readonly now: () => number;
  private readonly lockTimeoutMs: number;
  private readonly freshnessMs: number;

  constructor(options: CoordinatorOptions) {
    this.refreshRequest = options.refreshRequest;
    this.locks = options.locks ?? null;
    this.channel = options.channel ?? null;
    this.now = options.now ?? Date.now;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.freshnessMs = options.freshnessMs ?? 30_000;
    this.channel?.addEventListener('message', (event) => this.receive(event.data));
  }

  get current(): SessionTokens | null {
    return this.tokens;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isFresh(tokens: SessionTokens | null = this.tokens): boolean {
    return tokens !== null && tokens.expiresAt - this.now() > this.freshnessMs;
  }

  /** Adopt tokens this tab obtained (sign-in, hand-over) and tell the other tabs. */
  signedIn(tokens: SessionTokens): void {
    this.adopt(tokens);
    this.channel?.postMessage({ type: 'session', tokens });
  }

  /** Forget the session here and in every tab. */
  signedOut(): void {
    this.adopt(null);
    this.channel?.postMessage({ type: 'signed-out' });
  }

  /**
   * A fresh access token: the current one if another tab already refreshed it while this one
   * waited, else a new one from the server. Concurrent callers in one tab share one request.
   */
  refresh(): Promise<SessionTokens | null> {
    if (this.inflight) return this.inflight;
    const seen = this.generation;
    this.inflight = this.exclusive(async () => {
      if (this.generation !== seen && this.isFresh()) return this.tokens;
      const tokens = await this.refreshRequest();
      if (tokens) this.signedIn(tokens);
      else this.signedOut();
      return tokens;
    }).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** Run `work` while holding the cross-tab lock (stolen after `lockTimeoutMs`). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const locks = this.locks;
    if (!locks) return work();
    const signal = AbortSignal.timeout(this.lockTimeoutMs);
    return locks.request(LOCK_NAME, { signal }, work).catch((error: unknown) => {
      if (!signal.aborted) throw error;
      return locks.request(LOCK_NAME, { steal: true }, work);
    });
  }

  close(): void {
    this.channel?.close();
    this.listeners.clear();
  }

  private receive(message: SessionMessage): void {
    if (message.type === 'session') this.adopt(message.tokens);
    else if (message.type === 'signed-out') this.adopt(null);
  }

  private adopt(tokens: SessionTokens | null): void {
    this.tokens = tokens;
    this.generation += 1;
    for (const listener of this.listeners) listener(tokens);
  }
}
