/** The ticket reducer and the scanner's burst detection. */
import { describe, expect, it } from 'vitest';
import { product } from '../../offline/test-support';
import { WedgeDetector } from './scanner';
import { EMPTY_TICKET, maxTicketDiscount, ticketReducer, type TicketAction } from './ticket-state';

function run(...actions: TicketAction[]) {
  return actions.reduce(ticketReducer, EMPTY_TICKET);
}

describe('ticketReducer', () => {
  const milk = product({ price: 1_000 });
  const bread = product({ price: 500 });

  it('adds a scanned product to its line, or a new line when that one has a discount', () => {
    let state = run({ type: 'add', product: milk }, { type: 'add', product: milk }, { type: 'add', product: bread });
    expect(state.lines.map((l) => [l.product.id, l.quantity])).toEqual([
      [milk.id, 2],
      [bread.id, 1],
    ]);
    state = ticketReducer(state, { type: 'lineDiscount', key: state.lines[0].key, discount: 300 });
    state = ticketReducer(state, { type: 'add', product: milk });
    expect(state.lines).toHaveLength(3);
    expect(state.last).toBe(state.lines[2].key);
  });

  it('keeps discounts within what the server accepts, also after quantities drop', () => {
    let state = run({ type: 'add', product: milk, quantity: 3 }, { type: 'add', product: bread });
    state = ticketReducer(state, { type: 'lineDiscount', key: state.lines[0].key, discount: 2_500 });
    state = ticketReducer(state, { type: 'discount', discount: 99_999 });
    expect(state.discount).toBe(1_000);
    state = ticketReducer(state, { type: 'quantity', key: state.lines[0].key, quantity: 2 });
    expect(state.lines[0].discount).toBe(2_000);
    expect(state.discount).toBe(500);
    expect(maxTicketDiscount(state.lines)).toBe(500);
    state = ticketReducer(state, { type: 'quantity', key: state.lines[0].key, quantity: 0 });
    expect(state.lines.map((l) => l.product.id)).toEqual([bread.id]);
  });

  it('clears everything but keeps keys unique', () => {
    const state = run({ type: 'add', product: milk }, { type: 'customer', customer: { id: 'c', name: 'Ana' } }, { type: 'clear' }, { type: 'add', product: milk });
    expect(state.customer).toBeNull();
    expect(state.lines[0].key).toBe(`${milk.id}:1`);
  });
});

describe('WedgeDetector', () => {
  it('takes a fast burst ending in Enter as a scan, and people typing as typing', () => {
    const scanner = new WedgeDetector();
    const burst = (code: string, start: number, gap: number) => [...code].map((key, i) => scanner.key(key, start + i * gap));
    burst('7801234', 1_000, 8);
    expect(scanner.key('Enter', 1_000 + 7 * 8)).toBe('7801234');
    burst('7801234', 5_000, 150);
    expect(scanner.key('Enter', 5_000 + 7 * 150)).toBeNull();
    burst('78', 9_000, 5);
    expect(scanner.key('Enter', 9_010)).toBeNull();
    expect(scanner.key('Shift', 9_020)).toBeNull();
    // A loaded page may delay one key; the burst still reads as a scan.
    burst('78012', 20_000, 5);
    scanner.key('3', 20_200);
    expect(scanner.key('Enter', 20_205)).toBe('780123');
  });
});
