/**
 * The POS's IndexedDB (Dexie 4): everything the till needs to sell with the network gone, and
 * everything it did that the server has not settled yet. One database per origin, and the origin
 * is the shop's host, so one database per shop.
 *
 * Stores:
 * - `meta`: one row per key (`MetaValues`): the device, the catalog cursor, the organization's
 *   settings, the counters that number documents and invoices, the PIN lockout, the clock.
 * - `devices`: the device credentials this till pushes with — its own, and those of queues
 *   imported from another till (`queue-file.ts`).
 * - `products`, `categories`, `customers`, `cashiers`, `registers`: the pulled catalog
 *   (`catalog.ts`), plus customers created here and not pushed yet.
 * - `outbox`: the documents, keyed by `[device_id+seq]` (`outbox.ts` states their life).
 * - `sales`, `refunds`, `shifts`, `cash_movements`: the till's journal, what receipts, refunds
 *   and the Z report are computed from; written in the same transaction as their document.
 *
 * Invariant: a document and its journal rows are written in one `strict`-durability transaction
 * (committed to disk before the receipt shows), together with the counters they consumed.
 */
import Dexie, { type EntityTable, type Table } from 'dexie';
import type { Schemas } from '@orbit/shared/api/client';

export type OrganizationSettings = Schemas['OrganizationSync'];
export type Product = Schemas['ProductSync'];
export type Category = Schemas['CategorySync'];
export type Cashier = Schemas['CashierSync'];
export type RegisterRow = Schemas['RegisterSync'];
export type DocumentResult = Schemas['DocumentResult'];
export type PaymentMethod = Schemas['PaymentCreate']['method'];

export type SaleDocument = Schemas['SaleDocument'];
export type RefundDocument = Schemas['RefundDocument'];
export type CustomerDocument = Schemas['CustomerDocument'];
export type ShiftOpenDocument = Schemas['ShiftOpenDocument'];
export type ShiftCloseDocument = Schemas['ShiftCloseDocument'];
export type CashMovementDocument = Schemas['CashMovementDocument'];
export type WireDocument = SaleDocument | RefundDocument | CustomerDocument | ShiftOpenDocument | ShiftCloseDocument | CashMovementDocument;
export type DocumentKind = WireDocument['kind'];

/** A customer as the till knows it; `pending` until the server has its document. */
type CustomerSync = Schemas['CustomerSync'];

export interface Customer extends CustomerSync {
  pending?: boolean;
}

/**
 * Where a document stands (POS-Awesome's shape): `pending` → `syncing` → `acknowledged`, or
 * `retrying` after a transient failure, or `dead_letter` when the server rejected it.
 */
export type OutboxState = 'pending' | 'syncing' | 'retrying' | 'acknowledged' | 'dead_letter';
export type Outcome = 'applied' | 'applied_with_conflict' | 'rejected';

export interface OutboxEntry {
  device_id: string;
  seq: number;
  id: string;
  kind: DocumentKind;
  /** Exactly what is sent, every time: a resend must be byte-for-byte the same document. */
  document: WireDocument;
  state: OutboxState;
  attempts: number;
  created_at: number;
  updated_at: number;
  /** Set while `retrying`: not sent again before this instant (epoch ms). */
  next_attempt_at?: number;
  /** The last transient failure, for the queue screen. */
  last_error?: string;
  /** The server's answer, once final. */
  result?: DocumentResult;
  outcome?: Outcome;
  /** What the queue screen shows: an invoice number, a customer's name… and an amount. */
  label: string;
  amount?: number;
}

/** A device this till pushes for: its own (`own`), or one whose queue was imported. */
export interface DeviceCredential {
  id: string;
  credential: string;
  register_id: string;
  register_code: string;
  name: string;
  own: boolean;
}

export interface JournalLine {
  position: number;
  product_id: string;
  sku: string;
  name: string;
  quantity: number;
  unit_price: number;
  /** The line's own discount plus its share of the ticket discount (as the server stores it). */
  discount: number;
  line_discount: number;
  tax_rate_bp: number;
  tax_amount: number;
  total: number;
  refunded_quantity: number;
}

export interface JournalPayment {
  method: PaymentMethod;
  amount: number;
  change: number;
}

/** A sale the till can print and refund: made here (`device`) or fetched from the server (`server`). */
export interface JournalSale {
  id: string;
  origin: 'device' | 'server';
  number: number;
  invoice_number: string;
  register_code: string;
  shift_id: string | null;
  cashier_id: string;
  cashier_name: string;
  customer_id: string | null;
  customer_name: string | null;
  tax_mode: 'inclusive' | 'exclusive';
  subtotal: number;
  discount_total: number;
  ticket_discount: number;
  tax_total: number;
  total: number;
  paid_total: number;
  change_total: number;
  refunded_total: number;
  sold_at: string;
  lines: JournalLine[];
  payments: JournalPayment[];
  /** The number the server gave when this one collided (`number_collision`). */
  server_invoice_number?: string;
}

export interface JournalRefund {
  id: string;
  sale_id: string;
  invoice_number: string;
  shift_id: string | null;
  cashier_id: string;
  method: PaymentMethod;
  reason: string;
  restock: boolean;
  total: number;
  refunded_at: string;
  lines: { position: number; product_id: string; name: string; quantity: number; amount: number }[];
}

