/**
 * The ticket being rung up, as a pure reducer: lines (product, quantity, line discount), the
 * ticket's discount and its customer. Scanning a product already on the ticket without a
 * discount adds one to that line; discounts are kept within what the server accepts (a line's at
 * most its amount, the ticket's at most the lines' after their own).
 */
import type { Customer, Product } from '../../offline/db';

export const MAX_QUANTITY = 1_000_000;

export interface TicketLineState {
  key: string;
  product: Product;
  quantity: number;
  discount: number;
}

export interface TicketState {
  lines: TicketLineState[];
  discount: number;
  customer: Pick<Customer, 'id' | 'name'> | null;
  /** The key of the line touched last (highlighted; + and − act on it). */
  last: string | null;
  serial: number;
}

export const EMPTY_TICKET: TicketState = { lines: [], discount: 0, customer: null, last: null, serial: 0 };

export type TicketAction =
  | { type: 'add'; product: Product; quantity?: number }
  | { type: 'quantity'; key: string; quantity: number }
  | { type: 'lineDiscount'; key: string; discount: number }
  | { type: 'remove'; key: string }
  | { type: 'discount'; discount: number }
  | { type: 'customer'; customer: Pick<Customer, 'id' | 'name'> | null }
  | { type: 'clear' };

function lineAmount(line: Pick<TicketLineState, 'quantity' | 'product'>): number {
  return line.quantity * line.product.price;
}

/** What the ticket discount may be at most: the lines' amounts after their own discounts. */
export function maxTicketDiscount(lines: readonly TicketLineState[]): number {
  return lines.reduce((sum, line) => sum + lineAmount(line) - line.discount, 0);
}

function clampLines(lines: TicketLineState[]): TicketLineState[] {
  return lines.map((line) => (line.discount > lineAmount(line) ? { ...line, discount: lineAmount(line) } : line));
}

function withLines(state: TicketState, lines: TicketLineState[], last: string | null): TicketState {
  const clamped = clampLines(lines);
  return { ...state, lines: clamped, discount: Math.min(state.discount, maxTicketDiscount(clamped)), last };
}

export function ticketReducer(state: TicketState, action: TicketAction): TicketState {
  switch (action.type) {
    case 'add': {
      const quantity = action.quantity ?? 1;
      const same = state.lines.find((line) => line.product.id === action.product.id && line.discount === 0);
      if (same) {
        const lines = state.lines.map((line) => (line === same ? { ...line, quantity: Math.min(MAX_QUANTITY, line.quantity + quantity) } : line));
        return withLines(state, lines, same.key);
      }
      const key = `${action.product.id}:${state.serial}`;
      return { ...withLines(state, [...state.lines, { key, product: action.product, quantity, discount: 0 }], key), serial: state.serial + 1 };
    }
    case 'quantity': {
      if (action.quantity <= 0) return ticketReducer(state, { type: 'remove', key: action.key });
      const quantity = Math.min(MAX_QUANTITY, Math.floor(action.quantity));
      return withLines(
        state,
        state.lines.map((line) => (line.key === action.key ? { ...line, quantity } : line)),
        action.key,
      );
    }
    case 'lineDiscount':
      return withLines(
        state,
        state.lines.map((line) => (line.key === action.key ? { ...line, discount: Math.max(0, Math.floor(action.discount)) } : line)),
        action.key,
      );
    case 'remove': {
      const lines = state.lines.filter((line) => line.key !== action.key);
      return withLines(state, lines, lines.at(-1)?.key ?? null);
    }
    case 'discount':
      return { ...state, discount: Math.min(Math.max(0, Math.floor(action.discount)), maxTicketDiscount(state.lines)) };
    case 'customer':
      return { ...state, customer: action.customer };
    case 'clear':
      return { ...EMPTY_TICKET, serial: state.serial };
  }
}
