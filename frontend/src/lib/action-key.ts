/**
 * One idempotency key per user action, for the POST endpoints that create money or stock facts.
 * Submitting the same body again (a retry after an error or a lost answer) reuses the key, so the
 * server replays its stored answer instead of recording the fact twice; a changed body, or
 * `done()` after a success, starts a new action with a new key.
 */
import { useRef } from 'react';
import { idempotencyKey } from '@orbit/shared/api/client';

export class ActionKey {
  private current: { fingerprint: string; key: string } | null = null;

  constructor(private readonly make: () => string = idempotencyKey) {}

  /** The key for submitting `body`: the previous one while the body is unchanged. */
  for(body: unknown): string {
    const fingerprint = JSON.stringify(body);
    if (this.current?.fingerprint !== fingerprint) this.current = { fingerprint, key: this.make() };
    return this.current.key;
  }

  /** The action succeeded: the next submit is a new action. */
  done(): void {
    this.current = null;
  }
}

/** An `ActionKey` that lives as long as the component (one per form). */
export function useActionKey(): ActionKey {
  const ref = useRef<ActionKey | null>(null);
  ref.current ??= new ActionKey();
  return ref.current;
}
