/** The views of an unlocked till, one per feature. */
import { QueueScreen } from '../features/queue/queue-screen';
import { RefundsScreen } from '../features/refunds/refunds-screen';
import { SellScreen } from '../features/sell/sell-screen';
import { ShiftScreen } from '../features/shift/shift-screen';
import type { View } from './frame';

export function Views({ view, onView }: { view: View; onView: (view: View) => void }) {
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
