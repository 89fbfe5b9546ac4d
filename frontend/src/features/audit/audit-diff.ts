/**
 * What an audit entry changed: its `before` and `after` snapshots compared field by field.
 * Nested objects are flattened into dotted paths (`address.city`), so a change deep inside shows
 * as the one field it is; arrays and other values compare by their JSON. Rows come in the order
 * of the fields' first appearance (before, then the fields only after has).
 */
export type DiffKind = 'changed' | 'added' | 'removed' | 'unchanged';

export interface DiffRow {
  path: string;
  kind: DiffKind;
  before?: unknown;
  after?: unknown;
}

type Snapshot = Record<string, unknown> | null | undefined;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{a: {b: 1}, c: 2}` → `[['a.b', 1], ['c', 2]]`; an empty object stays a value. */
export function flatten(snapshot: Snapshot, prefix = ''): Map<string, unknown> {
  const fields = new Map<string, unknown>();
  for (const [key, value] of Object.entries(snapshot ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(value) && Object.keys(value).length > 0) for (const [inner, innerValue] of flatten(value, path)) fields.set(inner, innerValue);
    else fields.set(path, value);
  }
  return fields;
}

export function diffSnapshots(before: Snapshot, after: Snapshot): DiffRow[] {
  const old = flatten(before);
  const now = flatten(after);
  const rows: DiffRow[] = [];
  for (const [path, value] of old) {
    if (!now.has(path)) rows.push({ path, kind: 'removed', before: value });
    else {
      const next = now.get(path);
      rows.push({ path, kind: JSON.stringify(value) === JSON.stringify(next) ? 'unchanged' : 'changed', before: value, after: next });
    }
  }
  for (const [path, value] of now) if (!old.has(path)) rows.push({ path, kind: 'added', after: value });
  return rows;
}

/** A snapshot value as text: strings as they are, everything else as JSON. */
export function displayValue(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
