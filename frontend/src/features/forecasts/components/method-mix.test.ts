import { describe, expect, it } from 'vitest';
import type { Evaluation } from '../api';
import { isServed, orderEvaluations } from './evaluation-table';
import { mixParts } from './method-mix';

function row(method: string, selected: boolean, weight: number | null, mase: number | null): Evaluation {
  return { product_id: 'p', method, selected, weight, mase, wape: null, bias: null, coverage_80: null, coverage_95: null, mase_median: mase, wape_median: null };
}

describe('a product served a combination', () => {
  const rows = [
    row('seasonal_naive', false, null, 0.7),
    row('moving_average', true, 0.25, 0.9),
    row('combination', true, 1, 0.8),
    row('global_lgbm', true, 0.45, 0.85),
    row('tsb', false, null, null),
    row('weekly_ets', true, 0.3, 0.88),
  ];

  it('lists the methods of its combination, the largest share first, without the combination itself', () => {
    expect(mixParts(rows).map((part) => [part.method, part.weight])).toEqual([
      ['global_lgbm', 0.45],
      ['weekly_ets', 0.3],
      ['moving_average', 0.25],
    ]);
  });

  it('orders the table: what is served, then its parts by weight, then the rest by MASE', () => {
    expect(orderEvaluations(rows).map((item) => item.method)).toEqual(['combination', 'global_lgbm', 'weekly_ets', 'moving_average', 'seasonal_naive', 'tsb']);
    expect(rows.filter(isServed).map((item) => item.method)).toEqual(['combination']);
  });

  it('marks the one selected method of a run made before combinations (no weights)', () => {
    const older = [row('moving_average', false, null, 0.9), row('global_lgbm', true, null, 0.95)];
    expect(older.filter(isServed).map((item) => item.method)).toEqual(['global_lgbm']);
    expect(mixParts(older)).toEqual([]);
  });
});
