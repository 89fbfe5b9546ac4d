/**
 * One `/ws` connection per signed-in page, shared by every screen: screens subscribe to the
 * events they care about with `useRealtimeEvent` and never open sockets of their own. The
 * connection starts after sign-in with the topics the role may see and stops at sign-out.
 */
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { RealtimeClient, type ConnectionState, type RealtimeEvent, type RegisterPresence, type Topic } from '@orbit/shared/realtime/client';
import { session } from '@orbit/shared/session/session';

const RealtimeContext = createContext<RealtimeClient | null>(null);

const MANAGER_TOPICS: Topic[] = ['sales', 'stock', 'registers', 'alerts', 'predictions', 'reports'];

export function RealtimeProvider({ children, onSignedOut }: { children: ReactNode; onSignedOut: () => void }) {
  const [client, setClient] = useState<RealtimeClient | null>(null);
  const signedOut = useRef(onSignedOut);
  signedOut.current = onSignedOut;

  useEffect(() => {
    const realtime = new RealtimeClient({
      topics: MANAGER_TOPICS,
      token: async (fresh) => (fresh || !session.isFresh() ? (await session.refresh())?.accessToken : session.current?.accessToken) ?? null,
    });
    const stop = realtime.on('signedOut', () => signedOut.current());
    realtime.start();
    setClient(realtime);
    return () => {
      stop();
      realtime.stop();
    };
  }, []);

  return <RealtimeContext.Provider value={client}>{children}</RealtimeContext.Provider>;
}

export function useRealtime(): RealtimeClient | null {
  return useContext(RealtimeContext);
}

/** Call `handler` for every live event of `topic` (the latest handler, without resubscribing). */
export function useRealtimeEvent(topic: Topic, handler: (event: RealtimeEvent) => void): void {
  const client = useRealtime();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => client?.on('event', (event) => event.topic === topic && latest.current(event)), [client, topic]);
}

/** Call `handler` when a topic's history could not be replayed: reload its state over REST. */
export function useRealtimeReload(topic: Topic, handler: () => void): void {
  const client = useRealtime();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => client?.on('reload', (reloaded) => reloaded === topic && latest.current()), [client, topic]);
}

export function useRegisterPresence(handler: (registers: RegisterPresence[]) => void): void {
  const client = useRealtime();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => client?.on('presence', (registers) => latest.current(registers)), [client]);
}

export function useConnectionState(): ConnectionState {
  const client = useRealtime();
  const [state, setState] = useState<ConnectionState>(client?.state ?? 'connecting');
  useEffect(() => {
    if (!client) return;
    setState(client.state);
    return client.on('state', setState);
  }, [client]);
  return state;
}
