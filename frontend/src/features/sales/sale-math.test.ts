import { describe, expect, it } from 'vitest';
import { refundable, refundShare, refundTotal, taxesByRate } from './sale-math';

describe('sale math', () => {
  it('gives back the whole line total over several partial refunds', () => {
    const first = refundShare(1000, 3, 0, 1);
    const second = refundShare(1000, 3, 1, 1);
    const third = refundShare(1000, 3, 2, 1);
    expect([first, second, third]).toEqual([333, 333, 334]);
    expect(first + second + third).toBe(1000);
  });

  it('sums a refund plan over lines and knows what is left to refund', () => {
    const lines = [
      { id: 'a', quantity: 2, refunded_quantity: 1, total: 2000 },
      { id: 'b', quantity: 1, refunded_quantity: 0, total: 990 },
    ];
    expect(refundTotal(lines, { a: 1, b: 1 })).toBe(1990);
    expect(refundTotal(lines, {})).toBe(0);
    expect(lines.map(refundable)).toEqual([1, 1]);
  });

  it('groups taxes by rate', () => {
    const lines = [
      { tax_rate_bp: 1900, tax_amount: 190, total: 1190 },
      { tax_rate_bp: 0, tax_amount: 0, total: 500 },
      { tax_rate_bp: 1900, tax_amount: 19, total: 119 },
    ];
    expect(taxesByRate(lines)).toEqual([
      { rateBp: 1900, net: 1100, tax: 209 },
      { rateBp: 0, net: 500, tax: 0 },
    ]);
  });
});
