/**
 * A till set up but without its catalog yet: the first (cold) pull, with its progress, or the
 * till sign-in it needs when the device was paired with a code (no session to pull with).
 */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '@orbit/shared/api/problem';
import { Button } from '@orbit/shared/ui/button';
import { ErrorState, Loading } from '@orbit/shared/ui/states';
import { Card } from '@orbit/shared/ui/surfaces';
import { ConnectionBadge } from '../../lib/connection-badge';
import { useRuntime } from '../../lib/hooks';
import { runtime } from '../../lib/runtime';
import { TillSignInForm } from './till-sign-in';
import './i18n';

export function FirstPullScreen() {
  const { t } = useTranslation('setup');
  const { t: common } = useTranslation();
  const { pull, session, role } = useRuntime();
  const needsSession = session === 'none' || (pull.error instanceof ApiError && pull.error.status === 401);
  useEffect(() => {
    if (role === 'writer' && typeof session === 'object' && !pull.running && !pull.error) void runtime.pull();
  }, [role, session, pull.running, pull.error]);
  return (
    <main className="mx-auto max-w-xl p-4 sm:py-10">
      <div className="mb-4 flex items-start justify-between gap-3">
        <h1 className="text-2xl font-semibold">{needsSession && !pull.running ? t('tillSignIn') : t('firstPull')}</h1>
        <ConnectionBadge />
      </div>
      <Card>
        {pull.running ? (
          <div>
            <Loading label={t('firstPull')} />
            {pull.progress ? <p className="px-6 pb-4 text-sm text-slate-600">{t('pulled', { ...pull.progress })}</p> : null}
          </div>
        ) : needsSession ? (
          <TillSignInForm />
        ) : pull.error ? (
          <div className="space-y-3">
            <p className="text-sm text-slate-700">{t('pullFailed')}</p>
            <ErrorState error={pull.error} onRetry={() => void runtime.pull()} />
          </div>
        ) : (
          <div className="flex items-center justify-between gap-3">
            <Loading label={t('firstPull')} />
            <Button variant="secondary" onClick={() => void runtime.pull()}>
              {common('retry')}
            </Button>
          </div>
        )}
      </Card>
    </main>
  );
}
