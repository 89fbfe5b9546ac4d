import { describe, expect, it } from 'vitest';
import { SessionCoordinator, type ChannelLike, type LockManagerLike, type SessionMessage, type SessionTokens } from './coordinator';

/** Web Locks semantics in one process: exclusive, FIFO, abortable waits, steal. */
class LockManager implements LockManagerLike {
  private tail: Promise<unknown> = Promise.resolve();
  async request<T>(_name: string, options: { signal?: AbortSignal; steal?: boolean }, callback: () => Promise<T>): Promise<T> {
    if (options.steal) return callback();
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        options.signal?.addEventListener('abort', () => reject(options.signal?.reason));
        void previous.then(() => resolve());
      });
      return await callback();
    } finally {
      release();
    }
  }
}

/** Tabs of one browser: what one posts, the others receive. */
class Bus {
  private readonly members = new Set<(message: SessionMessage) => void>();
  channel(): ChannelLike {
    let listener: ((event: MessageEvent<SessionMessage>) => void) | null = null;
    const deliver = (message: SessionMessage) => listener?.({ data: message } as MessageEvent<SessionMessage>);
    this.members.add(deliver);
    return {
      postMessage: (message) => {
        for (const member of this.members) if (member !== deliver) member(structuredClone(message));
      },
      addEventListener: (_type, l) => (listener = l),
      close: () => this.members.delete(deliver),
    };
  }
}

/** The server's refresh-token rotation with reuse detection, as the tests need it. */
class Server {
  current = 'cookie-0';
  cookie = 'cookie-0';
  refreshes = 0;
  reused = false;
  async refresh(): Promise<SessionTokens | null> {
    const presented = this.cookie;
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (presented !== this.current) {
      this.reused = true;
      return null;
    }
    this.refreshes += 1;
    this.current = this.cookie = `cookie-${this.refreshes}`;
    return {
      accessToken: `access-${this.refreshes}`,
      expiresAt: Date.now() + 600_000,
      user: { id: 'u', email: 'a@b.c', full_name: 'A', role: 'admin' },
    };
  }
}

describe('session coordinator', () => {
  it('lets many tabs refresh at once without ever spending a rotated cookie', async () => {
    const locks = new LockManager();
    const bus = new Bus();
    const server = new Server();
    const tabs = Array.from({ length: 4 }, () => new SessionCoordinator({ refreshRequest: () => server.refresh(), locks, channel: bus.channel() }));
    for (let round = 0; round < 5; round += 1) {
      const results = await Promise.all(tabs.map((tab) => tab.refresh()));
      expect(results.every((tokens) => tokens !== null)).toBe(true);
      expect(new Set(tabs.map((tab) => tab.current?.accessToken)).size).toBe(1);
      for (const tab of tabs) (tab as unknown as { tokens: SessionTokens }).tokens.expiresAt = Date.now();
    }
    expect(server.reused).toBe(false);
    expect(server.refreshes).toBe(5);
  });

  it('shares one request between concurrent callers in a tab', async () => {
    const server = new Server();
    const tab = new SessionCoordinator({ refreshRequest: () => server.refresh() });
    await Promise.all([tab.refresh(), tab.refresh(), tab.refresh()]);
    expect(server.refreshes).toBe(1);
  });

  it('signs every tab out when one signs out', () => {
    const bus = new Bus();
    const server = new Server();
    const [a, b] = [0, 1].map(() => new SessionCoordinator({ refreshRequest: () => server.refresh(), channel: bus.channel() }));
    a.signedIn({ accessToken: 'x', expiresAt: Date.now() + 60_000, user: { id: 'u', email: 'e', full_name: 'n', role: 'manager' } });
    expect(b.current?.accessToken).toBe('x');
    const seen: (SessionTokens | null)[] = [];
    b.subscribe((tokens) => seen.push(tokens));
    a.signedOut();
    expect(b.current).toBeNull();
    expect(seen).toEqual([null]);
  });

  it('steals a lock held too long by a frozen tab', async () => {
    const locks = new LockManager();
    const server = new Server();
    void locks.request('orbit-session-refresh', {}, () => new Promise(() => undefined));
    const tab = new SessionCoordinator({ refreshRequest: () => server.refresh(), locks, lockTimeoutMs: 30 });
    const tokens = await tab.refresh();
    expect(tokens?.accessToken).toBe('access-1');
  });
});
