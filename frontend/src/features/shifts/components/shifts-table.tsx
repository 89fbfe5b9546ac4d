/** One page of shifts with who opened them and expected against counted cash. */
import { Link, useNavigate } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { DataTable } from '@orbit/shared/ui/data-table';
import { Empty } from '@orbit/shared/ui/states';
import { registerCodes, useRegisters } from '../../../lib/registers';
import { useShiftFigures, type Shift } from '../api';
import { Difference } from './difference';
import { ShiftStatusBadge } from './shift-status';

const right = 'block text-right tabular-nums';

export function ShiftsTable({ shifts }: { shifts: Shift[] }) {
  const { t } = useTranslation('shifts');
  const format = useFormat();
  const navigate = useNavigate();
  const registers = useRegisters();
  const figures = useShiftFigures(shifts);
  const codes = useMemo(() => registerCodes(registers.data), [registers.data]);
  const rows = figures.data;

  const columns = useMemo<ColumnDef<Shift, unknown>[]>(() => {
    const money = (value: number | null | undefined) => <span className={right}>{value === null || value === undefined ? '—' : format.money(value)}</span>;
    return [
      {
        id: 'register',
        header: t('fields.register'),
        cell: ({ row }) => (
          <Link to="/shifts/$shiftId" params={{ shiftId: row.original.id }} className="font-medium text-brand-700 hover:underline" onClick={(event) => event.stopPropagation()}>
            {codes.get(row.original.register_id) ?? rows?.get(row.original.id)?.register_code ?? t('fields.register')}
          </Link>
        ),
      },
      { id: 'cashier', header: t('fields.openedBy'), cell: ({ row }) => rows?.get(row.original.id)?.opened_by_name ?? '—' },
      {
        id: 'times',
        header: t('fields.openedClosed'),
        cell: ({ row }) => (
          <>
            {format.dateTime(row.original.opened_at)}
            {row.original.closed_at ? <span className="block text-xs text-slate-600">{t('list.closedAt', { when: format.dateTime(row.original.closed_at) })}</span> : null}
          </>
        ),
      },
      { id: 'status', header: t('fields.status'), cell: ({ row }) => <ShiftStatusBadge status={row.original.status} /> },
      {
        id: 'expected',
        header: () => <span className="block text-right">{t('fields.cashExpected')}</span>,
        cell: ({ row }) => money(rows?.get(row.original.id)?.cash_expected),
      },
      {
        id: 'counted',
        header: () => <span className="block text-right">{t('fields.cashCounted')}</span>,
        cell: ({ row }) => money(rows?.get(row.original.id)?.cash_counted),
      },
      {
        id: 'difference',
        header: () => <span className="block text-right">{t('fields.difference')}</span>,
        cell: ({ row }) => (
          <span className="block text-right">
            <Difference amount={rows?.get(row.original.id)?.difference} />
          </span>
        ),
      },
    ];
  }, [t, format, codes, rows]);

  return (
    <DataTable
      caption={t('list.caption')}
      columns={columns}
      rows={shifts}
      rowKey={(shift) => shift.id}
      onRowClick={(shift) => void navigate({ to: '/shifts/$shiftId', params: { shiftId: shift.id } })}
      empty={<Empty title={t('list.empty')}>{t('list.emptyHint')}</Empty>}
    />
  );
}
