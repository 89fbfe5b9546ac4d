/**
 * How screens read the till: `useRuntime` for the runtime's state (connection, sync, session),
 * `useLive` for IndexedDB through Dexie's live queries (they follow writes of this tab and of
 * the other tabs of the till), `useTill` for what a document needs (device, cashier, settings).
 */
import { liveQuery } from 'dexie';
import { useEffect, useState, useSyncExternalStore, type DependencyList } from 'react';
import type { Till } from '../offline/journal';
import { useCashier } from './cashier';
import { runtime, type RuntimeState } from './runtime';

export function useRuntime(): RuntimeState {
  return useSyncExternalStore(runtime.subscribe, runtime.getState, runtime.getState);
}

/** The live result of an IndexedDB query; `undefined` until the first answer. */
export function useLive<T>(query: () => Promise<T> | T, deps: DependencyList): T | undefined {
  const [value, setValue] = useState<T | undefined>(undefined);
  useEffect(() => {
    const subscription = liveQuery(query).subscribe({ next: setValue, error: () => setValue(undefined) });
    return () => subscription.unsubscribe();
  }, deps);
  return value;
}

/** The open shift of this till's register, if any (`undefined` while loading, `null`: none). */
export function useOpenShift() {
  const { device } = useRuntime();
  return useLive(
    async () =>
      (await runtime.db.shifts
        .where('status')
        .equals('open')
        .filter((shift) => shift.register_id === device?.register_id)
        .first()) ?? null,
    [device?.register_id],
  );
}

/** What documents are made with; null while the till is not set up or nobody is unlocked. */
export function useTill(): Till | null {
  const { device, organization } = useRuntime();
  const cashier = useCashier();
  if (!device || !organization || !cashier) return null;
  return { db: runtime.db, device, organization, cashier };
}
