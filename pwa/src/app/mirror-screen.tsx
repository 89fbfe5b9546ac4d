/**
 * A second tab of the till: it explains why it does not sell, and shows the queue as the writer
 * tab changes it (live queries follow the other tab's writes).
 */
import { MonitorSmartphone } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Card } from '@orbit/shared/ui/surfaces';
import { QueueScreen } from '../features/queue/queue-screen';
import { ConnectionBadge } from '../lib/connection-badge';

export function MirrorScreen() {
  const { t } = useTranslation('pos');
  return (
    <main className="mx-auto max-w-5xl space-y-4 p-4">
      <Card className="flex gap-4 border-amber-300 bg-amber-50" role="alert">
        <MonitorSmartphone aria-hidden="true" className="size-8 shrink-0 text-amber-700" />
        <div>
          <h1 className="text-lg font-semibold">{t('mirror.title')}</h1>
          <p className="mt-1 text-sm text-slate-700">{t('mirror.body')}</p>
        </div>
        <div className="ml-auto">
          <ConnectionBadge />
        </div>
      </Card>
      <QueueScreen readOnly />
    </main>
  );
}
