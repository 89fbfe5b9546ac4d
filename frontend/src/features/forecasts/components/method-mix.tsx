/**
 * Why a product got the forecast it got: the methods its forecast combines, each with its share
 * (the methods with the lowest backtest error, weighted by it), and the combination's own
 * backtest score beside the best single method's. Nothing for a run made before combinations
 * (no weights) or a product without a backtest.
 */
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import type { Evaluation } from '../api';

export const COMBINATION = 'combination';

/** The methods that make up the product's combination, the largest share first. */
export function mixParts(rows: readonly Evaluation[]): Evaluation[] {
  return rows
    .filter((row) => row.method !== COMBINATION && row.weight != null && row.weight > 0)
    .sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0));
}

export function MethodMix({ rows }: { rows: Evaluation[] }) {
  const { t } = useTranslation('forecasts');
  const format = useFormat();
  const served = rows.find((row) => row.method === COMBINATION);
  const parts = mixParts(rows);
  if (!served || parts.length === 0) return null;
  const name = (method: string) => t(`methods.${method}`, { defaultValue: method });
  const score = (value: number | null | undefined) => (value == null ? '—' : format.number(value, { maximumFractionDigits: 2 }));
  const singles = rows.filter((row) => row.method !== COMBINATION && row.mase_median != null);
  const best = singles.reduce<Evaluation | undefined>((found, row) => (found === undefined || (row.mase_median ?? Infinity) < (found.mase_median ?? Infinity) ? row : found), undefined);
  return (
    <section aria-labelledby="method-mix-title" data-testid="method-mix" className="mb-4 rounded-md border border-slate-200 bg-slate-50 p-3">
      <h3 id="method-mix-title" className="text-sm font-semibold text-slate-900">
        {t('mix.title')}
      </h3>
      <p className="mt-1 text-sm text-slate-700">{t('mix.description', { count: parts.length })}</p>
      <ul className="mt-3 space-y-2">
        {parts.map((part) => (
          <li key={part.method} className="grid grid-cols-[minmax(0,1fr)_auto] items-center gap-x-3 gap-y-1 text-sm">
            <span className="min-w-0 break-words text-slate-800">{name(part.method)}</span>
            <span className="tabular-nums text-slate-900">{format.percent(part.weight ?? 0, 0)}</span>
            <span className="col-span-2 h-1.5 rounded-full bg-slate-200" aria-hidden="true">
              <span className="block h-1.5 rounded-full bg-sky-600" style={{ width: `${Math.round((part.weight ?? 0) * 100)}%` }} />
            </span>
          </li>
        ))}
      </ul>
      <p className="mt-3 text-sm text-slate-700">
        {t('mix.score', { mase: score(served.mase_median ?? served.mase) })}
        {best ? ` ${t('mix.best', { method: name(best.method), mase: score(best.mase_median) })}` : null}
      </p>
    </section>
  );
}
