/**
 * What a cashier does, as documents: each function prices what needs pricing (`money.ts`, the
 * server's rules), builds the document the protocol defines (docs/sync.md, "Pushing documents")
 * and stores it with its journal rows through `outbox.commitDocument` — durably, before it
 * returns, so the screen shows a receipt only for what is on disk.
 *
 * Invariants:
 * - A document's journal rows (the sale to print and refund, the shift and its cash movements,
 *   the customer to pick) are written in the same transaction as the document.
 * - Sales carry the price actually charged (`unit_price`), the catalog's at the time of sale.
 * - Refunds refund what is left of a line, pro rata to the line total (`refundShare`), never more.
 */
import type { Transaction } from 'dexie';
import type {
  CashMovementDocument,
  Customer,
  CustomerDocument,
  DeviceCredential,
  JournalLine,
  JournalRefund,
  JournalSale,
  OrganizationSettings,
  OutboxEntry,
  PaymentMethod,
  PosDatabase,
  Product,
  RefundDocument,
  SaleDocument,
  ShiftCloseDocument,
  ShiftOpenDocument,
  ShiftRow,
} from './db';
import { PricingError, priceSale, refundShare, settle, type TaxMode, type Tender } from './money';
import { commitDocument } from './outbox';

export interface Actor {
  id: string;
  full_name: string;
}

export interface Till {
  db: PosDatabase;
  device: DeviceCredential;
  cashier: Actor;
  organization: OrganizationSettings;
  now?: () => Date;
  newId?: () => string;
}

export interface TicketLine {
  product: Pick<Product, 'id' | 'sku' | 'name' | 'price' | 'tax_rate_bp'>;
  quantity: number;
  discount: number;
}

export interface Ticket {
  lines: TicketLine[];
  discount: number;
  customer: Pick<Customer, 'id' | 'name'> | null;
}

export interface TenderInput extends Tender {
  method: PaymentMethod;
}

export function taxModeOf(organization: OrganizationSettings): TaxMode {
  return organization.tax_mode === 'exclusive' ? 'exclusive' : 'inclusive';
}

/** The ticket priced as the server will price it. Throws `PricingError` for impossible numbers. */
export function priceTicket(ticket: Ticket, taxMode: TaxMode) {
  return priceSale(
    ticket.lines.map((line) => ({ quantity: line.quantity, unit_price: line.product.price, tax_rate_bp: line.product.tax_rate_bp, discount: line.discount })),
    { saleDiscount: ticket.discount, taxMode },
  );
}

function commitOptions(till: Till) {
  return { deviceId: till.device.id, now: till.now, newId: till.newId };
}

/** Ring up a sale: priced, numbered, stored with its journal row; resolves with the journal sale. */
export async function recordSale(till: Till, ticket: Ticket, tenders: TenderInput[], shiftId: string | null): Promise<JournalSale> {
  const taxMode = taxModeOf(till.organization);
  const priced = priceTicket(ticket, taxMode);
  const settlement = settle(priced.total, tenders);
  let sale: JournalSale | null = null;
  await commitDocument<SaleDocument>(till.db, {
    kind: 'sale',
    journalTables: ['sales'],
    ...commitOptions(till),
    build: ({ id, seq, device_time, number }) => {
      if (number === undefined) throw new PricingError('a sale needs an invoice number', ['number']);
      const lines: JournalLine[] = ticket.lines.map((line, index) => ({
        position: index + 1,
        product_id: line.product.id,
        sku: line.product.sku,
        name: line.product.name,
        quantity: line.quantity,
        unit_price: line.product.price,
        line_discount: line.discount,
        discount: line.discount + priced.lines[index].sale_discount_share,
        tax_rate_bp: line.product.tax_rate_bp,
        tax_amount: priced.lines[index].tax_amount,
        total: priced.lines[index].total,
        refunded_quantity: 0,
      }));
      const invoice = `${till.device.register_code}-${number}`;
      sale = {
        id,
        origin: 'device',
        number,
        invoice_number: invoice,
        register_code: till.device.register_code,
        shift_id: shiftId,
        cashier_id: till.cashier.id,
        cashier_name: till.cashier.full_name,
        customer_id: ticket.customer?.id ?? null,
        customer_name: ticket.customer?.name ?? null,
        tax_mode: taxMode,
        subtotal: priced.subtotal,
        discount_total: priced.discount_total,
        ticket_discount: ticket.discount,
        tax_total: priced.tax_total,
        total: priced.total,
        paid_total: settlement.paid_total,
        change_total: settlement.change_total,
        refunded_total: 0,
        sold_at: device_time,
        lines,
        payments: settlement.tenders.map((tender) => ({ method: tender.method as PaymentMethod, amount: tender.amount, change: tender.change })),
      };
      const saved = sale;
      return {
        document: {
          kind: 'sale',
          id,
          seq,
          device_time,
          cashier_id: till.cashier.id,
          shift_id: shiftId,
          number,
          lines: ticket.lines.map((line) => ({ product_id: line.product.id, quantity: line.quantity, unit_price: line.product.price, discount: line.discount })),
          payments: tenders.map((tender) => ({ method: tender.method, amount: tender.amount, reference: '' })),
          discount: ticket.discount,
          customer_id: ticket.customer?.id ?? null,
          note: '',
        },
        label: invoice,
        amount: priced.total,
        journal: async (transaction: Transaction) => {
          await transaction.table('sales').add(saved);
        },
      };
    },
  });
  return sale!;
}

