import { describe, expect, it } from 'vitest';
import { ActionKey } from './idempotency';

describe('ActionKey', () => {
  it('keeps the key while the same body is retried, and renews it for another body or after success', () => {
    let next = 0;
    const keys = new ActionKey(() => `key-${++next}`);
    expect(keys.for({ reason: 'broken' })).toBe('key-1');
    expect(keys.for({ reason: 'broken' })).toBe('key-1');
    expect(keys.for({ reason: 'broken glass' })).toBe('key-2');
    keys.done();
    expect(keys.for({ reason: 'broken glass' })).toBe('key-3');
  });
});
