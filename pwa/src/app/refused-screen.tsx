/**
 * The server no longer accepts this till (revoked in the web app, or its credential refused):
 * say so plainly, keep every document, and offer the two ways on — export the queue, or set the
 * till up again.
 */
import { ShieldAlert } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { Card } from '@orbit/shared/ui/surfaces';
import { QueueScreen } from '../features/queue/queue-screen';
import { useRuntime } from '../lib/hooks';
import { runtime } from '../lib/runtime';

/** Why the server refuses this till, what is safe, and the way on. */
export function RefusalNotice() {
  const { t } = useTranslation('pos');
  const { device_refused: refused } = useRuntime();
  return (
    <Card className="border-red-300 bg-red-50" role="alert">
      <div className="flex gap-3">
        <ShieldAlert aria-hidden="true" className="size-8 shrink-0 text-red-700" />
        <div>
          <h2 className="text-lg font-semibold text-red-900">{t('warnings.deviceRefused')}</h2>
          <p className="mt-1 font-medium text-red-900">{t(`refusals.${refused?.code}`, { defaultValue: refused?.message ?? '' })}</p>
          <p className="mt-1 text-sm text-red-900">{t('warnings.deviceRefusedHelp')}</p>
          <Button className="mt-3" variant="secondary" size="lg" onClick={() => void runtime.forgetDevice()}>
            {t('warnings.setUpAgain')}
          </Button>
        </div>
      </div>
    </Card>
  );
}

/** A refused till with nobody unlocked: the notice and the queue, nothing else. */
export function RefusedScreen() {
  const { t } = useTranslation('pos');
  return (
    <main className="mx-auto max-w-5xl space-y-4 p-4">
      <h1 className="sr-only">{t('title')}</h1>
      <RefusalNotice />
      <QueueScreen />
    </main>
  );
}
