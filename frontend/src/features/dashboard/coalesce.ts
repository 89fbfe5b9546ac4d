/**
 * Coalesced refetches: many requests in a burst of events become one call, at most one per
 * `intervalMs`, run at the end of the wait (trailing), so the call sees every change the burst
 * asked about. The first request after a quiet period runs after `settleMs` only.
 *
 * Invariant: `run` is never called twice within `intervalMs`, and a request is never dropped:
 * one made while a call is pending is served by that call or by the next one.
 */
export interface Coalescer {
  request(): void;
  cancel(): void;
}

export function coalesce(
  run: () => void,
  { intervalMs = 2_000, settleMs = 250, now = () => Date.now() }: { intervalMs?: number; settleMs?: number; now?: () => number } = {},
): Coalescer {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastRun = -Infinity;
  return {
    request() {
      if (timer !== undefined) return;
      const wait = Math.max(settleMs, lastRun + intervalMs - now());
      timer = setTimeout(() => {
        timer = undefined;
        lastRun = now();
        run();
      }, wait);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
