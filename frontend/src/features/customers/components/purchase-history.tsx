/** A customer's sales, newest first, each linking to the sale; paged here, not in the URL. */
import { Link } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { DataTable, Pager } from '@orbit/shared/ui/data-table';
import { Empty, ErrorState, Loading } from '@orbit/shared/ui/states';
import { Badge, Card, CardTitle } from '@orbit/shared/ui/surfaces';
import { HISTORY_PAGE_SIZE, useCustomerSales, type CustomerSale } from '../api';

export function PurchaseHistory({ customerId }: { customerId: string }) {
  const { t } = useTranslation('customers');
  const format = useFormat();
  const [offset, setOffset] = useState(0);
  const sales = useCustomerSales(customerId, offset);
  const columns = useMemo<ColumnDef<CustomerSale, unknown>[]>(
    () => [
      {
        id: 'invoice',
        header: t('detail.invoice'),
        cell: ({ row }) => (
          <Link to="/sales/$saleId" params={{ saleId: row.original.id }} className="font-mono font-medium text-brand-700 underline-offset-4 hover:underline">
            {row.original.invoice_number}
          </Link>
        ),
      },
      { id: 'soldAt', header: t('detail.soldAt'), cell: ({ row }) => <time dateTime={row.original.sold_at}>{format.dateTime(row.original.sold_at)}</time> },
      { id: 'total', header: t('detail.total'), cell: ({ row }) => <span className="tabular-nums">{format.money(row.original.total)}</span> },
      {
        id: 'status',
        header: t('detail.status'),
        cell: ({ row }) => <Badge tone={row.original.status === 'voided' ? 'danger' : 'ok'}>{t(`detail.saleStatus.${row.original.status}`)}</Badge>,
      },
    ],
    [t, format],
  );
  return (
    <Card aria-labelledby="history-title">
      <CardTitle id="history-title">{t('detail.history')}</CardTitle>
      <div className="mt-3">
        {sales.isPending ? (
          <Loading />
        ) : sales.isError ? (
          <ErrorState error={sales.error} onRetry={() => void sales.refetch()} />
        ) : (
          <>
            <DataTable columns={columns} rows={sales.data.items} caption={t('detail.historyCaption')} rowKey={(sale) => sale.id} empty={<Empty title={t('detail.noHistory')} />} />
            {sales.data.items.length > 0 || offset > 0 ? (
              <Pager offset={sales.data.offset} count={sales.data.items.length} nextOffset={sales.data.next_offset} limit={HISTORY_PAGE_SIZE} onOffset={setOffset} />
            ) : null}
          </>
        )}
      </div>
    </Card>
  );
}
