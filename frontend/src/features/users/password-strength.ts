/**
 * A hint of how the server's password policy (NIST SP 800-63B: length and a deny-list, no
 * composition rules; `server/users/passwords.py`) will judge a password, while it is typed.
 * The server decides; this only saves a round trip. `weak` fails a rule the server checks,
 * `fair` passes them, `strong` passes them with room to spare.
 */
export const MIN_PASSWORD_LENGTH = 10;
const MIN_DISTINCT = 5;

export type Strength = 'empty' | 'weak' | 'fair' | 'strong';
export type PasswordProblem = 'tooShort' | 'repetitive' | 'personal';

function fold(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\s/g, '');
}

export function passwordStrength(password: string, personal: string[] = []): { strength: Strength; problem?: PasswordProblem } {
  if (!password) return { strength: 'empty' };
  if (password.length < MIN_PASSWORD_LENGTH) return { strength: 'weak', problem: 'tooShort' };
  if (new Set(password.toLowerCase()).size < MIN_DISTINCT) return { strength: 'weak', problem: 'repetitive' };
  const candidate = fold(password);
  for (const word of personal) {
    const folded = fold(word);
    if (folded.length >= 4 && candidate.includes(folded) && candidate.length - folded.length < 6) return { strength: 'weak', problem: 'personal' };
  }
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^\da-zA-Z]/].filter((pattern) => pattern.test(password)).length;
  return { strength: password.length >= 16 || (password.length >= 12 && classes >= 3) ? 'strong' : 'fair' };
}

/** PINs unlock the POS: 4–8 digits, and not one of the sequences the server refuses. */
export function pinProblem(pin: string): 'format' | 'guessable' | null {
  if (!/^\d{4,8}$/.test(pin)) return 'format';
  if (new Set(pin).size === 1 || '0123456789'.includes(pin) || '9876543210'.includes(pin)) return 'guessable';
  return null;
}
