/** The refunds and the void of a sale, newest last, with their lines, method, reason and who. */
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Empty, ErrorState, Loading } from '@orbit/shared/ui/states';
import { Badge, Card, CardTitle } from '@orbit/shared/ui/surfaces';
import { useProductNames, useSaleRefunds, type Sale } from '../api';
import { usePeopleNames } from '../../../lib/people';
import { DocumentButton } from './document-button';

export function SaleRefunds({ sale }: { sale: Sale }) {
  const { t } = useTranslation('sales');
  const format = useFormat();
  const refunds = useSaleRefunds(sale.id);
  const people = usePeopleNames();
  const names = useProductNames(sale.lines.map((line) => line.product_id));

  return (
    <Card aria-labelledby="sale-refunds-title">
      <CardTitle id="sale-refunds-title">{t('detail.refunds')}</CardTitle>
      <div className="mt-2">
        {refunds.isPending ? (
          <Loading />
        ) : refunds.isError ? (
          <ErrorState error={refunds.error} onRetry={() => void refunds.refetch()} />
        ) : refunds.data.length === 0 ? (
          <Empty title={t('detail.noRefunds')} />
        ) : (
          <ul className="divide-y divide-slate-100">
            {refunds.data.map((refund) => (
              <li key={refund.id} className="py-3 text-sm">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <span className="flex items-center gap-2">
                    <Badge tone={refund.kind === 'void' ? 'danger' : 'warn'}>{t(`refundKind.${refund.kind}`)}</Badge>
                    {format.dateTime(refund.refunded_at)}
                  </span>
                  <span className="font-medium tabular-nums">−{format.money(refund.total)}</span>
                </div>
                <p className="mt-1 text-slate-700">
                  {t('detail.refundBy', { method: t(`method.${refund.method}`), person: people.data?.get(refund.actor_id) ?? '—' })}
                  {refund.restock ? ` · ${t('detail.restocked')}` : ''}
                </p>
                <p className="text-slate-600">{t('detail.reason', { reason: refund.reason })}</p>
                <div className="mt-2">
                  <DocumentButton
                    size="sm"
                    path={`/api/v1/refunds/${refund.id}/invoice.pdf`}
                    label={t(refund.kind === 'void' ? 'documents.voidNote' : 'documents.creditNote')}
                  />
                </div>
                <ul className="mt-1 text-xs text-slate-600">
                  {refund.lines.map((line) => (
                    <li key={line.id}>
                      {format.number(line.quantity)} × {names.get(line.product_id) ?? '…'} · {format.money(line.amount)}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}
