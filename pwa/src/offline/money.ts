/**
 * Sale arithmetic in integer minor units: the same rules as the server's `server/sales/pricing.py`,
 * so a receipt printed offline shows what the server will record. BigInt is used wherever a
 * product could pass 2^53 (amount × basis points), so nothing rounds where Python's integers don't.
 *
 * Rules (as the server states them):
 * - A line's base is `quantity × unit_price − line_discount` (at most `quantity × unit_price`).
 * - The ticket discount is shared among lines in proportion to their bases, largest remainder
 *   first, ties to the earlier line; the shares add up to the ticket discount exactly.
 * - Tax per line on the base after both discounts, rounded half up:
 *   `exclusive`: tax = round(base × rate), the line costs base + tax;
 *   `inclusive`: tax = base − round(base / (1 + rate)), the line costs base.
 * - Payments: card and other tenders can't exceed what is due; the tenders must cover the total;
 *   change = tenders − total, given from cash only.
 * - A refund of `quantity` more units of a line gives back the line total pro rata, so refunding
 *   every unit gives back exactly the line total.
 */

export const BASIS_POINTS = 10_000;
export type TaxMode = 'inclusive' | 'exclusive';

export class PricingError extends Error {
  constructor(
    message: string,
    readonly field: readonly (string | number)[],
  ) {
    super(message);
    this.name = 'PricingError';
  }
}

function big(value: number): bigint {
  return BigInt(value);
}

/** round(numerator / denominator), halves up, for non-negative inputs. */
export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (2n * numerator + denominator) / (2n * denominator);
}

export interface LineInput {
  quantity: number;
  unit_price: number;
  tax_rate_bp: number;
  discount?: number;
}

export interface PricedLine {
  quantity: number;
  unit_price: number;
  tax_rate_bp: number;
  discount: number;
  sale_discount_share: number;
  tax_amount: number;
  total: number;
}

export interface PricedSale {
  lines: PricedLine[];
  subtotal: number;
  discount_total: number;
  tax_total: number;
  total: number;
}

/** Split `amount` in proportion to `weights` (largest remainder; ties to the earlier index). */
export function allocate(amount: number, weights: readonly number[]): number[] {
  const totalWeight = weights.reduce((sum, weight) => sum + big(weight), 0n);
  if (amount === 0 || totalWeight === 0n) return weights.map(() => 0);
  const whole = big(amount);
  const shares = weights.map((weight) => (whole * big(weight)) / totalWeight);
  const remainders = weights.map((weight) => (whole * big(weight)) % totalWeight);
  let left = Number(whole - shares.reduce((sum, share) => sum + share, 0n));
  const order = weights.map((_, index) => index).sort((a, b) => (remainders[b] > remainders[a] ? 1 : remainders[b] < remainders[a] ? -1 : a - b));
  for (const index of order) {
    if (left <= 0) break;
    shares[index] += 1n;
    left -= 1;
  }
  return shares.map(Number);
}

export function lineTax(base: number, rateBp: number, taxMode: TaxMode): number {
  if (taxMode === 'exclusive') return Number(roundHalfUp(big(base) * big(rateBp), big(BASIS_POINTS)));
  return base - Number(roundHalfUp(big(base) * big(BASIS_POINTS), big(BASIS_POINTS + rateBp)));
}

export function priceSale(lines: readonly LineInput[], { saleDiscount = 0, taxMode }: { saleDiscount?: number; taxMode: TaxMode }): PricedSale {
  if (taxMode !== 'inclusive' && taxMode !== 'exclusive') throw new PricingError('unknown tax mode', ['tax_mode']);
  if (!lines.length) throw new PricingError('a sale needs at least one line', ['lines']);
  const bases = lines.map((line, index) => {
    const discount = line.discount ?? 0;
    if (!Number.isInteger(line.quantity) || line.quantity <= 0) throw new PricingError('quantity must be positive', ['lines', index, 'quantity']);
    if (line.unit_price < 0) throw new PricingError("price can't be negative", ['lines', index, 'unit_price']);
    if (discount < 0 || discount > line.quantity * line.unit_price) throw new PricingError('the discount exceeds the line amount', ['lines', index, 'discount']);
    return line.quantity * line.unit_price - discount;
  });
  const sumOfBases = bases.reduce((sum, base) => sum + base, 0);
  if (saleDiscount < 0 || saleDiscount > sumOfBases) throw new PricingError('the sale discount exceeds the amount of the sale', ['discount']);
  const shares = allocate(saleDiscount, bases);
  const priced = lines.map((line, index): PricedLine => {
    const taxable = bases[index] - shares[index];
    const tax = lineTax(taxable, line.tax_rate_bp, taxMode);
    return {
      quantity: line.quantity,
      unit_price: line.unit_price,
      tax_rate_bp: line.tax_rate_bp,
      discount: line.discount ?? 0,
      sale_discount_share: shares[index],
      tax_amount: tax,
      total: taxMode === 'exclusive' ? taxable + tax : taxable,
    };
  });
  return {
    lines: priced,
    subtotal: priced.reduce((sum, line) => sum + line.quantity * line.unit_price, 0),
    discount_total: priced.reduce((sum, line) => sum + line.discount, 0) + saleDiscount,
    tax_total: priced.reduce((sum, line) => sum + line.tax_amount, 0),
    total: priced.reduce((sum, line) => sum + line.total, 0),
  };
}

export interface Tender {
  method: string;
  amount: number;
}

export interface SettledTender extends Tender {
  change: number;
}

export interface Settlement {
  tenders: SettledTender[];
  paid_total: number;
  change_total: number;
}

/** Check the tenders against the total and work out the change (given from cash only). */
export function settle(total: number, tenders: readonly Tender[]): Settlement {
  if (!tenders.length) throw new PricingError('at least one payment is required', ['payments']);
  tenders.forEach((tender, index) => {
    if (!(tender.amount > 0)) throw new PricingError('a payment must be positive', ['payments', index, 'amount']);
  });
  const nonCash = tenders.filter((t) => t.method !== 'cash').reduce((sum, t) => sum + t.amount, 0);
  const cash = tenders.filter((t) => t.method === 'cash').reduce((sum, t) => sum + t.amount, 0);
  if (nonCash > total) throw new PricingError("card, transfer and other payments can't exceed the amount due", ['payments']);
  const paid = nonCash + cash;
  if (paid < total) throw new PricingError(`the payments (${paid}) don't cover the total (${total})`, ['payments']);
  const change = paid - total;
  let remaining = change;
  const settled = tenders.map((tender) => {
    const given = tender.method === 'cash' ? Math.min(tender.amount, remaining) : 0;
    remaining -= given;
    return { method: tender.method, amount: tender.amount, change: given };
  });
  return { tenders: settled, paid_total: paid, change_total: change };
}

/** What is still due after the tenders so far (never negative). */
export function amountDue(total: number, tenders: readonly Tender[]): number {
  return Math.max(0, total - tenders.reduce((sum, tender) => sum + tender.amount, 0));
}

/** The money of `quantity` more units of a line of which `already` were refunded. */
export function refundShare(lineTotal: number, lineQuantity: number, already: number, quantity: number): number {
  const total = big(lineTotal);
  const units = big(lineQuantity);
  return Number((total * big(already + quantity)) / units - (total * big(already)) / units);
}

/** A percentage (in basis points) of an amount, rounded half up: 10 % of 1,995 is 200. */
export function percentOf(amount: number, basisPoints: number): number {
  return Number(roundHalfUp(big(amount) * big(basisPoints), big(BASIS_POINTS)));
}
