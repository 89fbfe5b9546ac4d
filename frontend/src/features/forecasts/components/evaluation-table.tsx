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
import { COMBINATION } from './method-mix';

type Score = 'mase' | 'wape' | 'mase_median' | 'wape_median' | 'bias' | 'coverage_80' | 'coverage_95';
const SCORES: Score[] = ['mase', 'wape', 'mase_median', 'wape_median', 'bias', 'coverage_80', 'coverage_95'];
const PERCENTS: ReadonlySet<Score> = new Set(['wape', 'wape_median', 'bias', 'coverage_80', 'coverage_95']);
/** Errors: the lowest is the best. */
const ERRORS: ReadonlySet<Score> = new Set(['mase', 'wape', 'mase_median', 'wape_median']);

/** The method served (the combination, or the one chosen by an older run) first, then the
 * methods in the combination by weight, then the others by MASE (undefined last). */
export function orderEvaluations(rows: readonly Evaluation[]): Evaluation[] {
  return [...rows].sort(
    (a, b) =>
      Number(isServed(b)) - Number(isServed(a)) ||
      Number(b.selected) - Number(a.selected) ||
      (b.weight ?? 0) - (a.weight ?? 0) ||
      (a.mase ?? Infinity) - (b.mase ?? Infinity),
  );
}

/** The row of what the product is served: the combination (weight 1), or before
 * combinations the one selected method (no weight). */
export function isServed(row: Evaluation): boolean {
  return row.selected && (row.weight == null || row.weight === 1);
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
            {isServed(row.original) ? <Badge tone="ok">{t('product.chosen')}</Badge> : null}
          </span>
        ),
      },
      {
        id: 'weight',
        header: () => <span className="block text-right">{t('evaluation.weight')}</span>,
        cell: ({ row }) => {
          const weight = row.original.weight;
          return <span className="block text-right tabular-nums">{weight == null || row.original.method === COMBINATION ? '—' : format.percent(weight, 0)}</span>;
        },
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
