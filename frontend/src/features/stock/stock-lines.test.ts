import { describe, expect, it } from 'vitest';
import { countDifference, countSummary, linesReducer, parseQuantity, serverLineErrors, stockBody, type StockLine } from './stock-lines';

const product = (id: string, stock = 10) => ({ id, name: `P ${id}`, sku: `S-${id}`, unit: 'unit', stock });
const line = (productId: string, stock: number, quantity: string): StockLine => ({ productId, name: productId, sku: productId, unit: 'unit', stock, quantity });

describe('linesReducer', () => {
  it('never lists a product twice: a receipt adds a unit, a count keeps its line', () => {
    const receipt = linesReducer('receipt');
    let lines = receipt([], { type: 'add', product: product('a') });
    lines = receipt(lines, { type: 'add', product: product('a') });
    expect(lines).toHaveLength(1);
    expect(lines[0].quantity).toBe('2');

    const count = linesReducer('count');
    let counted = count([], { type: 'add', product: product('a') });
    counted = count(counted, { type: 'set', productId: 'a', quantity: '7' });
    const again = count(counted, { type: 'add', product: product('a') });
    expect(again).toBe(counted);
    expect(again[0].quantity).toBe('7');
  });

  it('keeps the expected stock live and removes lines', () => {
    const reduce = linesReducer('count');
    const lines = [line('a', 5, '3'), line('b', 2, '2')];
    const updated = reduce(lines, { type: 'stock', stock: new Map([['a', 4]]) });
    expect(updated.map((entry) => entry.stock)).toEqual([4, 2]);
    expect(reduce(updated, { type: 'stock', stock: new Map([['z', 1]]) })).toBe(updated);
    expect(reduce(updated, { type: 'remove', productId: 'a' }).map((entry) => entry.productId)).toEqual(['b']);
  });
});

describe('counts', () => {
  it('shows counted minus expected and sums the differences', () => {
    expect(countDifference(line('a', 10, '7'))).toBe(-3);
    expect(countDifference(line('a', 10, ''))).toBeNull();
    expect(countSummary([line('a', 10, '7'), line('b', 4, '4'), line('c', 1, '3'), line('d', 1, 'x')])).toEqual({ products: 4, differing: 2, net: -1 });
  });
});

describe('stockBody', () => {
  it('makes each kind’s body', () => {
    expect(stockBody('receipt', [line('a', 0, '5')], ' Proveedor ', false)).toEqual({
      ok: true,
      document: { kind: 'receipt', body: { lines: [{ product_id: 'a', quantity: 5 }], reason: 'Proveedor' } },
    });
    expect(stockBody('adjustment', [line('a', 5, '−2')], 'Broken', false)).toMatchObject({
      ok: true,
      document: { body: { lines: [{ product_id: 'a', delta: -2 }] } },
    });
    expect(stockBody('count', [line('a', 5, '0')], '', false)).toMatchObject({ ok: true, document: { body: { lines: [{ product_id: 'a', counted: 0 }] } } });
  });

  it('names each bad line', () => {
    const result = stockBody('adjustment', [line('a', 1, '0'), line('b', 1, '-2'), line('c', 1, 'x'), line('d', 1, '+1')], 'r', false);
    expect(result).toEqual({
      ok: false,
      empty: false,
      lines: new Map([
        ['a', 'nonZero'],
        ['b', 'belowZero'],
        ['c', 'wholeNumber'],
      ]),
    });
    expect(stockBody('adjustment', [line('b', 1, '-2')], 'r', true).ok).toBe(true);
    expect(stockBody('receipt', [line('a', 1, '0')], '', false)).toMatchObject({ ok: false, lines: new Map([['a', 'positive']]) });
    expect(stockBody('count', [], '', false)).toEqual({ ok: false, empty: true, lines: new Map() });
  });

  it('reads typed quantities', () => {
    expect(parseQuantity(' +3 ')).toBe(3);
    expect(parseQuantity('1.5')).toBeNull();
  });
});

describe('serverLineErrors', () => {
  it('places errors by line position or by product', () => {
    const lines = [{ productId: 'a' }, { productId: 'b' }];
    const errors = [
      { loc: ['body', 'lines', 1, 'product_id'], msg: 'counted twice' },
      { loc: ['product', 'a'], msg: 'requested 5, in stock 2' },
      { loc: ['body', 'reason'], msg: 'too short' },
    ];
    expect(serverLineErrors(errors, lines)).toEqual(
      new Map([
        ['b', 'counted twice'],
        ['a', 'requested 5, in stock 2'],
      ]),
    );
  });
});
