/** The views of an unlocked till, one per feature. */
import { QueueScreen } from '../features/queue/queue-screen';
import { RefundsScreen } from '../features/refunds/refunds-screen';
import { SellScreen } from '../features/sell/sell-screen';
import { ShiftScreen } from '../features/shift/shift-screen';
import { useRuntime } from '../lib/hooks';
import type { View } from './frame';

/** A till the server refuses sells nothing more: only the queue (to export) and the last receipt. */
export function Views({ view, onView }: { view: View; onView: (view: View) => void }) {
  const { device_refused: refused } = useRuntime();
  if (refused && view !== 'sell') return <QueueScreen />;
  switch (view) {
    case 'sell':
      return <SellScreen onOpenShift={() => onView('shift')} />;
    case 'shift':
      return <ShiftScreen onQueue={() => onView('queue')} />;
    case 'refunds':
      return <RefundsScreen />;
    case 'queue':
      return <QueueScreen />;
  }
}
