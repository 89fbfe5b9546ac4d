/**
 * The conflict inbox: what offline tills did that the server would have refused online, kept
 * live from `alerts` events (a new conflict appears, one resolved anywhere disappears), each
 * resolved here (acknowledge, adjust the stock, or add a note).
 */
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { Empty, ErrorState, Loading } from '@orbit/shared/ui/states';
import { Badge, Card, CardTitle } from '@orbit/shared/ui/surfaces';
import type { InboxConflict } from '../live-reducer';
import { ResolveConflictDialog } from './resolve-conflict-dialog';

export interface ConflictInboxProps {
  count: number;
  conflicts: InboxConflict[] | null;
  error: unknown;
  onRetry: () => void;
  onResolved: (conflictId: string, status: 'open' | 'resolved', note?: string) => void;
}

export function ConflictInbox({ count, conflicts, error, onRetry, onResolved }: ConflictInboxProps) {
  const { t } = useTranslation('dashboard');
  const format = useFormat();
  const [resolving, setResolving] = useState<InboxConflict | null>(null);

  return (
    <Card aria-labelledby="conflicts-title" className="min-w-0">
      <CardTitle id="conflicts-title" className="flex items-center gap-2">
        {t('conflicts.title')}
        <Badge tone={count > 0 ? 'danger' : 'ok'} data-open-conflicts={count}>
          {t('conflicts.open', { count })}
        </Badge>
      </CardTitle>
      <div className="mt-3">
        {conflicts === null ? (
          error ? (
            <ErrorState error={error} onRetry={onRetry} />
          ) : (
            <Loading />
          )
        ) : conflicts.length === 0 ? (
          <Empty title={t('conflicts.empty')}>{t('conflicts.emptyHint')}</Empty>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm">
            {conflicts.map((conflict) => (
              <li key={conflict.id} className="flex flex-wrap items-start justify-between gap-2 py-2">
                <div className="min-w-0 flex-1">
                  <p className="font-medium">{t(`conflicts.code.${conflict.code}`, { defaultValue: conflict.code })}</p>
                  <p className="break-words text-slate-700">{conflict.message}</p>
                  <p className="text-xs text-slate-600">
                    <time dateTime={conflict.created_at}>{format.dateTime(conflict.created_at)}</time>
                    {conflict.sale_id ? (
                      <>
                        {' · '}
                        <Link to="/sales/$saleId" params={{ saleId: conflict.sale_id }} className="text-brand-700 underline">
                          {t('conflicts.sale')}
                        </Link>
                      </>
                    ) : null}
                  </p>
                  {conflict.note ? <p className="mt-1 text-xs whitespace-pre-line text-slate-600">{conflict.note}</p> : null}
                </div>
                <Button variant="secondary" size="sm" onClick={() => setResolving(conflict)} aria-label={t('conflicts.resolveOne', { what: t(`conflicts.code.${conflict.code}`, { defaultValue: conflict.code }) })}>
                  {t('conflicts.resolve')}
                </Button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {count > (conflicts?.length ?? 0) && conflicts !== null && conflicts.length > 0 ? <p className="mt-2 text-xs text-slate-600">{t('conflicts.more', { count: count - conflicts.length })}</p> : null}
      <ResolveConflictDialog conflict={resolving} onOpenChange={(open) => !open && setResolving(null)} onResolved={onResolved} />
    </Card>
  );
}
