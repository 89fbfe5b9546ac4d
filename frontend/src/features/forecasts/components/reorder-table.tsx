/**
 * What to order: per product the suggested quantity, the last day to order, when it runs out
 * (flagged when that is before an order placed now would arrive), then the figures behind them:
 * stock, lead time, forecast demand over the lead time and safety stock. The decisions come
 * first so that they stay in view on a narrow screen. A product's name opens its forecast.
 */
import { Link } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { AlertTriangle } from 'lucide-react';
import { useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { DataTable } from '@orbit/shared/ui/data-table';
import { Badge } from '@orbit/shared/ui/surfaces';
import type { ReorderSuggestion } from '../api';

function Numeric({ children }: { children: string }) {
  return <span className="block text-right tabular-nums">{children}</span>;
}

export function ReorderTable({ items, today, empty }: { items: ReorderSuggestion[]; today: string; empty: ReactNode }) {
  const { t } = useTranslation('forecasts');
  const format = useFormat();
  const columns = useMemo<ColumnDef<ReorderSuggestion, unknown>[]>(() => {
    const units = (value: number) => format.number(value, { maximumFractionDigits: 1 });
    const header = (key: string, numeric = false) => () => <span className={numeric ? 'block text-right' : undefined}>{t(`reorder.columns.${key}`)}</span>;
    return [
      {
        id: 'product',
        header: header('product'),
        cell: ({ row }) => (
          <div className="max-w-64">
            <Link
              to="/forecasts"
              search={{ tab: 'product', product_id: row.original.product_id }}
              className="block truncate font-medium text-brand-700 hover:underline"
              aria-label={t('reorder.openForecast', { name: row.original.name })}
            >
              {row.original.name}
            </Link>
            <span className="text-xs text-slate-500">{row.original.sku}</span>
          </div>
        ),
      },
      {
        id: 'quantity',
        header: header('quantity', true),
        cell: ({ row }) => (
          <span className={`block text-right tabular-nums ${row.original.suggested_quantity > 0 ? 'font-semibold' : 'text-slate-500'}`}>{format.number(row.original.suggested_quantity)}</span>
        ),
      },
      {
        id: 'order_by',
        header: header('order_by'),
        cell: ({ row }) => {
          const orderBy = row.original.order_by_date;
          if (!orderBy) return t('reorder.never');
          return orderBy < today ? <span className="font-medium text-red-700">{t('reorder.overdue')}</span> : format.calendarDate(orderBy);
        },
      },
      {
        id: 'runout',
        header: header('runout'),
        cell: ({ row }) => (
          <div className="space-y-1">
            <p>{row.original.runout_date ? format.calendarDate(row.original.runout_date) : t('reorder.never')}</p>
            {row.original.runs_out_within_lead_time ? (
              <Badge tone="danger" className="gap-1">
                <AlertTriangle aria-hidden="true" className="size-3" />
                {t('reorder.runsOut')}
              </Badge>
            ) : null}
          </div>
        ),
      },
      { id: 'stock', header: header('stock', true), cell: ({ row }) => <Numeric>{format.number(row.original.stock)}</Numeric> },
      { id: 'lead_time', header: header('lead_time', true), cell: ({ row }) => <Numeric>{t('reorder.leadDays', { count: row.original.lead_time_days })}</Numeric> },
      { id: 'demand', header: header('demand', true), cell: ({ row }) => <Numeric>{units(row.original.lead_time_demand)}</Numeric> },
      { id: 'safety', header: header('safety', true), cell: ({ row }) => <Numeric>{units(row.original.safety_stock)}</Numeric> },
    ];
  }, [t, format, today]);
  return <DataTable columns={columns} rows={items} rowKey={(item) => item.product_id} caption={t('reorder.caption')} empty={empty} />;
}
