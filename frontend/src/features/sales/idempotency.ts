/**
 * One idempotency key per user action (brief: keep it across retries of the same submit, a new
 * one for the next action). Submitting the same body again reuses the key, so a retry after a
 * lost answer replays the stored result instead of refunding twice; a changed body, or
 * `done()` after success, starts a new action with a new key.
 */
import { useRef } from 'react';
import { idempotencyKey } from '@orbit/shared/api/client';

export class ActionKey {
  private current: { fingerprint: string; key: string } | null = null;

  constructor(private readonly make: () => string = idempotencyKey) {}

  /** The key for submitting `body`: the previous one if the body is unchanged. */
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

export function useActionKey(): ActionKey {
  const ref = useRef<ActionKey | null>(null);
  ref.current ??= new ActionKey();
  return ref.current;
}
