/**
 * A sale read from the server (`SaleRead`), as the till's journal keeps it, so that sales made on
 * this register online or by another device can be reprinted and refunded offline later. Product
 * names come from the pulled catalog (the sale names only its products' ids).
 */
import type { Schemas } from '@orbit/shared/api/client';
import type { JournalSale } from '../offline/db';
import type { ProductIndex } from '../offline/search';

export function saleFromServer(
  sale: Schemas['SaleRead'],
  { products, cashierName, customerName, registerCode }: { products: Pick<ProductIndex, 'get'>; cashierName: string; customerName: string | null; registerCode: string },
): JournalSale {
  return {
    id: sale.id,
    origin: 'server',
    number: sale.number,
    invoice_number: sale.invoice_number,
    register_code: registerCode,
    shift_id: sale.shift_id,
    cashier_id: sale.cashier_id,
    cashier_name: cashierName,
    customer_id: sale.customer_id,
    customer_name: customerName,
    tax_mode: sale.tax_mode,
    subtotal: sale.subtotal,
    discount_total: sale.discount_total,
    // The server keeps each line's discount together with its share of the ticket's, so the
    // ticket's own can't be told apart: receipts of fetched sales show the lines' discounts.
    ticket_discount: 0,
    tax_total: sale.tax_total,
    total: sale.total,
    paid_total: sale.paid_total,
    change_total: sale.change_total,
    refunded_total: sale.refunded_total,
    sold_at: sale.sold_at,
    lines: sale.lines.map((line) => {
      const product = products.get(line.product_id);
      return {
        position: line.position,
        product_id: line.product_id,
        sku: product?.sku ?? '',
        name: product?.name ?? line.product_id.slice(0, 8),
        quantity: line.quantity,
        unit_price: line.unit_price,
        discount: line.discount,
        line_discount: line.discount,
        tax_rate_bp: line.tax_rate_bp,
        tax_amount: line.tax_amount,
        total: line.total,
        refunded_quantity: line.refunded_quantity,
      };
    }),
    payments: sale.payments.map((payment) => ({ method: payment.method, amount: payment.amount, change: payment.change })),
  };
}
