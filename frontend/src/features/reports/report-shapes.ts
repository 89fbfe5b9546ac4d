/**
 * Every report's answer in one shape the screen draws: columns with the kind of value each
 * holds (which decides how it is formatted), rows, a totals row, and the chart worth looking at.
 * Pure functions of the API's data: no formatting and no language here, so they are tested
 * without a browser.
 *
 * Invariants: money values are integer minor units as the API sends them; every row has a
 * stable `id`; a chart's points are in the order the axis shows them (days and hours ascending,
 * the rest largest first, as the API sorts them); `empty` is true when the period holds nothing
 * to report (the API still answers every day and hour of an empty period with zeros).
 */
import type { Schemas } from '@orbit/shared/api/client';
import type { ReportData } from './report-catalog';

/** How a cell is written: money in the tenant currency, calendar dates, hours, names, … */
export type CellKind =
  | 'text'
  | 'category'
  | 'paymentMethod'
  | 'money'
  | 'count'
  | 'date'
  | 'hour'
  | 'dateTime'
  | 'basisPoints'
  | 'shiftStatus';

export type CellValue = string | number | null;

export interface ReportColumn {
  /** The row field, and the column's translation key. */
  key: string;
  kind: CellKind;
}

export interface ReportRow {
  id: string;
  cells: Record<string, CellValue>;
}

export interface ChartSeries {
  key: string;
  /** Stacked series add up to the bar's height. */
  stack?: string;
}

export interface ChartPoint {
  label: CellValue;
  values: Record<string, number>;
}

export interface ReportChart {
  kind: 'line' | 'bar';
  /** The kind of the labels on the category axis. */
  labelKind: CellKind;
  /** The kind of the values (money or counts). */
  valueKind: 'money' | 'count';
  series: ChartSeries[];
  points: ChartPoint[];
}

export interface ShapedReport {
  columns: ReportColumn[];
  rows: ReportRow[];
  totals: Record<string, CellValue> | null;
  chart: ReportChart | null;
  empty: boolean;
}

type SalesFigures = Schemas['SalesFigures'];

const SALES_COLUMNS: ReportColumn[] = [
  { key: 'sales_count', kind: 'count' },
  { key: 'items', kind: 'count' },
  { key: 'gross', kind: 'money' },
  { key: 'discounts', kind: 'money' },
  { key: 'tax', kind: 'money' },
  { key: 'net', kind: 'money' },
  { key: 'total', kind: 'money' },
  { key: 'refunds_count', kind: 'count' },
  { key: 'refunds', kind: 'money' },
];

function salesCells(figures: SalesFigures): Record<string, CellValue> {
  const { sales_count, items, gross, discounts, tax, net, total, refunds_count, refunds } = figures;
  return { sales_count, items, gross, discounts, tax, net, total, refunds_count, refunds };
}

function soldNothing(totals: SalesFigures): boolean {
  return totals.sales_count === 0 && totals.refunds_count === 0;
}

/** A report of sales figures per dimension: the dimension's column(s) first, then the figures. */
function salesReport<Row extends SalesFigures>(
  rows: Row[],
  totals: SalesFigures,
  dimension: { columns: ReportColumn[]; id: (row: Row) => string; cells: (row: Row) => Record<string, CellValue>; label: (row: Row) => CellValue },
  chart: Pick<ReportChart, 'kind' | 'labelKind'>,
): ShapedReport {
  return {
    columns: [...dimension.columns, ...SALES_COLUMNS],
    rows: rows.map((row) => ({ id: dimension.id(row), cells: { ...dimension.cells(row), ...salesCells(row) } })),
    totals: salesCells(totals),
    chart: {
      ...chart,
      valueKind: 'money',
      series: [{ key: 'total' }],
      points: rows.map((row) => ({ label: dimension.label(row), values: { total: row.total } })),
    },
    empty: soldNothing(totals) || rows.length === 0,
  };
}

function sum<T>(rows: T[], value: (row: T) => number): number {
  return rows.reduce((total, row) => total + value(row), 0);
}

/** The same bars, grouped by a key, largest first (for per-product answers charted per category). */
function groupedBars<T>(rows: T[], key: (row: T) => string | null, value: (row: T) => number): ChartPoint[] {
  const groups = new Map<string | null, number>();
  for (const row of rows) groups.set(key(row), (groups.get(key(row)) ?? 0) + value(row));
  return [...groups.entries()].sort((a, b) => b[1] - a[1]).map(([label, amount]) => ({ label, values: { value: amount } }));
}

