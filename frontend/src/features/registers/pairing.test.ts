import { describe, expect, it } from 'vitest';
import { formatCountdown, newDeviceOn, pairingDeadline, PAIRING_CODE_LIFETIME_MS } from './pairing';

describe('pairing countdown', () => {
  const received = Date.parse('2026-03-10T12:00:00Z');

  it('ends at the server’s expiry', () => {
    expect(pairingDeadline('2026-03-10T12:09:58Z', received)).toBe(Date.parse('2026-03-10T12:09:58Z'));
  });

  it('never runs longer than the code lives, whatever the browser’s clock says', () => {
    // The browser's clock is five minutes late: the server's expiry looks 15 minutes away.
    expect(pairingDeadline('2026-03-10T12:15:00Z', received)).toBe(received + PAIRING_CODE_LIFETIME_MS);
  });

  it('reads as minutes and seconds, rounding up and stopping at zero', () => {
    expect(formatCountdown(600_000)).toBe('10:00');
    expect(formatCountdown(59_001)).toBe('1:00');
    expect(formatCountdown(9_000)).toBe('0:09');
    expect(formatCountdown(-5_000)).toBe('0:00');
  });
});

describe('a paired device', () => {
  const device = (id: string, register_id: string, revoked_at: string | null = null) => ({ id, register_id, revoked_at });

  it('is an active device of the register that was not known when the code was made', () => {
    const known = new Set(['old']);
    expect(newDeviceOn([device('old', 'r1')], 'r1', known)).toBeUndefined();
    expect(newDeviceOn([device('old', 'r1', '2026-03-10T12:01:00Z'), device('new', 'r2')], 'r1', known)).toBeUndefined();
    expect(newDeviceOn([device('old', 'r1', '2026-03-10T12:01:00Z'), device('new', 'r1')], 'r1', known)?.id).toBe('new');
    expect(newDeviceOn(undefined, 'r1', known)).toBeUndefined();
  });
});
