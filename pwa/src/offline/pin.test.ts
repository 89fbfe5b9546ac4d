/** PIN unlock: the server's verifier format checked with WebCrypto, and the lockout's schedule. */
import { describe, expect, it } from 'vitest';
import { FREE_ATTEMPTS, NO_LOCKOUT, afterFailure, lockedFor, parseVerifier, verifyPin } from './pin';

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** A verifier exactly as `users.service.pin_verifier` writes it (fewer iterations, for speed). */
async function verifier(pin: string, iterations = 1_000): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits']);
  const hash = new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256));
  return `pbkdf2-sha256$${iterations}$${base64Url(salt)}$${base64Url(hash)}`;
}

describe('verifyPin', () => {
  it('accepts the PIN the verifier was made from and nothing else', async () => {
    const stored = await verifier('4826');
    expect(await verifyPin('4826', stored)).toBe(true);
    expect(await verifyPin('4827', stored)).toBe(false);
    expect(await verifyPin('', stored)).toBe(false);
  });

  it("reads the server's own verifier (210,000 iterations)", async () => {
    // Made by server.users.service.pin_verifier('2468', salt=bytes(range(16))).
    const stored = 'pbkdf2-sha256$210000$AAECAwQFBgcICQoLDA0ODw$3h0Ecyp2BaL4dIc6djwyE3JqSNrJj2DOPz5HhnTZO8M';
    expect(await verifyPin('2468', stored)).toBe(true);
    expect(await verifyPin('2469', stored)).toBe(false);
  });

  it('refuses verifiers it does not understand', async () => {
    expect(parseVerifier(null)).toBeNull();
    expect(parseVerifier('argon2id$v=19$x')).toBeNull();
    expect(parseVerifier('pbkdf2-sha256$abc$AA$AA')).toBeNull();
    expect(await verifyPin('1', 'pbkdf2-sha256$0$AA$AA')).toBe(false);
  });
});

describe('lockout', () => {
  it('allows a few wrong PINs, then locks for a minute, doubling up to 15 minutes', () => {
    let state = NO_LOCKOUT;
    for (let i = 1; i < FREE_ATTEMPTS; i += 1) {
      state = afterFailure(state, 0);
      expect(lockedFor(state, 0)).toBe(0);
    }
    const locks: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      state = afterFailure(state, 0);
      locks.push(lockedFor(state, 0));
    }
    expect(locks).toEqual([60_000, 120_000, 240_000, 480_000, 900_000, 900_000]);
    expect(lockedFor(state, 900_000)).toBe(0);
  });
});
