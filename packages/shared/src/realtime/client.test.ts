import { describe, expect, it } from 'vitest';
import { RealtimeClient, compareIds, type RealtimeEvent } from './client';

/** A scripted socket standing in for the browser's: records what the client sends. */
class ScriptedSocket {
  static last: ScriptedSocket;
  readyState = 1;
  sent: Record<string, unknown>[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: string }) => void) | null = null;
  onclose: ((close: { code: number }) => void) | null = null;
  constructor(readonly url: string) {
    ScriptedSocket.last = this;
    queueMicrotask(() => this.onopen?.());
  }
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    this.readyState = 3;
  }
  push(frame: object) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function event(id: string, topic = 'sales'): RealtimeEvent {
  return { v: 1, id, topic: topic as RealtimeEvent['topic'], type: 'sale.created', at: '2026-01-01T00:00:00Z', data: {} };
}

describe('realtime client', () => {
  it('compares stream ids as pairs of integers', () => {
    expect(compareIds('10-0', '9-5')).toBeGreaterThan(0);
    expect(compareIds('9-5', '9-10')).toBeLessThan(0);
    expect(compareIds('9-5', '9-5')).toBe(0);
  });

  it('authenticates first, subscribes with since after a reconnect, drops duplicates', async () => {
    const seen: string[] = [];
    const client = new RealtimeClient({
      url: 'ws://shop.test/ws',
      topics: ['sales', 'stock'],
      token: async () => 'token-1',
      WebSocketImpl: ScriptedSocket as unknown as typeof WebSocket,
    });
    client.on('event', (e) => seen.push(e.id));
    client.start();
    await tick();
    const first = ScriptedSocket.last;
    expect(first.sent[0]).toEqual({ type: 'auth', token: 'token-1' });
    first.push({ type: 'ready', topics: ['sales', 'stock'] });
    expect(first.sent[1]).toEqual({ type: 'subscribe', topics: ['sales', 'stock'] });
    first.push({ type: 'subscribed', topic: 'sales', recovered: true, position: '5-0' });
    first.push({ type: 'subscribed', topic: 'stock', recovered: true, position: '0-0' });
    first.push(event('6-0'));
    first.push(event('6-0'));
    first.push(event('7-1'));
    expect(seen).toEqual(['6-0', '7-1']);
    expect(client.state).toBe('live');

    first.onclose?.({ code: 1006 });
    expect(client.state).toBe('reconnecting');
    await new Promise((resolve) => setTimeout(resolve, 120));
    const second = ScriptedSocket.last;
    expect(second).not.toBe(first);
    second.push({ type: 'ready', topics: ['sales', 'stock'] });
    expect(second.sent[1]).toEqual({ type: 'subscribe', topics: ['sales', 'stock'], since: { sales: '7-1', stock: '0-0' } });
    second.push(event('7-1'));
    second.push(event('8-0'));
    expect(seen).toEqual(['6-0', '7-1', '8-0']);
    client.stop();
  });

  it('replays after a reconnect when the server leaves out `recovered` (true is its default)', async () => {
    const seen: string[] = [];
    const reloads: string[] = [];
    const client = new RealtimeClient({
      topics: ['sales'],
      url: 'ws://shop.test/ws',
      token: async () => 't',
      WebSocketImpl: ScriptedSocket as unknown as typeof WebSocket,
    });
    client.on('event', (e) => seen.push(e.id));
    client.on('reload', (topic) => reloads.push(topic));
    client.lastIds.sales = '5-0';
    client.start();
    await tick();
    const socket = ScriptedSocket.last;
    socket.push({ type: 'ready', topics: ['sales'] });
    expect(socket.sent[1]).toEqual({ type: 'subscribe', topics: ['sales'], since: { sales: '5-0' } });
    socket.push({ type: 'subscribed', topic: 'sales', position: '7-0' });
    socket.push(event('6-0'));
    socket.push(event('7-0'));
    expect(reloads).toEqual([]);
    expect(seen).toEqual(['6-0', '7-0']);
    client.stop();
  });

  it('asks for a reload when the history no longer reaches back, and answers pings', async () => {
    const reloads: string[] = [];
    const client = new RealtimeClient({
      topics: ['sales'],
      url: 'ws://shop.test/ws',
      token: async () => 't',
      WebSocketImpl: ScriptedSocket as unknown as typeof WebSocket,
    });
    client.on('reload', (topic) => reloads.push(topic));
    client.lastIds.sales = '1-0';
    client.start();
    await tick();
    const socket = ScriptedSocket.last;
    socket.push({ type: 'ready', topics: ['sales'] });
    socket.push({ type: 'subscribed', topic: 'sales', recovered: false, position: '900-0' });
    expect(reloads).toEqual(['sales']);
    expect(client.lastIds.sales).toBe('900-0');
    socket.push({ type: 'ping' });
    expect(socket.sent.at(-1)).toEqual({ type: 'pong' });
    client.stop();
  });

  it('stops and reports a signed-out session on a fatal close code', async () => {
    const codes: number[] = [];
    const client = new RealtimeClient({
      topics: ['sales'],
      url: 'ws://shop.test/ws',
      token: async () => 't',
      WebSocketImpl: ScriptedSocket as unknown as typeof WebSocket,
    });
    client.on('signedOut', (code) => codes.push(code));
    client.start();
    await tick();
    ScriptedSocket.last.onclose?.({ code: 4007 });
    expect(codes).toEqual([4007]);
    expect(client.state).toBe('stopped');
  });
});
