/** The Z report on the till, with the server's rules. */
import { describe, expect, it } from 'vitest';
import type { JournalRefund, JournalSale } from './db';
import { computeShiftReport } from './shift-report';

function sale(number: number, total: number, payments: JournalSale['payments'], shift = 's1'): JournalSale {
  return {
    id: `sale-${number}`,
    origin: 'device',
    number,
    invoice_number: `T1-${number}`,
    register_code: 'T1',
    shift_id: shift,
    cashier_id: 'c',
    cashier_name: 'Carla',
    customer_id: null,
    customer_name: null,
    tax_mode: 'inclusive',
    subtotal: total + 100,
    discount_total: 100,
    ticket_discount: 0,
    tax_total: Math.round(total * 0.16),
    total,
    paid_total: payments.reduce((s, p) => s + p.amount, 0),
    change_total: payments.reduce((s, p) => s + p.change, 0),
    refunded_total: 0,
    sold_at: new Date(0).toISOString(),
    lines: [],
    payments,
  };
}

describe('computeShiftReport', () => {
  it('expects float + cash sales − cash refunds + pay-ins − pay-outs, and counts differences', () => {
    const sales = [
      sale(2, 5_000, [{ method: 'cash', amount: 10_000, change: 5_000 }]),
      sale(1, 3_000, [
        { method: 'card', amount: 2_000, change: 0 },
        { method: 'cash', amount: 1_000, change: 0 },
      ]),
      sale(9, 9_999, [{ method: 'cash', amount: 9_999, change: 0 }], 'other-shift'),
    ];
    const refunds: JournalRefund[] = [
      {
        id: 'r',
        sale_id: 'sale-2',
        invoice_number: 'T1-2',
        shift_id: 's1',
        cashier_id: 'c',
        method: 'cash',
        reason: 'broken',
        restock: true,
        total: 1_500,
        refunded_at: '',
        lines: [],
      },
    ];
    const movements = [
      { id: 'm1', shift_id: 's1', movement: 'pay_in' as const, amount: 700, reason: 'coins', cashier_id: 'c', at: '' },
      { id: 'm2', shift_id: 's1', movement: 'pay_out' as const, amount: 200, reason: 'ice', cashier_id: 'c', at: '' },
    ];
    const report = computeShiftReport({ id: 's1', opening_float: 10_000 }, sales, refunds, movements, [{ method: 'cash', counted: 15_000 }]);
    expect(report).toMatchObject({
      sales_count: 2,
      refunds_count: 1,
      first_invoice: 'T1-1',
      last_invoice: 'T1-2',
      net_sales: 8_000,
      gross_sales: 8_200,
      discounts: 200,
      refunds_total: 1_500,
      pay_ins: 700,
      pay_outs: 200,
    });
    const cash = report.methods.find((m) => m.method === 'cash')!;
    expect(cash).toEqual({ method: 'cash', sales: 6_000, refunds: 1_500, expected: 15_000, counted: 15_000, difference: 0 });
    const card = report.methods.find((m) => m.method === 'card')!;
    expect(card).toEqual({ method: 'card', sales: 2_000, refunds: 0, expected: 2_000, counted: 2_000, difference: 0 });
    expect(computeShiftReport({ id: 's1', opening_float: 0 }, [], [], []).methods[0].counted).toBeNull();
  });
});
