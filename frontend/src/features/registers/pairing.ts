/**
 * The pairing dialog's clock and its "did the device arrive?" check, kept pure for tests.
 *
 * The countdown never shows more time than the code has: the deadline is the server's
 * `expires_at`, but no later than the code's lifetime after the answer arrived, so a browser
 * clock that runs late does not stretch it (one that runs early only shortens it).
 */
export const PAIRING_CODE_LIFETIME_MS = 10 * 60_000;

export function pairingDeadline(expiresAt: string, receivedAt: number): number {
  return Math.min(Date.parse(expiresAt), receivedAt + PAIRING_CODE_LIFETIME_MS);
}

/** `m:ss` of the time left (`0:00` once it is over). */
export function formatCountdown(msLeft: number): string {
  const seconds = Math.max(0, Math.ceil(msLeft / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The device that paired with the register since the code was made: an active device of the
 * register that was not there when the dialog made the code. */
export function newDeviceOn<D extends { id: string; register_id: string; revoked_at: string | null }>(devices: D[] | undefined, registerId: string, knownIds: ReadonlySet<string>): D | undefined {
  return devices?.find((device) => device.register_id === registerId && device.revoked_at === null && !knownIds.has(device.id));
}
