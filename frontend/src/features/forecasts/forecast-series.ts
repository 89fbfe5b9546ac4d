/**
 * A product's chart data: the units it sold per day (the history the forecast learned from)
 * followed by the forecast, its mean (`yhat`) and its 80 % and 95 % intervals as [lower, upper]
 * pairs, which recharts draws as bands. Pure, so the shaping is tested without a browser.
 *
 * Invariants: points are in date order, one per day of either series; a day has `actual` only
 * from the history and the forecast's fields only from the predictions (null otherwise), so the
 * lines never invent a zero where nothing was said; bands always have lower ≤ upper.
 */
import type { Schemas } from '@orbit/shared/api/client';

export type Band = [number, number];

export interface ForecastPoint {
  date: string;
  actual: number | null;
  yhat: number | null;
  band80: Band | null;
  band95: Band | null;
}

function band(lower: number, upper: number): Band {
  return lower <= upper ? [lower, upper] : [upper, lower];
}

function blank(date: string): ForecastPoint {
  return { date, actual: null, yhat: null, band80: null, band95: null };
}

export function forecastSeries(history: readonly Schemas['HistoryDay'][], predictions: readonly Schemas['PredictionRead'][]): ForecastPoint[] {
  const points = new Map<string, ForecastPoint>();
  const at = (date: string) => {
    let point = points.get(date);
    if (!point) {
      point = blank(date);
      points.set(date, point);
    }
    return point;
  };
  for (const day of history) at(day.date).actual = day.units;
  for (const prediction of predictions) {
    const point = at(prediction.date);
    point.yhat = prediction.yhat;
    point.band80 = band(prediction.yhat_lower_80, prediction.yhat_upper_80);
    point.band95 = band(prediction.yhat_lower_95, prediction.yhat_upper_95);
  }
  return [...points.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** Totals to put in words beside the chart: units sold in the history and expected over the forecast. */
export function seriesTotals(points: readonly ForecastPoint[]): { sold: number; expected: number; forecastDays: number } {
  let sold = 0;
  let expected = 0;
  let forecastDays = 0;
  for (const point of points) {
    sold += point.actual ?? 0;
    if (point.yhat !== null) {
      expected += point.yhat;
      forecastDays += 1;
    }
  }
  return { sold, expected, forecastDays };
}
