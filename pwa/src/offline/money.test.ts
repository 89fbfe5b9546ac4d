/**
 * The till prices exactly as the server does: `money.vectors.json` holds cases priced by the
 * server's own `server/sales/pricing.py` (and `refund_share`), generated with a fixed seed by
 * `pwa/scripts/money_vectors.py`; every one must come out the same here.
 */
import { describe, expect, it } from 'vitest';
import { PricingError, allocate, amountDue, lineTax, percentOf, priceSale, refundShare, settle, type TaxMode } from './money';
import vectors from './money.vectors.json';

describe('priceSale', () => {
  it.each(vectors.price.map((vector, index) => [index, vector] as const))('case %i matches the server', (_, vector) => {
    const priced = priceSale(vector.lines, { saleDiscount: vector.sale_discount, taxMode: vector.tax_mode as TaxMode });
    expect({
      lines: priced.lines.map(({ sale_discount_share, tax_amount, total }) => ({ sale_discount_share, tax_amount, total })),
      subtotal: priced.subtotal,
      discount_total: priced.discount_total,
      tax_total: priced.tax_total,
      total: priced.total,
    }).toEqual(vector.expected);
  });

  it('prices a plain inclusive ticket the way a receipt reads', () => {
    // 2 × 1,990 at 19 % VAT included, 10 % off the line: base 3,582, tax 572.
    const priced = priceSale([{ quantity: 2, unit_price: 1990, tax_rate_bp: 1900, discount: 398 }], { taxMode: 'inclusive' });
    expect(priced).toMatchObject({ subtotal: 3980, discount_total: 398, tax_total: 572, total: 3582 });
  });

  it('refuses what the server refuses, naming the field', () => {
    expect(() => priceSale([], { taxMode: 'inclusive' })).toThrow(PricingError);
    expect(() => priceSale([{ quantity: 1, unit_price: 100, tax_rate_bp: 0, discount: 101 }], { taxMode: 'inclusive' })).toThrow(/discount exceeds/);
    expect(() => priceSale([{ quantity: 1, unit_price: 100, tax_rate_bp: 0 }], { saleDiscount: 101, taxMode: 'exclusive' })).toThrow(/sale discount/);
    try {
      priceSale([{ quantity: 0, unit_price: 1, tax_rate_bp: 0 }], { taxMode: 'inclusive' });
    } catch (error) {
      expect((error as PricingError).field).toEqual(['lines', 0, 'quantity']);
    }
  });

  it('rounds tax half up past 2^53 without losing a unit', () => {
    expect(lineTax(9_007_199_254_740_000, 1900, 'exclusive')).toBe(1_711_367_858_400_600);
    expect(lineTax(5, 1000, 'exclusive')).toBe(1); // 0.5 → 1
  });
});

describe('allocate', () => {
  it.each(vectors.allocate.map((vector, index) => [index, vector] as const))('case %i matches the server', (_, vector) => {
    expect(allocate(vector.amount, vector.weights)).toEqual(vector.expected);
  });

  it('gives the remainder to the earlier line on a tie', () => {
    expect(allocate(1, [1, 1])).toEqual([1, 0]);
    expect(allocate(10, [0, 0])).toEqual([0, 0]);
  });
});

describe('settle', () => {
  it.each(vectors.settle.map((vector, index) => [index, vector] as const))('case %i matches the server', (_, vector) => {
    if ('error' in vector.expected) {
      expect(() => settle(vector.total, vector.tenders)).toThrow(PricingError);
      return;
    }
    const settled = settle(vector.total, vector.tenders);
    expect({ change_total: settled.change_total, paid_total: settled.paid_total, changes: settled.tenders.map((t) => t.change) }).toEqual(vector.expected);
  });

  it('gives change from cash only, and a split payment covers the rest', () => {
    const settled = settle(10_000, [
      { method: 'card', amount: 6_000 },
      { method: 'cash', amount: 5_000 },
    ]);
    expect(settled).toMatchObject({ paid_total: 11_000, change_total: 1_000 });
    expect(settled.tenders.map((t) => t.change)).toEqual([0, 1_000]);
    expect(() => settle(1_000, [{ method: 'card', amount: 1_500 }])).toThrow(/can't exceed/);
    expect(amountDue(10_000, [{ method: 'card', amount: 6_000 }])).toBe(4_000);
  });
});

describe('refundShare', () => {
  it.each(vectors.refund.map((vector, index) => [index, vector] as const))('case %i matches the server', (_, vector) => {
    expect(refundShare(vector.total, vector.quantity, vector.already, vector.refund)).toBe(vector.expected);
  });

  it('gives back exactly the line total, one unit at a time', () => {
    const shares = [0, 1, 2].map((already) => refundShare(1_000, 3, already, 1));
    expect(shares.reduce((a, b) => a + b, 0)).toBe(1_000);
  });

  it('takes percentages half up', () => {
    expect(percentOf(1_995, 1_000)).toBe(200);
  });
});
