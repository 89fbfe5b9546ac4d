/**
 * The browser client of `/ws` (docs/realtime.md is the contract): the access token in the first
 * frame, never in the URL; `subscribe` with `since` so a reconnect replays what was missed with
 * no gap and no duplicate; reconnection with jittered exponential backoff; `pong`, token
 * `refresh` before expiry, and a reload signal for topics whose history no longer reaches back.
 *
 * Invariant: `lastIds[topic]` is the id of the last event delivered to listeners for that topic
 * (or the stream position at subscription), and listeners never see an id twice or out of order.
 */

export type Topic = 'stock' | 'sales' | 'predictions' | 'registers' | 'alerts' | 'reports';

export interface RealtimeEvent<T = Record<string, unknown>> {
  v: number;
  id: string;
  topic: Topic;
  type: string;
  at: string;
  data: T | null;
  truncated?: boolean;
}

export interface RegisterPresence {
  register_id: string;
  register_code: string;
  online: boolean;
  last_seen: string | null;
  queued_sales: number;
  version: number;
}

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface RealtimeOptions {
  url?: string;
  topics: Topic[];
  /** The current access token; `fresh` asks for a newly refreshed one (after 4004/4011). */
  token: (fresh: boolean) => Promise<string | null>;
  registerId?: string;
  WebSocketImpl?: typeof WebSocket;
  /** Milliseconds without any frame after which the socket is presumed dead. */
  silenceMs?: number;
}

type Handlers = {
  event: (event: RealtimeEvent) => void;
  state: (state: ConnectionState) => void;
  reload: (topic: Topic) => void;
  presence: (registers: RegisterPresence[]) => void;
  signedOut: (code: number) => void;
};

/** Close codes after which reconnecting cannot help: the person must sign in again. */
const FATAL_CODES = new Set([4000, 4002, 4003, 4005, 4006, 4007, 4012]);
/** Close codes that need a new access token before reconnecting. */
const TOKEN_CODES = new Set([4004, 4011]);

/** Stream ids are `<ms>-<seq>`: compare them as pairs of integers. */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}

export function defaultUrl(): string {
  const { protocol, host } = globalThis.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/ws`;
}

export class RealtimeClient {
  readonly lastIds: Partial<Record<Topic, string>> = {};
  state: ConnectionState = 'connecting';
  private socket: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private silenceTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly handlers: { [K in keyof Handlers]: Set<Handlers[K]> } = {
    event: new Set(),
    state: new Set(),
    reload: new Set(),
    presence: new Set(),
    signedOut: new Set(),
  };

  constructor(private readonly options: RealtimeOptions) {}

  on<K extends keyof Handlers>(kind: K, handler: Handlers[K]): () => void {
    this.handlers[kind].add(handler);
    return () => this.handlers[kind].delete(handler);
  }

  start(): this {
    this.stopped = false;
    void this.connect(false);
    return this;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.silenceTimer);
    this.socket?.close(1000, 'bye');
    this.socket = null;
    this.setState('stopped');
  }

  /** Send the POS queue size (registers' presence). */
  reportQueue(queuedSales: number): void {
    this.send({ type: 'presence', queued_sales: queuedSales });
  }

  private emit<K extends keyof Handlers>(kind: K, ...args: Parameters<Handlers[K]>): void {
    for (const handler of this.handlers[kind]) (handler as (...a: Parameters<Handlers[K]>) => void)(...args);
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    this.emit('state', state);
  }

  private send(frame: Record<string, unknown>): void {
    if (this.socket?.readyState === 1) this.socket.send(JSON.stringify(frame));
  }

  private async connect(freshToken: boolean): Promise<void> {
    if (this.stopped) return;
    let token: string | null;
    try {
      token = await this.options.token(freshToken);
    } catch {
      this.scheduleReconnect(false);
      return;
    }
    if (this.stopped) return;
    if (!token) {
      this.stop();
      this.emit('signedOut', 4002);
      return;
    }
    const Impl = this.options.WebSocketImpl ?? WebSocket;
    const socket = new Impl(this.options.url ?? defaultUrl());
    this.socket = socket;
    socket.onopen = () => {
      const auth: Record<string, unknown> = { type: 'auth', token };
      if (this.options.registerId) auth.register_id = this.options.registerId;
      socket.send(JSON.stringify(auth));
      this.heard();
    };
    socket.onmessage = (message) => {
      if (socket !== this.socket) return;
      this.heard();
      this.receive(JSON.parse(String(message.data)) as Record<string, unknown>);
    };
    socket.onclose = (close) => {
      if (socket !== this.socket) return;
      this.socket = null;
      clearTimeout(this.silenceTimer);
      if (this.stopped) return;
      if (FATAL_CODES.has(close.code)) {
        this.stop();
        this.emit('signedOut', close.code);
        return;
      }
      this.scheduleReconnect(TOKEN_CODES.has(close.code));
    };
  }

  private scheduleReconnect(freshToken: boolean): void {
    this.setState('reconnecting');
    const ceiling = Math.min(5_000, 50 * 2 ** this.attempt);
    this.attempt += 1;
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(freshToken), delay);
  }

  /** Any frame proves the socket alive; silence past `silenceMs` means a dead network. */
  private heard(): void {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => this.socket?.close(4999, 'silent'), this.options.silenceMs ?? 60_000);
  }

  private subscribe(topics: Topic[]): void {
    const since: Record<string, string> = {};
    for (const topic of topics) {
      const last = this.lastIds[topic];
      if (last) since[topic] = last;
    }
    this.send({ type: 'subscribe', topics, ...(Object.keys(since).length ? { since } : {}) });
  }

  private receive(frame: Record<string, unknown>): void {
    if ('v' in frame) {
      this.deliver(frame as unknown as RealtimeEvent);
      return;
    }
    switch (frame.type) {
      case 'ready':
        this.attempt = 0;
        this.subscribe(this.options.topics.filter((topic) => (frame.topics as string[]).includes(topic)));
        this.setState('live');
        break;
      case 'subscribed': {
        const topic = frame.topic as Topic;
        // The server leaves `recovered` out when it is true (its frames omit default values).
        const recovered = frame.recovered !== false;
        if (!recovered && this.lastIds[topic]) this.emit('reload', topic);
        if (!this.lastIds[topic] || !recovered) this.lastIds[topic] = frame.position as string;
        break;
      }
      case 'resume':
        this.subscribe(frame.topics as Topic[]);
        break;
      case 'presence':
        this.emit('presence', frame.registers as RegisterPresence[]);
        break;
      case 'ping':
        this.send({ type: 'pong' });
        break;
      case 'token_expiring':
        void this.options.token(true).then((token) => token && this.send({ type: 'refresh', token }));
        break;
      default:
        break;
    }
  }

  private deliver(event: RealtimeEvent): void {
    const last = this.lastIds[event.topic];
    if (last && compareIds(event.id, last) <= 0) return;
    this.lastIds[event.topic] = event.id;
    if (event.truncated) this.emit('reload', event.topic);
    else this.emit('event', event);
  }
}