export function shapeReport(report: ReportData): ShapedReport {
  switch (report.key) {
    case 'sales-by-day':
      return salesReport(
        report.data.rows,
        report.data.totals,
        { columns: [{ key: 'day', kind: 'date' }], id: (row) => row.day, cells: (row) => ({ day: row.day }), label: (row) => row.day },
        { kind: 'line', labelKind: 'date' },
      );
    case 'sales-by-hour':
      return salesReport(
        report.data.rows,
        report.data.totals,
        { columns: [{ key: 'hour', kind: 'hour' }], id: (row) => String(row.hour), cells: (row) => ({ hour: row.hour }), label: (row) => row.hour },
        { kind: 'bar', labelKind: 'hour' },
      );
    case 'sales-by-category':
      return salesReport(
        report.data.rows,
        report.data.totals,
        {
          columns: [{ key: 'category_name', kind: 'category' }],
          id: (row) => row.category_id ?? 'uncategorized',
          cells: (row) => ({ category_name: row.category_name }),
          label: (row) => row.category_name,
        },
        { kind: 'bar', labelKind: 'category' },
      );
    case 'sales-by-cashier':
      return salesReport(
        report.data.rows,
        report.data.totals,
        { columns: [{ key: 'cashier_name', kind: 'text' }], id: (row) => row.cashier_id, cells: (row) => ({ cashier_name: row.cashier_name }), label: (row) => row.cashier_name },
        { kind: 'bar', labelKind: 'text' },
      );
    case 'sales-by-register':
      return salesReport(
        report.data.rows,
        report.data.totals,
        {
          columns: [
            { key: 'register_code', kind: 'text' },
            { key: 'register_name', kind: 'text' },
          ],
          id: (row) => row.register_id,
          cells: (row) => ({ register_code: row.register_code, register_name: row.register_name }),
          label: (row) => row.register_name || row.register_code,
        },
        { kind: 'bar', labelKind: 'text' },
      );
    case 'sales-by-payment-method': {
      const { rows, totals } = report.data;
      const cells = (figures: Schemas['PaymentFigures']) => ({
        payments_count: figures.payments_count,
        sales_count: figures.sales_count,
        amount: figures.amount,
        refunds_count: figures.refunds_count,
        refunds: figures.refunds,
        net: figures.net,
      });
      return {
        columns: [
          { key: 'method', kind: 'paymentMethod' },
          { key: 'payments_count', kind: 'count' },
          { key: 'sales_count', kind: 'count' },
          { key: 'amount', kind: 'money' },
          { key: 'refunds_count', kind: 'count' },
          { key: 'refunds', kind: 'money' },
          { key: 'net', kind: 'money' },
        ],
        rows: rows.map((row) => ({ id: row.method, cells: { method: row.method, ...cells(row) } })),
        totals: cells(totals),
        chart: {
          kind: 'bar',
          labelKind: 'paymentMethod',
          valueKind: 'money',
          series: [{ key: 'net' }],
          points: rows.map((row) => ({ label: row.method, values: { net: row.net } })),
        },
        empty: rows.length === 0 || (totals.payments_count === 0 && totals.refunds_count === 0),
      };
    }
    case 'top-products': {
      const { rows, by } = report.data;
      const measure = by === 'revenue' ? 'net' : 'units';
      return {
        columns: [
          { key: 'rank', kind: 'count' },
          { key: 'sku', kind: 'text' },
          { key: 'name', kind: 'text' },
          { key: 'category_name', kind: 'category' },
          { key: 'units', kind: 'count' },
          { key: 'sales_count', kind: 'count' },
          { key: 'net', kind: 'money' },
          { key: 'total', kind: 'money' },
          { key: 'refunded_units', kind: 'count' },
          { key: 'refunds', kind: 'money' },
        ],
        rows: rows.map((row) => ({
          id: row.product_id,
          cells: {
            rank: row.rank,
            sku: row.sku,
            name: row.name,
            category_name: row.category_name,
            units: row.units,
            sales_count: row.sales_count,
            net: row.net,
            total: row.total,
            refunded_units: row.refunded_units,
            refunds: row.refunds,
          },
        })),
        // The listed products' sums (the API sends no totals for a ranking).
        totals: {
          units: sum(rows, (row) => row.units),
          net: sum(rows, (row) => row.net),
          total: sum(rows, (row) => row.total),
          refunded_units: sum(rows, (row) => row.refunded_units),
          refunds: sum(rows, (row) => row.refunds),
        },
        chart: {
          kind: 'bar',
          labelKind: 'text',
          valueKind: measure === 'net' ? 'money' : 'count',
          series: [{ key: measure }],
          points: rows.map((row) => ({ label: row.name, values: { [measure]: row[measure] } })),
        },
        empty: rows.length === 0,
      };
    }
    case 'gross-margin': {
      const { rows, totals } = report.data;
      const cells = (figures: Schemas['MarginFigures']) => ({
        units: figures.units,
        net: figures.net,
        cost: figures.cost,
        margin: figures.margin,
        margin_bp: figures.margin_bp,
      });
      return {
        columns: [
          { key: 'category_name', kind: 'category' },
          { key: 'units', kind: 'count' },
          { key: 'net', kind: 'money' },
          { key: 'cost', kind: 'money' },
          { key: 'margin', kind: 'money' },
          { key: 'margin_bp', kind: 'basisPoints' },
        ],
        rows: rows.map((row) => ({ id: row.category_id ?? 'uncategorized', cells: { category_name: row.category_name, ...cells(row) } })),
        totals: cells(totals),
        chart: {
          kind: 'bar',
          labelKind: 'category',
          valueKind: 'money',
          // Cost and margin stacked: the bar's height is the net revenue.
          series: [
            { key: 'cost', stack: 'net' },
            { key: 'margin', stack: 'net' },
          ],
          points: rows.map((row) => ({ label: row.category_name, values: { cost: row.cost, margin: row.margin } })),
        },
        empty: rows.length === 0 || totals.units === 0,
      };
    }
    case 'inventory-valuation': {
      const { rows, totals } = report.data;
      return {
        columns: [
          { key: 'sku', kind: 'text' },
          { key: 'name', kind: 'text' },
          { key: 'category_name', kind: 'category' },
          { key: 'stock', kind: 'count' },
          { key: 'unit_cost', kind: 'money' },
          { key: 'value', kind: 'money' },
          { key: 'retail_value', kind: 'money' },
        ],
        rows: rows.map((row) => ({
          id: row.product_id,
          cells: {
            sku: row.sku,
            name: row.name,
            category_name: row.category_name,
            stock: row.stock,
            unit_cost: row.unit_cost,
            value: row.value,
            retail_value: row.retail_value,
          },
        })),
        totals: { stock: totals.units, value: totals.value, retail_value: totals.retail_value },
        chart: {
          kind: 'bar',
          labelKind: 'category',
          valueKind: 'money',
          series: [{ key: 'value' }],
          points: groupedBars(rows, (row) => row.category_name, (row) => row.value),
        },
        empty: rows.length === 0,
      };
    }
    case 'shifts': {
      const { rows, totals } = report.data;
      return {
        columns: [
          { key: 'register_code', kind: 'text' },
          { key: 'status', kind: 'shiftStatus' },
          { key: 'opened_at', kind: 'dateTime' },
          { key: 'closed_at', kind: 'dateTime' },
          { key: 'opened_by_name', kind: 'text' },
          { key: 'sales_count', kind: 'count' },
          { key: 'sales_total', kind: 'money' },
          { key: 'refunds_total', kind: 'money' },
          { key: 'cash_expected', kind: 'money' },
          { key: 'cash_counted', kind: 'money' },
          { key: 'cash_difference', kind: 'money' },
        ],
        rows: rows.map((row) => ({
          id: row.shift_id,
          cells: {
            register_code: row.register_code,
            status: row.status,
            opened_at: row.opened_at,
            closed_at: row.closed_at,
            opened_by_name: row.opened_by_name,
            sales_count: row.sales_count,
            sales_total: row.sales_total,
            refunds_total: row.refunds_total,
            cash_expected: row.cash_expected,
            cash_counted: row.cash_counted,
            cash_difference: row.cash_difference,
          },
        })),
        totals: {
          sales_count: totals.sales_count,
          sales_total: totals.sales_total,
          refunds_total: totals.refunds_total,
          cash_difference: totals.cash_difference,
        },
        // A table to read: a chart of shifts would say less than their rows.
        chart: null,
        empty: rows.length === 0,
      };
    }
  }
}
