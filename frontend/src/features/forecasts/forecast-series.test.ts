import { describe, expect, it } from 'vitest';
import type { Schemas } from '@orbit/shared/api/client';
import { forecastSeries, seriesTotals } from './forecast-series';
import { runSummary } from './run-metrics';

function prediction(date: string, yhat: number, spread = 1): Schemas['PredictionRead'] {
  return {
    run_id: 'r1',
    product_id: 'p1',
    sku: 'A1',
    name: 'Apples',
    date,
    model: 'global_lgbm',
    yhat,
    yhat_median: yhat,
    yhat_lower_80: Math.max(0, yhat - spread),
    yhat_upper_80: yhat + spread,
    yhat_lower_95: Math.max(0, yhat - 2 * spread),
    yhat_upper_95: yhat + 2 * spread,
  };
}

describe('the forecast chart data', () => {
  it('puts the history before the forecast, one point per day, with both bands', () => {
    const points = forecastSeries(
      [
        { date: '2026-03-02', units: 4 },
        { date: '2026-03-01', units: 0 },
      ],
      [prediction('2026-03-04', 3), prediction('2026-03-03', 2.5)],
    );
    expect(points.map((point) => point.date)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04']);
    expect(points[0]).toEqual({ date: '2026-03-01', actual: 0, yhat: null, band80: null, band95: null });
    expect(points[2]).toEqual({ date: '2026-03-03', actual: null, yhat: 2.5, band80: [1.5, 3.5], band95: [0.5, 4.5] });
  });

  it('keeps a day that has both an actual and a forecast on one point', () => {
    const [point] = forecastSeries([{ date: '2026-03-03', units: 2 }], [prediction('2026-03-03', 1)]);
    expect(point).toMatchObject({ actual: 2, yhat: 1 });
  });

  it('orders a band even if its bounds arrive swapped', () => {
    const swapped = { ...prediction('2026-03-03', 1), yhat_lower_80: 3, yhat_upper_80: 1 };
    expect(forecastSeries([], [swapped])[0].band80).toEqual([1, 3]);
  });

  it('sums what was sold and what is expected', () => {
    const points = forecastSeries([{ date: '2026-03-01', units: 5 }], [prediction('2026-03-02', 1.5), prediction('2026-03-03', 2)]);
    expect(seriesTotals(points)).toEqual({ sold: 5, expected: 3.5, forecastDays: 2 });
  });
});

describe('a run summary from its metrics', () => {
  it('reads products, the held-out scores of the served forecast (median first) and the methods', () => {
    const summary = runSummary({
      products: 120,
      methods: { global_lgbm: 80, moving_average: 40 },
      held_out: { selected: { mase: 0.9, mase_median: 0.75, wape: 0.95, wape_median: 0.82, coverage_80: 0.81 } },
      backtest: { folds: 4, fold_days: 28 },
      pooled: {},
    });
    expect(summary).toEqual({ products: 120, mase: 0.75, wape: 0.82, coverage80: 0.81, folds: 4, methods: { global_lgbm: 80, moving_average: 40 } });
  });

  it("takes the model's scores over all folds when a single fold left nothing held out", () => {
    const summary = runSummary({ held_out: {}, pooled: { global_lgbm: { mase: 0.97, mase_median: 0.79, wape: 0.85, coverage_80: 0.8 }, tsb: { mase: 0.5 } } });
    expect(summary).toMatchObject({ mase: 0.79, wape: 0.85, coverage80: 0.8 });
  });

  it('falls back to the mean, and to nothing for missing or malformed metrics', () => {
    expect(runSummary({ held_out: { selected: { mase: 1.1, wape: null } } })).toMatchObject({ mase: 1.1, wape: null, products: null });
    expect(runSummary(null)).toEqual({ products: null, mase: null, wape: null, coverage80: null, folds: null, methods: {} });
    expect(runSummary({ backtest: { folds: 0 }, held_out: {} })).toMatchObject({ folds: 0, mase: null });
    expect(runSummary({ held_out: [], methods: { x: 'many' } })).toMatchObject({ methods: {} });
  });
});
