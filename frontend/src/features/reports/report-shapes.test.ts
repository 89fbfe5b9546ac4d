import { describe, expect, it } from 'vitest';
import type { Schemas } from '@orbit/shared/api/client';
import { shapeReport } from './report-shapes';

const period = { since: '2026-03-01', until: '2026-03-04', time_zone: 'America/Santiago', currency: 'CLP' };

function figures(total: number, sales = total > 0 ? 1 : 0): Schemas['SalesFigures'] {
  return { sales_count: sales, items: sales, gross: total, discounts: 0, tax: 0, total, net: total, refunds_count: 0, refunds: 0 };
}

describe('sales by day', () => {
  const data: Schemas['SalesByDay'] = {
    period,
    rows: [
      { day: '2026-03-01', ...figures(1000) },
      { day: '2026-03-02', ...figures(0) },
      { day: '2026-03-03', ...figures(2500, 2) },
    ],
    totals: figures(3500, 3),
  };

  it('is a line over the days, a row per day and the totals', () => {
    const shaped = shapeReport({ key: 'sales-by-day', data });
    expect(shaped.chart?.kind).toBe('line');
    expect(shaped.chart?.points.map((point) => [point.label, point.values.total])).toEqual([
      ['2026-03-01', 1000],
      ['2026-03-02', 0],
      ['2026-03-03', 2500],
    ]);
    expect(shaped.columns[0]).toEqual({ key: 'day', kind: 'date' });
    expect(shaped.rows.map((row) => row.id)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
    expect(shaped.totals?.total).toBe(3500);
    expect(shaped.totals?.sales_count).toBe(3);
    expect(shaped.empty).toBe(false);
  });

  it('a period without sales is empty although every day has a row', () => {
    const quiet = { ...data, rows: data.rows.map((row) => ({ ...row, ...figures(0) })), totals: figures(0) };
    expect(shapeReport({ key: 'sales-by-day', data: quiet }).empty).toBe(true);
  });
});

describe('per category, per method, margins, stock', () => {
  it('keeps uncategorized sales as a row with a null name and a stable id', () => {
    const shaped = shapeReport({
      key: 'sales-by-category',
      data: { period, rows: [{ category_id: null, category_name: null, ...figures(700) }], totals: figures(700) },
    });
    expect(shaped.rows[0]).toMatchObject({ id: 'uncategorized', cells: { category_name: null, total: 700 } });
    expect(shaped.chart).toMatchObject({ kind: 'bar', labelKind: 'category', points: [{ label: null, values: { total: 700 } }] });
  });

  it('charts what each payment method took net of refunds', () => {
    const row = { payments_count: 2, sales_count: 2, amount: 900, refunds_count: 1, refunds: 100, net: 800 };
    const shaped = shapeReport({ key: 'sales-by-payment-method', data: { period, rows: [{ method: 'card', ...row }], totals: row } });
    expect(shaped.chart?.points).toEqual([{ label: 'card', values: { net: 800 } }]);
    expect(shaped.totals).toMatchObject({ amount: 900, net: 800 });
  });

  it('stacks cost and margin, so a bar is the net revenue', () => {
    const margin = { units: 3, net: 1000, cost: 600, margin: 400, margin_bp: 4000 };
    const shaped = shapeReport({
      key: 'gross-margin',
      data: { period, totals: margin, rows: [{ category_id: 'c1', category_name: 'Drinks', ...margin }] },
    });
    expect(shaped.chart?.series).toEqual([
      { key: 'cost', stack: 'net' },
      { key: 'margin', stack: 'net' },
    ]);
    expect(shaped.totals?.margin_bp).toBe(4000);
  });

  it('ranks top products by the measure asked for and sums the listed rows', () => {
    const product = (rank: number, units: number, net: number): Schemas['TopProductRow'] => ({
      rank,
      product_id: `p${rank}`,
      sku: `SKU${rank}`,
      name: `Product ${rank}`,
      category_id: null,
      category_name: null,
      units,
      sales_count: units,
      total: net,
      net,
      refunded_units: 0,
      refunds: 0,
    });
    const data: Schemas['TopProducts'] = { period, by: 'revenue', rows: [product(1, 2, 5000), product(2, 9, 900)] };
    const shaped = shapeReport({ key: 'top-products', data });
    expect(shaped.chart).toMatchObject({ valueKind: 'money', series: [{ key: 'net' }] });
    expect(shaped.chart?.points.map((point) => point.values.net)).toEqual([5000, 900]);
    expect(shaped.totals).toMatchObject({ units: 11, net: 5900 });
    const byUnits = shapeReport({ key: 'top-products', data: { ...data, by: 'units' } });
    expect(byUnits.chart).toMatchObject({ valueKind: 'count', series: [{ key: 'units' }] });
  });

  it('charts stock value per category, largest first', () => {
    const item = (id: string, category: string | null, value: number): Schemas['ValuationRow'] => ({
      product_id: id,
      sku: id,
      name: id,
      category_id: category,
      category_name: category,
      is_active: true,
      stock: 1,
      unit_cost: value,
      price: value,
      value,
      retail_value: value,
      negative_stock: false,
    });
    const shaped = shapeReport({
      key: 'inventory-valuation',
      data: {
        as_of: '2026-03-03T12:00:00Z',
        currency: 'CLP',
        category_id: null,
        totals: { products: 3, units: 3, value: 600, retail_value: 600, negative_stock_products: 0 },
        rows: [item('a', 'Food', 100), item('b', 'Drinks', 300), item('c', 'Food', 150), item('d', null, 50)],
      },
    });
    expect(shaped.chart?.points).toEqual([
      { label: 'Drinks', values: { value: 300 } },
      { label: 'Food', values: { value: 250 } },
      { label: null, values: { value: 50 } },
    ]);
    expect(shaped.totals).toMatchObject({ stock: 3, value: 600 });
  });
});
