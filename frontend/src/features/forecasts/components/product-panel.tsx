/**
 * The Product tab: choose a product, see its last 90 days of sales and its forecast with both
 * intervals, and how the run's methods scored on it in the backtest.
 */
import { Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { calendarDateIn } from '@orbit/shared/format/format';
import { lazyPart } from '@orbit/shared/ui/lazy';
import { Empty, ErrorState, Loading } from '@orbit/shared/ui/states';
import { Card, CardTitle } from '@orbit/shared/ui/surfaces';
import { HISTORY_DAYS, useEvaluations, usePredictions, useProduct, useProductHistory } from '../api';
import { forecastSeries, seriesTotals } from '../forecast-series';
import { EvaluationTable } from './evaluation-table';
import { MethodMix } from './method-mix';
import { ProductPicker } from '../../../lib/product-picker';

const ForecastChart = lazyPart(() => import('./forecast-chart'));

export function ProductPanel({ productId, onProduct }: { productId: string | undefined; onProduct: (productId: string | undefined) => void }) {
  const { t } = useTranslation('forecasts');
  const product = useProduct(productId);
  return (
    <div className="space-y-4">
      <ProductPicker
        mode="select"
        label={t('product.label')}
        selected={product.data ?? null}
        onPick={(picked) => onProduct(picked.id)}
        onClear={() => onProduct(undefined)}
        className="max-w-md"
      />
      {productId === undefined ? (
        <Empty title={t('product.choose')}>{t('product.chooseHint')}</Empty>
      ) : product.isError ? (
        <ErrorState error={product.error} onRetry={() => void product.refetch()} />
      ) : (
        <ProductForecast productId={productId} />
      )}
    </div>
  );
}

function ProductForecast({ productId }: { productId: string }) {
  const { t } = useTranslation('forecasts');
  const format = useFormat();
  const history = useProductHistory(productId);
  const predictions = usePredictions(productId);
  const forecast = predictions.data?.items ?? [];
  const runId = forecast[0]?.run_id;
  const evaluations = useEvaluations(runId, productId);
  const points = useMemo(() => forecastSeries(history.data?.days ?? [], predictions.data?.items ?? []), [history.data, predictions.data]);
  const today = calendarDateIn(Date.now(), format.locality.timeZone);

  if (history.isPending || predictions.isPending) return <Loading />;
  if (history.isError || predictions.isError) {
    return (
      <ErrorState
        error={history.error ?? predictions.error}
        onRetry={() => {
          void history.refetch();
          void predictions.refetch();
        }}
      />
    );
  }
  const totals = seriesTotals(points);
  const units = (value: number) => format.number(value, { maximumFractionDigits: 1 });
  return (
    <>
      <Card>
        <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
          <CardTitle>{t('product.chartTitle')}</CardTitle>
          {forecast[0] ? <p className="text-xs text-slate-600">{t('product.forecastBy', { method: t(`methods.${forecast[0].model}`, { defaultValue: forecast[0].model }) })}</p> : null}
        </div>
        <p className="mb-3 text-sm text-slate-600">{t('product.chartDescription', { days: HISTORY_DAYS })}</p>
        <figure data-testid="forecast-chart" className="min-w-0">
          <Suspense fallback={<Loading />}>
            <ForecastChart points={points} today={today} title={t('product.chartTitle')} />
          </Suspense>
          <figcaption className="mt-2 text-sm text-slate-700">
            {t('product.summary', { sold: units(totals.sold), days: HISTORY_DAYS, expected: units(totals.expected), forecastDays: totals.forecastDays })}
          </figcaption>
        </figure>
        {forecast.length === 0 ? (
          <div className="mt-3">
            <Empty title={t('product.noForecast')}>{t('product.noForecastHint')}</Empty>
          </div>
        ) : null}
      </Card>
      {runId ? (
        <Card>
          <CardTitle>{t('product.backtest')}</CardTitle>
          <p className="mt-1 mb-3 text-sm text-slate-600">{t('product.backtestDescription')}</p>
          {evaluations.isPending ? (
            <Loading />
          ) : evaluations.isError ? (
            <ErrorState error={evaluations.error} onRetry={() => void evaluations.refetch()} />
          ) : evaluations.data.items.length === 0 ? (
            <p className="text-sm text-slate-600">{t('product.noBacktest')}</p>
          ) : (
            <>
              <MethodMix rows={evaluations.data.items} />
              <EvaluationTable rows={evaluations.data.items} />
            </>
          )}
        </Card>
      ) : null}
    </>
  );
}
