/** The runs, newest first: status, when it started, how long it took, how many products, how good, and what started it. */
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { DataTable } from '@orbit/shared/ui/data-table';
import { Badge } from '@orbit/shared/ui/surfaces';
import type { Run } from '../api';
import { runSummary } from '../run-metrics';
import type { RunStatus } from '../run-progress';

const STATUS_TONES: Record<RunStatus, 'neutral' | 'brand' | 'ok' | 'danger'> = { queued: 'neutral', running: 'brand', succeeded: 'ok', failed: 'danger' };

export function RunStatusBadge({ status }: { status: RunStatus }) {
  const { t } = useTranslation('forecasts');
  return <Badge tone={STATUS_TONES[status]}>{t(`runs.status.${status}`)}</Badge>;
}

function seconds(durations: Run['durations']): number | null {
  const total = (durations as Record<string, unknown> | null)?.total;
  return typeof total === 'number' ? total : null;
}

export function RunsTable({ runs }: { runs: Run[] }) {
  const { t } = useTranslation('forecasts');
  const format = useFormat();
  const columns = useMemo<ColumnDef<Run, unknown>[]>(() => {
    const when = (value: string | null) => (value ? format.dateTime(value) : '—');
    const score = (value: number | null, kind: 'ratio' | 'percent') => (value === null ? '—' : kind === 'percent' ? format.percent(value, 0) : format.number(value, { maximumFractionDigits: 2 }));
    return [
      {
        id: 'status',
        header: t('runs.columns.status'),
        cell: ({ row }) => (
          <div className="max-w-64 space-y-1">
            <RunStatusBadge status={row.original.status} />
            {row.original.error ? <p className="text-xs break-words whitespace-normal text-red-700">{row.original.error}</p> : null}
          </div>
        ),
      },
      { id: 'started', header: t('runs.columns.started'), cell: ({ row }) => when(row.original.started_at ?? row.original.created_at) },
      {
        id: 'duration',
        header: t('runs.columns.duration'),
        cell: ({ row }) => {
          const total = seconds(row.original.durations);
          return <span className="block text-right tabular-nums">{total === null ? '—' : t('runs.seconds', { value: format.number(total, { maximumFractionDigits: 1 }) })}</span>;
        },
      },
      { id: 'horizon', header: t('runs.columns.horizon'), cell: ({ row }) => t('runs.days', { count: row.original.horizon_days }) },
      {
        id: 'products',
        header: t('runs.columns.products'),
        cell: ({ row }) => {
          const products = runSummary(row.original.metrics).products;
          return <span className="block text-right tabular-nums">{products === null ? '—' : format.number(products)}</span>;
        },
      },
      {
        id: 'accuracy',
        header: t('runs.columns.accuracy'),
        cell: ({ row }) => {
          const summary = runSummary(row.original.metrics);
          if (summary.folds === 0) return <span className="text-xs text-slate-500">{t('runs.noBacktest')}</span>;
          if (summary.mase === null && summary.wape === null) return '—';
          return (
            <div className="text-sm">
              <p className="tabular-nums">{t('runs.accuracy', { mase: score(summary.mase, 'ratio'), wape: score(summary.wape, 'percent') })}</p>
              {summary.coverage80 !== null ? <p className="text-xs text-slate-500">{t('runs.coverage', { value: score(summary.coverage80, 'percent') })}</p> : null}
            </div>
          );
        },
      },
      { id: 'trigger', header: t('runs.columns.trigger'), cell: ({ row }) => t(`runs.trigger.${row.original.trigger}`) },
    ];
  }, [t, format]);
  return <DataTable columns={columns} rows={runs} rowKey={(run) => run.id} caption={t('runs.caption')} />;
}