export interface CountedAmountRow {
  method: PaymentMethod;
  counted: number;
}

export interface ShiftRow {
  id: string;
  register_id: string;
  status: 'open' | 'closed';
  opening_float: number;
  opened_by: string;
  opened_at: string;
  closed_by: string | null;
  closed_at: string | null;
  counts: CountedAmountRow[];
  note: string;
  /** Opened elsewhere (the web app, another till) and continued here: its float came from the server. */
  adopted?: boolean;
  /** The server's Z report once it answered (reconciliation of the local one). */
  server_report?: Schemas['ShiftReport'];
}

export interface CashMovementRow {
  id: string;
  shift_id: string;
  movement: 'pay_in' | 'pay_out';
  amount: number;
  reason: string;
  cashier_id: string;
  at: string;
}

export interface Counters {
  /** The next device sequence number (`seq`): 1, 2, 3… across every kind, never reused. */
  next_seq: number;
  /** The next invoice number of the register's series. */
  next_number: number;
}

export interface Lockout {
  failures: number;
  locked_until: number;
}

export interface ClockState {
  /** Server time minus device time, in milliseconds (positive: the device is behind). */
  skew_ms: number;
  measured_at: number;
}

/** The till session: who signed this browser in (their access token stays in memory). */
export interface TillUser {
  id: string;
  full_name: string;
  role: string;
}

export interface MetaValues {
  device: DeviceCredential;
  cursor: string;
  organization: OrganizationSettings;
  counters: Counters;
  lockout: Lockout;
  clock: ClockState;
  till_user: TillUser;
  last_pull_at: number;
  /** The server's settled sequence per device (the last answer's `last_seq`). */
  server_last_seq: Record<string, number>;
  persistence: 'granted' | 'denied' | 'unsupported';
  /** The device was revoked (or its credential refused): the message to show until set up again. */
  device_refused: { code: string; message: string; at: number };
}

export type MetaKey = keyof MetaValues;

interface MetaRow {
  key: MetaKey;
  value: unknown;
}

export const DATABASE_NAME = 'orbit-pos';

export class PosDatabase extends Dexie {
  meta!: Table<MetaRow, MetaKey>;
  devices!: EntityTable<DeviceCredential, 'id'>;
  products!: EntityTable<Product, 'id'>;
  categories!: EntityTable<Category, 'id'>;
  customers!: EntityTable<Customer, 'id'>;
  cashiers!: EntityTable<Cashier, 'id'>;
  registers!: EntityTable<RegisterRow, 'id'>;
  outbox!: Table<OutboxEntry, [string, number]>;
  sales!: EntityTable<JournalSale, 'id'>;
  refunds!: EntityTable<JournalRefund, 'id'>;
  shifts!: EntityTable<ShiftRow, 'id'>;
  cash_movements!: EntityTable<CashMovementRow, 'id'>;

  constructor(name = DATABASE_NAME) {
    // Strict durability: a committed transaction is on disk, so a receipt never shows for a sale
    // a power cut could still lose.
    super(name, { chromeTransactionDurability: 'strict' });
    // Version 1 indexed products by barcode and SKU; the till looks them up in memory
    // (`search.ts`), and a cold pull writes 25,000 products faster without those indexes.
    this.version(2).stores({ products: 'id' });
    this.version(1).stores({
      meta: 'key',
      devices: 'id',
      products: 'id, barcode, sku',
      categories: 'id',
      customers: 'id, name',
      cashiers: 'id',
      registers: 'id',
      outbox: '[device_id+seq], &id, state',
      sales: 'id, invoice_number, shift_id, sold_at',
      refunds: 'id, sale_id, shift_id',
      shifts: 'id, status',
      cash_movements: 'id, shift_id',
    });
  }

  async getMeta<K extends MetaKey>(key: K): Promise<MetaValues[K] | undefined> {
    const row = await this.meta.get(key);
    return row?.value as MetaValues[K] | undefined;
  }

  async setMeta<K extends MetaKey>(key: K, value: MetaValues[K]): Promise<void> {
    await this.meta.put({ key, value });
  }

  async deleteMeta(key: MetaKey): Promise<void> {
    await this.meta.delete(key);
  }
}

/** Errors after which the connection is gone but a fresh one may work (WebKit drops idle ones). */
const RECONNECTABLE = new Set(['DatabaseClosedError', 'InvalidStateError', 'UnknownError', 'TransactionInactiveError']);

/**
 * Run `work` against the database, reopening it once when the browser dropped the connection
 * under it. Safe for writes: a transaction that failed that way committed nothing.
 */
export async function withDatabase<T>(db: PosDatabase, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const name = (error as { name?: string } | null)?.name ?? '';
    const inner = (error as { inner?: { name?: string } } | null)?.inner?.name ?? '';
    if (!RECONNECTABLE.has(name) && !RECONNECTABLE.has(inner)) throw error;
    if (db.isOpen()) db.close({ disableAutoOpen: false });
    await db.open();
    return work();
  }
}
