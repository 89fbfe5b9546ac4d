import { describe, expect, it } from 'vitest';
import { diffSnapshots, displayValue, flatten } from './audit-diff';

describe('audit diff', () => {
  it('marks changed, unchanged, added and removed fields', () => {
    const rows = diffSnapshots(
      { email: 'a@example.com', role: 'cashier', is_active: true, legacy: 'x' },
      { email: 'a@example.com', role: 'manager', is_active: true, password_changed: false },
    );
    expect(rows).toEqual([
      { path: 'email', kind: 'unchanged', before: 'a@example.com', after: 'a@example.com' },
      { path: 'role', kind: 'changed', before: 'cashier', after: 'manager' },
      { path: 'is_active', kind: 'unchanged', before: true, after: true },
      { path: 'legacy', kind: 'removed', before: 'x' },
      { path: 'password_changed', kind: 'added', after: false },
    ]);
  });

  it('treats a creation as all added and a deletion as all removed', () => {
    expect(diffSnapshots(null, { name: 'C1' })).toEqual([{ path: 'name', kind: 'added', after: 'C1' }]);
    expect(diffSnapshots({ name: 'C1' }, null)).toEqual([{ path: 'name', kind: 'removed', before: 'C1' }]);
    expect(diffSnapshots(null, null)).toEqual([]);
  });

  it('looks inside nested objects and compares arrays whole', () => {
    expect(flatten({ a: { b: 1, c: { d: 2 } }, e: {}, f: [1, 2] })).toEqual(
      new Map<string, unknown>([
        ['a.b', 1],
        ['a.c.d', 2],
        ['e', {}],
        ['f', [1, 2]],
      ]),
    );
    const rows = diffSnapshots({ totals: { net: 100, tax: 19 }, lines: [1] }, { totals: { net: 120, tax: 19 }, lines: [1] });
    expect(rows.filter((row) => row.kind !== 'unchanged')).toEqual([{ path: 'totals.net', kind: 'changed', before: 100, after: 120 }]);
  });

  it('shows values as text', () => {
    expect(displayValue('manager')).toBe('manager');
    expect(displayValue(true)).toBe('true');
    expect(displayValue(null)).toBe('null');
    expect(displayValue(['a'])).toBe('["a"]');
    expect(displayValue(undefined)).toBe('');
  });
});
