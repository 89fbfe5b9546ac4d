/** One page of sales: number (a link to the sale), time in the shop's zone, register, cashier, status, total. */
import { Link, useNavigate } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { DataTable } from '@orbit/shared/ui/data-table';
import { Empty } from '@orbit/shared/ui/states';
import { registerCodes, useRegisters } from '../../../lib/registers';
import { type SaleSummary } from '../api';
import { usePeopleNames } from '../../../lib/people';
import { SaleStatusBadges } from './sale-status';

export function SalesTable({ sales }: { sales: SaleSummary[] }) {
  const { t } = useTranslation('sales');
  const format = useFormat();
  const navigate = useNavigate();
  const registers = useRegisters();
  const people = usePeopleNames();
  const codes = useMemo(() => registerCodes(registers.data), [registers.data]);

  const columns = useMemo<ColumnDef<SaleSummary, unknown>[]>(
    () => [
      {
        id: 'number',
        header: t('fields.number'),
        cell: ({ row }) => (
          <Link to="/sales/$saleId" params={{ saleId: row.original.id }} className="font-medium text-brand-700 hover:underline" onClick={(event) => event.stopPropagation()}>
            {row.original.invoice_number}
          </Link>
        ),
      },
      { id: 'sold_at', header: t('fields.soldAt'), cell: ({ row }) => format.dateTime(row.original.sold_at) },
      { id: 'register', header: t('fields.register'), cell: ({ row }) => codes.get(row.original.register_id) ?? '—' },
      { id: 'cashier', header: t('fields.cashier'), cell: ({ row }) => people.data?.get(row.original.cashier_id) ?? '—' },
      { id: 'status', header: t('fields.status'), cell: ({ row }) => <SaleStatusBadges status={row.original.status} origin={row.original.origin} /> },
      {
        id: 'total',
        header: () => <span className="block text-right">{t('fields.total')}</span>,
        cell: ({ row }) => <span className="block text-right tabular-nums">{format.money(row.original.total)}</span>,
      },
    ],
    [t, format, codes, people.data],
  );

  return (
    <DataTable
      caption={t('list.caption')}
      columns={columns}
      rows={sales}
      rowKey={(sale) => sale.id}
      onRowClick={(sale) => void navigate({ to: '/sales/$saleId', params: { saleId: sale.id } })}
      empty={<Empty title={t('list.empty')}>{t('list.emptyHint')}</Empty>}
    />
  );
}
