/**
 * How each method would have forecast this product in the run's backtest: MASE and WAPE of the
 * mean and of the median, bias and interval coverage, and which method the run chose. Lower
 * MASE and WAPE are better; the best of each column is marked.
 */
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { DataTable } from '@orbit/shared/ui/data-table';
import { Badge } from '@orbit/shared/ui/surfaces';
import type { Evaluation } from '../api';

type Score = 'mase' | 'wape' | 'mase_median' | 'wape_median' | 'bias' | 'coverage_80' | 'coverage_95';
const SCORES: Score[] = ['mase', 'wape', 'mase_median', 'wape_median', 'bias', 'coverage_80', 'coverage_95'];
const PERCENTS: ReadonlySet<Score> = new Set(['wape', 'wape_median', 'bias', 'coverage_80', 'coverage_95']);
/** Errors: the lowest is the best. */
const ERRORS: ReadonlySet<Score> = new Set(['mase', 'wape', 'mase_median', 'wape_median']);

/** The chosen method first, then by MASE (undefined last). */
export function orderEvaluations(rows: readonly Evaluation[]): Evaluation[] {
  return [...rows].sort((a, b) => Number(b.selected) - Number(a.selected) || (a.mase ?? Infinity) - (b.mase ?? Infinity));
}

export function EvaluationTable({ rows }: { rows: Evaluation[] }) {
  const { t } = useTranslation('forecasts');
  const format = useFormat();
  const ordered = useMemo(() => orderEvaluations(rows), [rows]);
  const columns = useMemo<ColumnDef<Evaluation, unknown>[]>(() => {
    const best = Object.fromEntries(
      SCORES.filter((score) => ERRORS.has(score)).map((score) => [score, Math.min(...rows.map((row) => row[score] ?? Infinity))]),
    ) as Partial<Record<Score, number>>;
    return [
      {
        id: 'method',
        header: t('evaluation.method'),
        cell: ({ row }) => (
          <span className="flex items-center gap-2">
            {t(`methods.${row.original.method}`, { defaultValue: row.original.method })}
            {row.original.selected ? <Badge tone="ok">{t('product.chosen')}</Badge> : null}
          </span>
        ),
      },
      ...SCORES.map(
        (score): ColumnDef<Evaluation, unknown> => ({
          id: score,
          header: () => <span className="block text-right">{t(`evaluation.${score}`)}</span>,
          cell: ({ row }) => {
            const value = row.original[score];
            const text = value === null ? '—' : PERCENTS.has(score) ? format.percent(value, 0) : format.number(value, { maximumFractionDigits: 2 });
            return <span className={`block text-right tabular-nums ${value !== null && value === best[score] ? 'font-semibold' : ''}`}>{text}</span>;
          },
        }),
      ),
    ];
  }, [rows, t, format]);
  return <DataTable columns={columns} rows={ordered} rowKey={(row) => row.method} caption={t('product.backtestCaption')} />;
}
