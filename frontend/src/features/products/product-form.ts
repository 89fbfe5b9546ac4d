/**
 * The product form's values (what the person typed, as text) and the API bodies made from them.
 * Money is typed in major units of the tenant's currency and sent in minor units; the tax rate
 * is typed as a percentage and sent in basis points (19 % → 1900). Validation mirrors the
 * server's limits so most mistakes show before a round trip; the server still has the last word.
 * Error keys are the API's field names, so the server's field errors land at the same fields.
 */
import { moneyInputValue, parseMoney } from '@orbit/shared/format/format';
import type { Schemas } from '@orbit/shared/api/client';

type Product = Schemas['ProductRead'];

export interface ProductFormValues {
  name: string;
  sku: string;
  barcode: string;
  category_id: string;
  price: string;
  cost: string;
  tax_rate: string;
  unit: string;
  reorder_point: string;
  lead_time_days: string;
  description: string;
  is_active: boolean;
  initial_stock: string;
}

export const PRODUCT_FIELDS = [
  'name',
  'sku',
  'barcode',
  'category_id',
  'price',
  'cost',
  'tax_rate_bp',
  'unit',
  'reorder_point',
  'lead_time_days',
  'description',
  'is_active',
  'initial_stock',
] as const;
export type ProductField = (typeof PRODUCT_FIELDS)[number];

/** What is wrong with a value, as a key of the feature's `validation` strings. */
export type ProductFieldProblem = 'required' | 'tooLong' | 'money' | 'percent' | 'wholeNumber' | 'leadTime' | 'barcode';

export const NEW_PRODUCT: ProductFormValues = {
  name: '',
  sku: '',
  barcode: '',
  category_id: '',
  price: '',
  cost: '',
  tax_rate: '',
  unit: 'unit',
  reorder_point: '0',
  lead_time_days: '7',
  description: '',
  is_active: true,
  initial_stock: '0',
};

/** A percentage in basis points (`0`–`100` with up to two decimals, "19,5" → 1950); null when unreadable. */
export function percentToBasisPoints(text: string): number | null {
  const match = /^(\d{1,3})(?:[.,](\d{1,2}))?\s*%?$/.exec(text.trim());
  if (!match) return null;
  const basisPoints = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return basisPoints <= 10_000 ? basisPoints : null;
}

/** Basis points as the percentage a form shows (1950 → "19.5", 1900 → "19"). */
export function basisPointsToPercent(basisPoints: number): string {
  return String(basisPoints / 100);
}

export function productFormValues(product: Product, currency: string): ProductFormValues {
  return {
    name: product.name,
    sku: product.sku,
    barcode: product.barcode ?? '',
    category_id: product.category_id ?? '',
    price: moneyInputValue(product.price, currency),
    cost: moneyInputValue(product.cost, currency),
    tax_rate: basisPointsToPercent(product.tax_rate_bp),
    unit: product.unit,
    reorder_point: String(product.reorder_point),
    lead_time_days: String(product.lead_time_days),
    description: product.description,
    is_active: product.is_active,
    initial_stock: '0',
  };
}

function wholeNumber(text: string, max: number): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value <= max ? value : null;
}

export type ProductFormResult = { ok: true; body: Schemas['ProductCreate'] } | { ok: false; problems: Partial<Record<ProductField, ProductFieldProblem>> };

/** The create body of the form's values, or what is wrong with them. */
export function productBody(values: ProductFormValues, currency: string): ProductFormResult {
  const problems: Partial<Record<ProductField, ProductFieldProblem>> = {};
  const name = values.name.trim();
  const sku = values.sku.trim();
  const barcode = values.barcode.trim();
  const unit = values.unit.trim();
  if (!name) problems.name = 'required';
  else if (name.length > 200) problems.name = 'tooLong';
  if (!sku) problems.sku = 'required';
  else if (sku.length > 64) problems.sku = 'tooLong';
  if (barcode && (barcode.length > 64 || !/^[0-9A-Za-z.-]+$/.test(barcode))) problems.barcode = 'barcode';
  if (!unit) problems.unit = 'required';
  else if (unit.length > 16) problems.unit = 'tooLong';
  if (values.description.length > 4000) problems.description = 'tooLong';

  const price = values.price.trim() ? parseMoney(values.price, currency) : null;
  if (!values.price.trim()) problems.price = 'required';
  else if (price === null || price < 0) problems.price = 'money';
  const cost = values.cost.trim() ? parseMoney(values.cost, currency) : 0;
  if (cost === null || cost < 0) problems.cost = 'money';
  const taxRate = values.tax_rate.trim() ? percentToBasisPoints(values.tax_rate) : 0;
  if (taxRate === null) problems.tax_rate_bp = 'percent';
  const reorderPoint = wholeNumber(values.reorder_point || '0', 1_000_000_000);
  if (reorderPoint === null) problems.reorder_point = 'wholeNumber';
  const leadTime = wholeNumber(values.lead_time_days || '0', 365);
  if (leadTime === null) problems.lead_time_days = 'leadTime';
  const initialStock = wholeNumber(values.initial_stock || '0', 1_000_000_000);
  if (initialStock === null) problems.initial_stock = 'wholeNumber';

  if (Object.keys(problems).length > 0) return { ok: false, problems };
  return {
    ok: true,
    body: {
      name,
      sku,
      barcode: barcode || null,
      category_id: values.category_id || null,
      price: price!,
      cost: cost!,
      tax_rate_bp: taxRate!,
      unit,
      reorder_point: reorderPoint!,
      lead_time_days: leadTime!,
      description: values.description,
      is_active: values.is_active,
      initial_stock: initialStock!,
    },
  };
}

/** The update body: the create body without `initial_stock` (stock changes only by movements). */
export function productUpdateBody(body: Schemas['ProductCreate']): Schemas['ProductUpdate'] {
  const { initial_stock: _initialStock, ...update } = body;
  return update;
}
