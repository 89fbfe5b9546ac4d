/**
 * The lines of a stock document being written (a receipt, an adjustment or a count) and the
 * API body made from them.
 *
 * Invariants: a product appears at most once (the count endpoint refuses a product twice with
 * 409 `duplicate_line`; receipts and adjustments would record two movements where one is
 * meant). Adding a product already listed adds one more unit to a receipt line (scan after scan)
 * and otherwise leaves the line as it is, to be focused. Quantities are kept as typed text until
 * the body is made. `stock` is the product's stock as last known (kept live from events), the
 * count's expected quantity.
 */

export type StockDocumentKind = 'receipt' | 'adjustment' | 'count';

export interface StockLine {
  productId: string;
  name: string;
  sku: string;
  unit: string;
  stock: number;
  /** Receipt: units received; adjustment: the signed change; count: units counted. */
  quantity: string;
}

export interface LineProduct {
  id: string;
  name: string;
  sku: string;
  unit: string;
  stock: number;
}

export type LinesAction =
  | { type: 'add'; product: LineProduct }
  | { type: 'set'; productId: string; quantity: string }
  | { type: 'remove'; productId: string }
  | { type: 'stock'; stock: ReadonlyMap<string, number> }
  | { type: 'clear' };

export const MAX_LINES = 1000;
const MAX_QUANTITY = 1_000_000_000;

function newQuantity(kind: StockDocumentKind): string {
  return kind === 'receipt' ? '1' : '';
}

/** A reducer of one document kind's lines. */
export function linesReducer(kind: StockDocumentKind) {
  return (lines: StockLine[], action: LinesAction): StockLine[] => {
    switch (action.type) {
      case 'add': {
        const existing = lines.find((line) => line.productId === action.product.id);
        if (!existing) {
          if (lines.length >= MAX_LINES) return lines;
          const { id, name, sku, unit, stock } = action.product;
          return [...lines, { productId: id, name, sku, unit, stock, quantity: newQuantity(kind) }];
        }
        if (kind !== 'receipt') return lines;
        const units = parseQuantity(existing.quantity) ?? 0;
        return lines.map((line) => (line === existing ? { ...line, quantity: String(units + 1) } : line));
      }
      case 'set':
        return lines.map((line) => (line.productId === action.productId ? { ...line, quantity: action.quantity } : line));
      case 'remove':
        return lines.filter((line) => line.productId !== action.productId);
      case 'stock': {
        let changed = false;
        const next = lines.map((line) => {
          const stock = action.stock.get(line.productId);
          if (stock === undefined || stock === line.stock) return line;
          changed = true;
          return { ...line, stock };
        });
        return changed ? next : lines;
      }
      case 'clear':
        return [];
    }
  };
}

/** A whole number as typed ("12", "-3", "+3"); null when it is not one. */
export function parseQuantity(text: string): number | null {
  const trimmed = text.trim().replace(/^\+/, '').replace(/^−/, '-');
  if (!/^-?\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : null;
}

/** Counted minus expected: what the count will record (positive: more on the shelf than on the books). */
export function countDifference(line: Pick<StockLine, 'stock' | 'quantity'>): number | null {
  const counted = parseQuantity(line.quantity);
  return counted === null || counted < 0 ? null : counted - line.stock;
}

/** The stock after an adjustment line; null while its change is unreadable. */
export function adjustedStock(line: Pick<StockLine, 'stock' | 'quantity'>): number | null {
  const delta = parseQuantity(line.quantity);
  return delta === null ? null : line.stock + delta;
}

export interface CountSummary {
  products: number;
  differing: number;
  /** Σ (counted − expected) over the readable lines. */
  net: number;
}

export function countSummary(lines: readonly StockLine[]): CountSummary {
  let differing = 0;
  let net = 0;
  for (const line of lines) {
    const difference = countDifference(line);
    if (difference === null) continue;
    if (difference !== 0) differing += 1;
    net += difference;
  }
  return { products: lines.length, differing, net };
}

/** What is wrong with a line, as a key of the stock feature's `lineProblem` strings. */
export type LineProblem = 'required' | 'positive' | 'nonZero' | 'notNegative' | 'wholeNumber' | 'belowZero';

export function lineProblem(kind: StockDocumentKind, line: StockLine, allowNegative: boolean): LineProblem | null {
  if (!line.quantity.trim()) return 'required';
  const value = parseQuantity(line.quantity);
  if (value === null || Math.abs(value) > MAX_QUANTITY) return 'wholeNumber';
  if (kind === 'receipt' && value < 1) return 'positive';
  if (kind === 'count' && value < 0) return 'notNegative';
  if (kind === 'adjustment') {
    if (value === 0) return 'nonZero';
    if (!allowNegative && line.stock + value < 0) return 'belowZero';
  }
  return null;
}

export type StockBody =
  | { kind: 'receipt'; body: { lines: { product_id: string; quantity: number }[]; reason: string } }
  | { kind: 'adjustment'; body: { lines: { product_id: string; delta: number }[]; reason: string } }
  | { kind: 'count'; body: { lines: { product_id: string; counted: number }[]; reason: string } };

export type StockBodyResult = { ok: true; document: StockBody } | { ok: false; lines: Map<string, LineProblem>; empty: boolean };

/** The API body of a document, or the problem of each bad line (and whether there are no lines). */
export function stockBody(kind: StockDocumentKind, lines: readonly StockLine[], reason: string, allowNegative: boolean): StockBodyResult {
  const problems = new Map<string, LineProblem>();
  for (const line of lines) {
    const problem = lineProblem(kind, line, allowNegative);
    if (problem) problems.set(line.productId, problem);
  }
  if (lines.length === 0 || problems.size > 0) return { ok: false, lines: problems, empty: lines.length === 0 };
  const value = (line: StockLine) => parseQuantity(line.quantity)!;
  const note = reason.trim();
  switch (kind) {
    case 'receipt':
      return { ok: true, document: { kind, body: { lines: lines.map((line) => ({ product_id: line.productId, quantity: value(line) })), reason: note } } };
    case 'adjustment':
      return { ok: true, document: { kind, body: { lines: lines.map((line) => ({ product_id: line.productId, delta: value(line) })), reason: note } } };
    case 'count':
      return { ok: true, document: { kind, body: { lines: lines.map((line) => ({ product_id: line.productId, counted: value(line) })), reason: note } } };
  }
}

/**
 * The server's refusals per line: by the line's position (`["body", "lines", i, …]`, validation
 * and `duplicate_line`) or by product (`["product", id]`, unknown products and `insufficient_stock`).
 */
export function serverLineErrors(
  errors: readonly { loc: (string | number)[]; msg: string }[],
  lines: readonly Pick<StockLine, 'productId'>[],
): Map<string, string> {
  const byProduct = new Map<string, string>();
  for (const error of errors) {
    const path = error.loc.filter((part) => part !== 'body');
    let productId: string | undefined;
    if (path[0] === 'lines' && typeof path[1] === 'number') productId = lines[path[1]]?.productId;
    else if (path[0] === 'product' && typeof path[1] === 'string') productId = path[1];
    if (productId && !byProduct.has(productId)) byProduct.set(productId, error.msg);
  }
  return byProduct;
}
