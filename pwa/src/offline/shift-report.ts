/**
 * The Z report of a shift (an X report while it is open), computed on the till from its journal
 * with the server's rules (`sales.shifts._shift_figures`): net sales per payment method are
 * tenders minus change; the refunds made in the shift are subtracted per refund method; cash
 * also expects the float plus pay-ins minus pay-outs. A method not counted at close counts as
 * expected. Once online, the server's own report replaces it (`ShiftRow.server_report`).
 */
import type { CashMovementRow, CountedAmountRow, JournalRefund, JournalSale, PaymentMethod, ShiftRow } from './db';

export const PAYMENT_METHODS: readonly PaymentMethod[] = ['cash', 'card', 'transfer', 'other'];

export interface MethodFigures {
  method: PaymentMethod;
  sales: number;
  refunds: number;
  expected: number;
  counted: number | null;
  difference: number | null;
}

export interface LocalShiftReport {
  sales_count: number;
  refunds_count: number;
  first_invoice: string | null;
  last_invoice: string | null;
  gross_sales: number;
  discounts: number;
  taxes: number;
  net_sales: number;
  refunds_total: number;
  pay_ins: number;
  pay_outs: number;
  methods: MethodFigures[];
}

export function computeShiftReport(
  shift: Pick<ShiftRow, 'id' | 'opening_float'>,
  sales: readonly JournalSale[],
  refunds: readonly JournalRefund[],
  movements: readonly CashMovementRow[],
  counts: readonly CountedAmountRow[] = [],
): LocalShiftReport {
  const inShift = sales.filter((sale) => sale.shift_id === shift.id).sort((a, b) => a.number - b.number);
  const refundsInShift = refunds.filter((refund) => refund.shift_id === shift.id);
  const ofShift = movements.filter((movement) => movement.shift_id === shift.id);
  const sum = <T>(rows: readonly T[], value: (row: T) => number) => rows.reduce((total, row) => total + value(row), 0);
  const payIns = sum(
    ofShift.filter((m) => m.movement === 'pay_in'),
    (m) => m.amount,
  );
  const payOuts = sum(
    ofShift.filter((m) => m.movement === 'pay_out'),
    (m) => m.amount,
  );
  const counted = new Map(counts.map((count) => [count.method, count.counted]));
  const methods = PAYMENT_METHODS.map((method): MethodFigures => {
    const salesOf = sum(inShift, (sale) =>
      sum(
        sale.payments.filter((p) => p.method === method),
        (p) => p.amount - p.change,
      ),
    );
    const refundsOf = sum(
      refundsInShift.filter((refund) => refund.method === method),
      (refund) => refund.total,
    );
    const expected = salesOf - refundsOf + (method === 'cash' ? shift.opening_float + payIns - payOuts : 0);
    const count = counts.length ? (counted.get(method) ?? expected) : null;
    return { method, sales: salesOf, refunds: refundsOf, expected, counted: count, difference: count === null ? null : count - expected };
  });
  return {
    sales_count: inShift.length,
    refunds_count: refundsInShift.length,
    first_invoice: inShift[0]?.invoice_number ?? null,
    last_invoice: inShift.at(-1)?.invoice_number ?? null,
    gross_sales: sum(inShift, (sale) => sale.subtotal),
    discounts: sum(inShift, (sale) => sale.discount_total),
    taxes: sum(inShift, (sale) => sale.tax_total),
    net_sales: sum(inShift, (sale) => sale.total),
    refunds_total: sum(refundsInShift, (refund) => refund.total),
    pay_ins: payIns,
    pay_outs: payOuts,
    methods,
  };
}
