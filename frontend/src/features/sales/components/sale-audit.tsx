/**
 * The audit trail of a sale (created, refunded, voided: who, when, what). Only admins may read
 * the audit log: the page mounts this for admins only, and a 403 still reads as a quiet note.
 */
import { useTranslation } from 'react-i18next';
import { ApiError } from '@orbit/shared/api/problem';
import { useFormat } from '@orbit/shared/format/locality';
import { Empty, ErrorState, Loading } from '@orbit/shared/ui/states';
import { Card, CardTitle } from '@orbit/shared/ui/surfaces';
import { useSaleAudit, type AuditEntry } from '../api';
import { usePeopleNames } from '../../../lib/people';

/** Keys of audit values that hold money in minor units. */
const MONEY_KEYS = new Set(['total', 'amount', 'opening_float']);

function describe(values: AuditEntry['after'], money: (minor: number) => string): string {
  if (!values) return '';
  return Object.entries(values as Record<string, unknown>)
    .map(([key, value]) => {
      const shown = MONEY_KEYS.has(key) && typeof value === 'number' ? money(value) : typeof value === 'object' ? JSON.stringify(value) : String(value);
      return `${key}: ${shown}`;
    })
    .join(' · ');
}

export function SaleAudit({ saleId }: { saleId: string }) {
  const { t } = useTranslation('sales');
  const format = useFormat();
  const audit = useSaleAudit(saleId);
  const people = usePeopleNames();

  return (
    <Card aria-labelledby="sale-audit-title" className="mt-4">
      <CardTitle id="sale-audit-title">{t('detail.audit')}</CardTitle>
      <div className="mt-2">
        {audit.isPending ? (
          <Loading />
        ) : audit.isError ? (
          audit.error instanceof ApiError && audit.error.status === 403 ? (
            <p className="text-sm text-slate-600">{t('detail.auditForbidden')}</p>
          ) : (
            <ErrorState error={audit.error} onRetry={() => void audit.refetch()} />
          )
        ) : audit.data.items.length === 0 ? (
          <Empty title={t('detail.noAudit')} />
        ) : (
          <ol className="divide-y divide-slate-100 text-sm">
            {audit.data.items.map((entry) => (
              <li key={entry.id} className="py-2">
                <div className="flex flex-wrap justify-between gap-2">
                  <span className="font-medium">{t(`auditAction.${entry.action}`, { defaultValue: entry.action })}</span>
                  <time dateTime={entry.at} className="text-slate-600">
                    {format.dateTime(entry.at)}
                  </time>
                </div>
                <p className="text-slate-700">{entry.actor_id ? (people.data?.get(entry.actor_id) ?? '—') : t('detail.system')}</p>
                {entry.after ? <p className="text-xs break-words text-slate-600">{describe(entry.after, format.money)}</p> : null}
              </li>
            ))}
          </ol>
        )}
      </div>
    </Card>
  );
}
