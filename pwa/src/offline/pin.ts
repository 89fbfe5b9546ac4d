/**
 * Cashier unlock by PIN, checked on the till against the verifier the catalog pull brought
 * (docs/sync.md, "Offline cashier unlock"): `pbkdf2-sha256$<iterations>$<salt>$<hash>`, salt
 * and hash in unpadded base64url, the same derivation as the server's `users.service.pin_verifier`
 * (PBKDF2-HMAC-SHA-256, 32-byte output), computed here with WebCrypto.
 *
 * Lockout: after `FREE_ATTEMPTS` wrong PINs in a row the till refuses every PIN for a minute,
 * doubling with each further failure up to 15 minutes. The count is kept in IndexedDB, so a reload
 * does not reset it; a right PIN does.
 */

export interface PinVerifier {
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array<ArrayBuffer>;
}

export const FREE_ATTEMPTS = 5;
const FIRST_LOCK_MS = 60_000;
const MAX_LOCK_MS = 15 * 60_000;

export function base64UrlDecode(text: string): Uint8Array<ArrayBuffer> {
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** The verifier's parts, or null when it is not one this till understands. */
export function parseVerifier(verifier: string | null | undefined): PinVerifier | null {
  const parts = verifier?.split('$');
  if (!parts || parts.length !== 4 || parts[0] !== 'pbkdf2-sha256') return null;
  const iterations = Number(parts[1]);
  if (!Number.isSafeInteger(iterations) || iterations < 1) return null;
  try {
    const salt = base64UrlDecode(parts[2]);
    const hash = base64UrlDecode(parts[3]);
    return hash.length ? { iterations, salt, hash } : null;
  } catch {
    return null;
  }
}

/** Whether `pin` derives the verifier's hash. Compares every byte, whatever the first mismatch. */
export async function verifyPin(pin: string, verifier: string | null | undefined, subtle: SubtleCrypto = globalThis.crypto.subtle): Promise<boolean> {
  const parsed = parseVerifier(verifier);
  if (!parsed) return false;
  const key = await subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits']);
  const derived = new Uint8Array(await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: parsed.salt, iterations: parsed.iterations }, key, parsed.hash.length * 8));
  let difference = derived.length ^ parsed.hash.length;
  for (let index = 0; index < parsed.hash.length; index += 1) difference |= derived[index] ^ parsed.hash[index];
  return difference === 0;
}

export interface LockoutState {
  failures: number;
  locked_until: number;
}

export const NO_LOCKOUT: LockoutState = { failures: 0, locked_until: 0 };

/** The state after one more wrong PIN at `now`. */
export function afterFailure(state: LockoutState, now: number): LockoutState {
  const failures = state.failures + 1;
  if (failures < FREE_ATTEMPTS) return { failures, locked_until: 0 };
  const lockMs = Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** (failures - FREE_ATTEMPTS));
  return { failures, locked_until: now + lockMs };
}

/** Milliseconds the till still refuses PINs (0: it accepts them). */
export function lockedFor(state: LockoutState, now: number): number {
  return Math.max(0, state.locked_until - now);
}
