/**
 * The reports the server offers (`GET /api/v1/reports/*`, each with a `.csv` twin taking the
 * same query) and how each is fetched. The key is also the URL's `report` parameter and the
 * last segment of the endpoint's path.
 */
import { api, unwrap, type Schemas } from '@orbit/shared/api/client';

export const REPORT_KEYS = [
  'sales-by-day',
  'sales-by-hour',
  'top-products',
  'sales-by-category',
  'sales-by-payment-method',
  'sales-by-cashier',
  'sales-by-register',
  'gross-margin',
  'inventory-valuation',
  'shifts',
] as const;

export type ReportKey = (typeof REPORT_KEYS)[number];
export const DEFAULT_REPORT: ReportKey = 'sales-by-day';

export type TopProductsRanking = 'units' | 'revenue';
/** How many products the top-products report lists (the API allows 1–100). */
export const TOP_PRODUCTS_LIMIT = 20;

export function isReportKey(value: unknown): value is ReportKey {
  return typeof value === 'string' && (REPORT_KEYS as readonly string[]).includes(value);
}

/** Reports of stock as it is now: they take no period. */
export function takesPeriod(key: ReportKey): boolean {
  return key !== 'inventory-valuation';
}

export interface ReportQuery {
  since: string;
  until: string;
  /** Top products only. */
  by?: TopProductsRanking;
}

/** The query string a report's JSON and CSV endpoints take for `query`. */
export function reportParams(key: ReportKey, query: ReportQuery): Record<string, string> {
  if (!takesPeriod(key)) return {};
  const period = { since: query.since, until: query.until };
  return key === 'top-products' ? { ...period, by: query.by ?? 'units', limit: String(TOP_PRODUCTS_LIMIT) } : period;
}

export function csvPath(key: ReportKey): string {
  return `/api/v1/reports/${key}.csv`;
}

/** A report's answer, tagged with its key so that shaping it is checked per report. */
export type ReportData =
  | { key: 'sales-by-day'; data: Schemas['SalesByDay'] }
  | { key: 'sales-by-hour'; data: Schemas['SalesByHour'] }
  | { key: 'top-products'; data: Schemas['TopProducts'] }
  | { key: 'sales-by-category'; data: Schemas['SalesByCategory'] }
  | { key: 'sales-by-payment-method'; data: Schemas['SalesByPaymentMethod'] }
  | { key: 'sales-by-cashier'; data: Schemas['SalesByCashier'] }
  | { key: 'sales-by-register'; data: Schemas['SalesByRegister'] }
  | { key: 'gross-margin'; data: Schemas['GrossMargin'] }
  | { key: 'inventory-valuation'; data: Schemas['InventoryValuation'] }
  | { key: 'shifts'; data: Schemas['ShiftsReport'] };

export async function fetchReport(key: ReportKey, query: ReportQuery): Promise<ReportData> {
  const period = { since: query.since, until: query.until };
  switch (key) {
    case 'sales-by-day':
      return { key, data: await unwrap(api.GET('/api/v1/reports/sales-by-day', { params: { query: period } })) };
    case 'sales-by-hour':
      return { key, data: await unwrap(api.GET('/api/v1/reports/sales-by-hour', { params: { query: period } })) };
    case 'top-products':
      return {
        key,
        data: await unwrap(api.GET('/api/v1/reports/top-products', { params: { query: { ...period, by: query.by ?? 'units', limit: TOP_PRODUCTS_LIMIT } } })),
      };
    case 'sales-by-category':
      return { key, data: await unwrap(api.GET('/api/v1/reports/sales-by-category', { params: { query: period } })) };
    case 'sales-by-payment-method':
      return { key, data: await unwrap(api.GET('/api/v1/reports/sales-by-payment-method', { params: { query: period } })) };
    case 'sales-by-cashier':
      return { key, data: await unwrap(api.GET('/api/v1/reports/sales-by-cashier', { params: { query: period } })) };
    case 'sales-by-register':
      return { key, data: await unwrap(api.GET('/api/v1/reports/sales-by-register', { params: { query: period } })) };
    case 'gross-margin':
      return { key, data: await unwrap(api.GET('/api/v1/reports/gross-margin', { params: { query: period } })) };
    case 'inventory-valuation':
      return { key, data: await unwrap(api.GET('/api/v1/reports/inventory-valuation')) };
    case 'shifts':
      return { key, data: await unwrap(api.GET('/api/v1/reports/shifts', { params: { query: period } })) };
  }
}