export interface RefundRequest {
  sale: JournalSale;
  lines: { position: number; quantity: number }[];
  method: PaymentMethod;
  reason: string;
  restock: boolean;
}

/** The money each requested line gives back, or a `PricingError` for more than is left. */
export function refundAmounts(sale: JournalSale, lines: RefundRequest['lines']): { position: number; quantity: number; amount: number; line: JournalLine }[] {
  return lines.map((request) => {
    const line = sale.lines.find((candidate) => candidate.position === request.position);
    if (!line) throw new PricingError('not a line of this sale', ['lines', request.position]);
    if (request.quantity < 1 || line.refunded_quantity + request.quantity > line.quantity) {
      throw new PricingError(`only ${line.quantity - line.refunded_quantity} more can be refunded`, ['lines', request.position]);
    }
    return { ...request, line, amount: refundShare(line.total, line.quantity, line.refunded_quantity, request.quantity) };
  });
}

/** Refund units of a sale (made here or fetched), stock put back when `restock`. */
export async function recordRefund(till: Till, request: RefundRequest, shiftId: string | null): Promise<JournalRefund> {
  const planned = refundAmounts(request.sale, request.lines);
  const total = planned.reduce((sum, line) => sum + line.amount, 0);
  let refund: JournalRefund | null = null;
  await commitDocument<RefundDocument>(till.db, {
    kind: 'refund',
    journalTables: ['refunds', 'sales'],
    ...commitOptions(till),
    build: ({ id, seq, device_time }) => {
      refund = {
        id,
        sale_id: request.sale.id,
        invoice_number: request.sale.invoice_number,
        shift_id: shiftId,
        cashier_id: till.cashier.id,
        method: request.method,
        reason: request.reason,
        restock: request.restock,
        total,
        refunded_at: device_time,
        lines: planned.map((line) => ({ position: line.position, product_id: line.line.product_id, name: line.line.name, quantity: line.quantity, amount: line.amount })),
      };
      const saved = refund;
      return {
        document: {
          kind: 'refund',
          id,
          seq,
          device_time,
          cashier_id: till.cashier.id,
          sale_id: request.sale.id,
          shift_id: shiftId,
          lines: request.lines.map((line) => ({ position: line.position, quantity: line.quantity })),
          method: request.method,
          reason: request.reason,
          restock: request.restock,
        },
        label: request.sale.invoice_number,
        amount: -total,
        journal: async (transaction: Transaction) => {
          await transaction.table('refunds').add(saved);
          const current = (await transaction.table('sales').get(request.sale.id)) as JournalSale | undefined;
          const base = current ?? request.sale;
          await transaction.table('sales').put({
            ...base,
            refunded_total: base.refunded_total + total,
            lines: base.lines.map((line) => {
              const refunded = planned.find((plan) => plan.position === line.position);
              return refunded ? { ...line, refunded_quantity: line.refunded_quantity + refunded.quantity } : line;
            }),
          });
        },
      };
    },
  });
  return refund!;
}

export interface NewCustomer {
  name: string;
  tax_id: string | null;
  email: string | null;
  phone: string | null;
}

/** Create a customer on the till; they can be picked at once, and are pushed before the sales naming them. */
export async function recordCustomer(till: Till, data: NewCustomer): Promise<Customer> {
  let customer: Customer | null = null;
  await commitDocument<CustomerDocument>(till.db, {
    kind: 'customer',
    journalTables: ['customers'],
    ...commitOptions(till),
    build: ({ id, seq, device_time }) => {
      customer = { id, name: data.name, tax_id: data.tax_id, email: data.email, phone: data.phone, is_active: true, pending: true };
      const saved = customer;
      return {
        document: {
          kind: 'customer',
          id,
          seq,
          device_time,
          cashier_id: till.cashier.id,
          customer: { name: data.name, tax_id: data.tax_id, email: data.email, phone: data.phone, address: '', notes: '' },
        },
        label: data.name,
        journal: async (transaction: Transaction) => {
          await transaction.table('customers').put(saved);
        },
      };
    },
  });
  return customer!;
}

