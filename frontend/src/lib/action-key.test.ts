import { describe, expect, it } from 'vitest';
import { ActionKey } from './action-key';

describe('ActionKey', () => {
  it('keeps the key across retries of the same body and renews it for a new action', () => {
    let counter = 0;
    const keys = new ActionKey(() => `k${++counter}`);
    const body = { lines: [{ product_id: 'a', quantity: 2 }] };
    expect(keys.for(body)).toBe('k1');
    expect(keys.for({ lines: [{ product_id: 'a', quantity: 2 }] })).toBe('k1');
    expect(keys.for({ lines: [{ product_id: 'a', quantity: 3 }] })).toBe('k2');
    keys.done();
    expect(keys.for({ lines: [{ product_id: 'a', quantity: 3 }] })).toBe('k3');
  });
});
