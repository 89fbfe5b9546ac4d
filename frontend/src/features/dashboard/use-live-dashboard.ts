/**
 * Wires the live reducer to the page's one realtime connection: the summary is fetched once,
 * then `sales`, `stock`, `registers` and `alerts` events and the registers' presence frames are
 * applied as they come. Refetches happen only when the reducer asks for one (an event it could
 * not apply exactly), when a topic's history was lost (`useRealtimeReload`), or when the shop's
 * day turns; bursts of those become one request at most every 2 s (`coalesce`).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useReducer, useRef } from 'react';
import { calendarDateIn } from '@orbit/shared/format/format';
import type { RealtimeEvent } from '@orbit/shared/realtime/client';
import { useConnectionState, useRealtimeEvent, useRealtimeReload, useRegisterPresence } from '../../lib/realtime';
import { runoutKey, useDashboardSummary, useOpenConflicts } from './api';
import { coalesce } from './coalesce';
import { initialLiveState, liveReducer } from './live-reducer';

const DAY_CHECK_MS = 60_000;

/** Subscribes `handler` to every topic the dashboard follows (hooks in a fixed order). */
function useDashboardEvents(handler: (event: RealtimeEvent) => void, reload: () => void): void {
  useRealtimeEvent('sales', handler);
  useRealtimeEvent('stock', handler);
  useRealtimeEvent('registers', handler);
  useRealtimeEvent('alerts', handler);
  useRealtimeReload('sales', reload);
  useRealtimeReload('stock', reload);
  useRealtimeReload('registers', reload);
  useRealtimeReload('alerts', reload);
}

export function useLiveDashboard() {
  const queryClient = useQueryClient();
  const summary = useDashboardSummary();
  const inbox = useOpenConflicts();
  const [state, dispatch] = useReducer(liveReducer, initialLiveState);
  const connection = useConnectionState();

  const refetchSummary = useRef(summary.refetch);
  refetchSummary.current = summary.refetch;
  const refetch = useMemo(() => coalesce(() => void refetchSummary.current()), []);
  useEffect(() => () => refetch.cancel(), [refetch]);

  useEffect(() => {
    if (summary.data) dispatch({ type: 'summary', summary: summary.data });
  }, [summary.data]);
  useEffect(() => {
    if (inbox.data) dispatch({ type: 'inbox', conflicts: inbox.data });
  }, [inbox.data]);
  useEffect(() => {
    if (state.refetches > 0) refetch.request();
  }, [state.refetches, refetch]);

  useDashboardEvents(
    (event) => {
      dispatch({ type: 'event', event });
      if (event.type === 'stock.runout_forecast') void queryClient.invalidateQueries({ queryKey: runoutKey });
    },
    () => refetch.request(),
  );
  useRealtimeEvent('predictions', (event) => event.type === 'forecast.completed' && void queryClient.invalidateQueries({ queryKey: runoutKey }));
  useRegisterPresence((registers) => dispatch({ type: 'presence', registers }));

  // The shop's day turned: today's figures start again from the server.
  const view = state.view;
  const day = view?.day;
  const timeZone = view?.time_zone;
  useEffect(() => {
    if (!day || !timeZone) return;
    const timer = setInterval(() => {
      if (calendarDateIn(Date.now(), timeZone) !== day) refetch.request();
    }, DAY_CHECK_MS);
    return () => clearInterval(timer);
  }, [day, timeZone, refetch]);

  return {
    view,
    inbox: state.inbox,
    summaryError: summary.error,
    inboxError: inbox.error,
    retry: () => void summary.refetch(),
    retryInbox: () => void inbox.refetch(),
    /** The figures may be behind: the connection dropped (events are replayed when it is back). */
    stale: view !== null && (connection === 'reconnecting' || connection === 'stopped'),
    resolved: (conflictId: string, status: 'open' | 'resolved', note?: string) => dispatch({ type: 'resolved', conflictId, status, note }),
  };
}
