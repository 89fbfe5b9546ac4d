/**
 * A run's stored metrics (`forecast_runs.metrics`, free-form JSON; docs/forecasting.md, "Honest
 * evaluation") read defensively into the few figures the runs list shows: how many products,
 * and how good the forecast was in the backtest: the served forecast on the held-out last fold
 * when the backtest had more than one fold, else the global model over its one fold. MASE and
 * WAPE are those of the median forecast when the run has them (what absolute errors judge),
 * else of the mean.
 */

const MODEL = 'global_lgbm';

export interface RunSummary {
  products: number | null;
  mase: number | null;
  wape: number | null;
  coverage80: number | null;
  /** Backtest folds: 0 when the history was too short to backtest (null: unknown). */
  folds: number | null;
  /** Products per method the run chose (`global_lgbm`, `moving_average`, …). */
  methods: Record<string, number>;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function number(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function runSummary(metrics: unknown): RunSummary {
  const root = record(metrics);
  const scores = record(record(root?.held_out)?.selected) ?? record(record(root?.pooled)?.[MODEL]);
  const methods: Record<string, number> = {};
  for (const [name, count] of Object.entries(record(root?.methods) ?? {})) {
    const value = number(count);
    if (value !== null) methods[name] = value;
  }
  return {
    products: number(root?.products),
    mase: number(scores?.mase_median) ?? number(scores?.mase),
    wape: number(scores?.wape_median) ?? number(scores?.wape),
    coverage80: number(scores?.coverage_80),
    folds: number(record(root?.backtest)?.folds),
    methods,
  };
}
