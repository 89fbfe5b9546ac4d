/**
 * One sale (/sales/$saleId): its lines, taxes and totals, payments, who and where, refunds and
 * voids, and (for admins, who may read the audit log) its audit trail. Managers and admins
 * refund lines or void the sale from here.
 */
import { getRouteApi } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { ErrorState, Loading } from '@orbit/shared/ui/states';
import { PageHeader } from '@orbit/shared/ui/surfaces';
import { useMe } from '../../lib/me';
import { useSale } from './api';
import { SaleDocuments } from './components/document-button';
import { SaleActions } from './components/sale-actions';
import { SaleAudit } from './components/sale-audit';
import { SaleDetails, SalePayments } from './components/sale-details';
import { SaleLines } from './components/sale-lines';
import { SaleRefunds } from './components/sale-refunds';
import { SaleStatusBadges } from './components/sale-status';
import './i18n';

const route = getRouteApi('/app/sales/$saleId');

export function SalePage() {
  const { t } = useTranslation('sales');
  const format = useFormat();
  const { saleId } = route.useParams();
  const sale = useSale(saleId);
  const role = useMe().data?.user.role;

  if (sale.isPending) return <Loading />;
  if (sale.isError) return <ErrorState error={sale.error} onRetry={() => void sale.refetch()} />;
  const data = sale.data;

  return (
    <>
      <PageHeader
        title={t('detail.title', { number: data.invoice_number })}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            {format.dateTime(data.sold_at)}
            <SaleStatusBadges status={data.status} origin={data.origin} />
          </span>
        }
        actions={<SaleActions sale={data} documents={<SaleDocuments saleId={data.id} />} />}
      />
      <div className="grid gap-4 lg:grid-cols-3">
        <div className="min-w-0 space-y-4 lg:col-span-2">
          <SaleLines sale={data} />
          <SaleRefunds sale={data} />
        </div>
        <div className="min-w-0 space-y-4">
          <SaleDetails sale={data} />
          <SalePayments sale={data} />
        </div>
      </div>
      {role === 'admin' ? <SaleAudit saleId={data.id} /> : null}
    </>
  );
}
