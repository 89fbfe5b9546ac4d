/**
 * Arithmetic the sale screen shows, done as the server does it (money in integer minor units).
 *
 * What a refund of some units gives back, computed as the server does
 * (`server.sales.refunds.refund_share`): the line's total pro rata, so refunding every unit of a
 * line, in any number of refunds, gives back exactly the line's total.
 */
export function refundShare(lineTotal: number, lineQuantity: number, alreadyRefunded: number, quantity: number): number {
  const share = (units: number) => Math.floor((lineTotal * units) / lineQuantity);
  return share(alreadyRefunded + quantity) - share(alreadyRefunded);
}

export interface RefundableLine {
  id: string;
  quantity: number;
  refunded_quantity: number;
  total: number;
}

/** The money of a planned refund: `quantities` maps line ids to the units to refund. */
export function refundTotal(lines: RefundableLine[], quantities: Record<string, number>): number {
  return lines.reduce((sum, line) => sum + refundShare(line.total, line.quantity, line.refunded_quantity, quantities[line.id] ?? 0), 0);
}

/** Units of a line that can still be refunded. */
export function refundable(line: RefundableLine): number {
  return Math.max(0, line.quantity - line.refunded_quantity);
}

export interface TaxedLine {
  tax_rate_bp: number;
  tax_amount: number;
  total: number;
}

export interface TaxRow {
  /** The rate in basis points (1900 = 19 %). */
  rateBp: number;
  /** What the lines of this rate cost without the tax. */
  net: number;
  tax: number;
}

/** The sale's taxes by rate, highest rate first: a line's total always includes its tax. */
export function taxesByRate(lines: TaxedLine[]): TaxRow[] {
  const byRate = new Map<number, TaxRow>();
  for (const line of lines) {
    const row = byRate.get(line.tax_rate_bp) ?? { rateBp: line.tax_rate_bp, net: 0, tax: 0 };
    row.net += line.total - line.tax_amount;
    row.tax += line.tax_amount;
    byRate.set(line.tax_rate_bp, row);
  }
  return [...byRate.values()].sort((a, b) => b.rateBp - a.rateBp);
}
