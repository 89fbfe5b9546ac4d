/** One page of customers: the name links to the customer; figures as the API keeps them. */
import { Link } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { DataTable } from '@orbit/shared/ui/data-table';
import { Empty } from '@orbit/shared/ui/states';
import { Badge } from '@orbit/shared/ui/surfaces';
import type { Customer } from '../api';

export function CustomersTable({ customers }: { customers: Customer[] }) {
  const { t } = useTranslation('customers');
  const format = useFormat();
  const columns = useMemo<ColumnDef<Customer, unknown>[]>(() => {
    const none = <span className="text-slate-400">{t('none')}</span>;
    return [
      {
        id: 'name',
        header: t('fields.name'),
        cell: ({ row }) => (
          <Link to="/customers/$customerId" params={{ customerId: row.original.id }} className="font-medium text-brand-700 underline-offset-4 hover:underline">
            {row.original.name}
          </Link>
        ),
      },
      { id: 'taxId', header: t('fields.taxId'), cell: ({ row }) => row.original.tax_id ?? none },
      {
        id: 'contact',
        header: t('fields.contact'),
        cell: ({ row }) =>
          row.original.email || row.original.phone ? (
            <div className="text-xs leading-5">
              {row.original.email ? <p>{row.original.email}</p> : null}
              {row.original.phone ? <p className="text-slate-600">{row.original.phone}</p> : null}
            </div>
          ) : (
            none
          ),
      },
      { id: 'visits', header: t('fields.visits'), cell: ({ row }) => <span className="tabular-nums">{format.number(row.original.visits)}</span> },
      { id: 'totalSpent', header: t('fields.totalSpent'), cell: ({ row }) => <span className="tabular-nums">{format.money(row.original.total_spent)}</span> },
      {
        id: 'lastPurchase',
        header: t('fields.lastPurchase'),
        cell: ({ row }) => (row.original.last_purchase_at ? <time dateTime={row.original.last_purchase_at}>{format.date(row.original.last_purchase_at)}</time> : none),
      },
      {
        id: 'status',
        header: t('fields.status'),
        cell: ({ row }) => <Badge tone={row.original.is_active ? 'ok' : 'neutral'}>{row.original.is_active ? t('common:active') : t('common:inactive')}</Badge>,
      },
    ];
  }, [t, format]);
  return <DataTable columns={columns} rows={customers} caption={t('caption')} rowKey={(customer) => customer.id} empty={<Empty title={t('empty')}>{t('emptyHint')}</Empty>} />;
}
