import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalesce } from './coalesce';

describe('coalesce', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('turns a burst of requests into one trailing call, and spaces calls by the interval', () => {
    const run = vi.fn();
    const refetch = coalesce(run, { intervalMs: 2_000, settleMs: 250 });
    for (let i = 0; i < 50; i += 1) refetch.request();
    vi.advanceTimersByTime(249);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(1);

    refetch.request();
    refetch.request();
    vi.advanceTimersByTime(1_999);
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('runs nothing after cancel', () => {
    const run = vi.fn();
    const refetch = coalesce(run);
    refetch.request();
    refetch.cancel();
    vi.advanceTimersByTime(10_000);
    expect(run).not.toHaveBeenCalled();
  });
});