export async function openShift(till: Till, openingFloat: number): Promise<ShiftRow> {
  let shift: ShiftRow | null = null;
  await commitDocument<ShiftOpenDocument>(till.db, {
    kind: 'shift_open',
    journalTables: ['shifts'],
    ...commitOptions(till),
    build: ({ id, seq, device_time }) => {
      shift = {
        id,
        register_id: till.device.register_id,
        status: 'open',
        opening_float: openingFloat,
        opened_by: till.cashier.id,
        opened_at: device_time,
        closed_by: null,
        closed_at: null,
        counts: [],
        note: '',
      };
      const saved = shift;
      return {
        document: { kind: 'shift_open', id, seq, device_time, cashier_id: till.cashier.id, opening_float: openingFloat },
        label: till.device.register_code,
        amount: openingFloat,
        journal: async (transaction: Transaction) => {
          await transaction.table('shifts').add(saved);
        },
      };
    },
  });
  return shift!;
}

export async function recordCashMovement(till: Till, shift: ShiftRow, movement: 'pay_in' | 'pay_out', amount: number, reason: string): Promise<void> {
  await commitDocument<CashMovementDocument>(till.db, {
    kind: 'cash_movement',
    journalTables: ['cash_movements'],
    ...commitOptions(till),
    build: ({ id, seq, device_time }) => ({
      document: { kind: 'cash_movement', id, seq, device_time, cashier_id: till.cashier.id, shift_id: shift.id, movement, amount, reason },
      label: reason,
      amount: movement === 'pay_in' ? amount : -amount,
      journal: async (transaction: Transaction) => {
        await transaction.table('cash_movements').add({ id, shift_id: shift.id, movement, amount, reason, cashier_id: till.cashier.id, at: device_time });
      },
    }),
  });
}

export async function closeShift(till: Till, shift: ShiftRow, counts: { method: PaymentMethod; counted: number }[], note: string): Promise<ShiftRow> {
  let closed: ShiftRow | null = null;
  await commitDocument<ShiftCloseDocument>(till.db, {
    kind: 'shift_close',
    journalTables: ['shifts'],
    ...commitOptions(till),
    build: ({ id, seq, device_time }) => {
      closed = { ...shift, status: 'closed', closed_by: till.cashier.id, closed_at: device_time, counts, note };
      const saved = closed;
      return {
        document: { kind: 'shift_close', id, seq, device_time, cashier_id: till.cashier.id, shift_id: shift.id, counts, note },
        label: till.device.register_code,
        journal: async (transaction: Transaction) => {
          await transaction.table('shifts').put(saved);
        },
      };
    },
  });
  return closed!;
}

/**
 * Stock moves the server does not know yet: what unsettled sales took and unsettled refunds put
 * back, per product. The till shows the server's stock plus these.
 */
export async function pendingStockDeltas(db: PosDatabase, unsettled: readonly OutboxEntry[]): Promise<Map<string, number>> {
  const deltas = new Map<string, number>();
  const add = (productId: string, delta: number) => deltas.set(productId, (deltas.get(productId) ?? 0) + delta);
  const refundIds: string[] = [];
  for (const entry of unsettled) {
    if (entry.document.kind === 'sale') for (const line of entry.document.lines) add(line.product_id, -line.quantity);
    if (entry.document.kind === 'refund' && entry.document.restock) refundIds.push(entry.id);
  }
  for (const refund of await db.refunds.bulkGet(refundIds)) for (const line of refund?.lines ?? []) add(line.product_id, line.quantity);
  return deltas;
}

/** After the server answered: sales it renumbered keep the new number; pushed customers stop being pending. */
export async function settleJournal(db: PosDatabase, entries: readonly OutboxEntry[]): Promise<void> {
  await db.transaction('rw', [db.sales, db.customers], async () => {
    for (const entry of entries) {
      if (entry.state !== 'acknowledged') continue;
      if (entry.kind === 'sale' && entry.result?.invoice_number) {
        const sale = await db.sales.get(entry.id);
        if (sale && sale.invoice_number !== entry.result.invoice_number) await db.sales.update(entry.id, { server_invoice_number: entry.result.invoice_number });
      }
      if (entry.kind === 'customer') await db.customers.update(entry.id, { pending: false });
    }
  });
}
