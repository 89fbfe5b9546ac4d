/**
 * The sign-up form's rules that need no page: the subdomain suggested from a company name, the
 * subdomain's form, a password's strength, and the shop's locale and currency guessed from the
 * browser. The server has the last word on all of them (`server/tenancy/service.py`,
 * `server/users/passwords.py`); these mirror it so the person hears about a problem as they type.
 */

/** Also the sign-up field's `pattern` (without its anchors), so it must stay valid with the `v` flag. */
export const SUBDOMAIN_PATTERN = /^[a-z0-9](?:[a-z0-9\-]{1,61}[a-z0-9])$/;
const SLUG_MAX = 40;
export const PASSWORD_MIN_LENGTH = 10;
const PASSWORD_MIN_DISTINCT = 5;

/** The company's name as a subdomain, as the server derives it: `Panadería Ñandú & Co.` → `panaderia-nandu-co`. */
export function slugify(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x00-\x7f]/g, '')
    .toLowerCase();
  const slug = ascii.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug.slice(0, SLUG_MAX).replace(/-+$/, '');
}

/** The suggestion for a company name: its slug, lengthened like the server does when too short. */
export function suggestSubdomain(company: string): string {
  const slug = slugify(company);
  if (slug.length >= 3) return slug;
  return slug ? `${slug}-shop` : '';
}

export type SubdomainProblem = 'format' | 'hyphens' | null;

/** Why a subdomain's form is unacceptable (reserved and taken names are the server's to say). */
export function subdomainProblem(subdomain: string): SubdomainProblem {
  if (!SUBDOMAIN_PATTERN.test(subdomain)) return 'format';
  if (subdomain.includes('--')) return 'hyphens';
  return null;
}

function fold(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, '');
}

/**
 * A password's strength from 0 (refused by the server) to 4: long enough, varied enough and not
 * built from the person's email or names, then longer and more varied is stronger.
 */
export function passwordScore(password: string, personal: readonly string[] = []): number {
  if (password.length < PASSWORD_MIN_LENGTH) return 0;
  const distinct = new Set(password.toLowerCase()).size;
  if (distinct < PASSWORD_MIN_DISTINCT) return 0;
  const folded = fold(password);
  for (const word of personal) {
    const piece = fold(word);
    if (piece.length >= 4 && folded.includes(piece) && folded.length - piece.length < 6) return 0;
  }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(password)).length;
  let score = 1;
  if (password.length >= 14 || (password.length >= 12 && classes >= 3)) score = 2;
  if (password.length >= 16 && distinct >= 8) score = 3;
  if (password.length >= 20 && distinct >= 10 && (classes >= 2 || /\s/.test(password))) score = 4;
  return score;
}

/** The currency most shops of a country use. */
export const REGION_CURRENCY: Record<string, string> = {
  AR: 'ARS',
  BO: 'BOB',
  BR: 'BRL',
  CA: 'CAD',
  CL: 'CLP',
  CO: 'COP',
  CR: 'CRC',
  DO: 'DOP',
  EC: 'USD',
  ES: 'EUR',
  GB: 'GBP',
  GT: 'GTQ',
  MX: 'MXN',
  PA: 'USD',
  PE: 'PEN',
  PY: 'PYG',
  US: 'USD',
  UY: 'UYU',
};

export interface RegionGuess {
  locale: string | null;
  currency: string | null;
}

/**
 * The shop's locale and currency from the browser's languages: the first language we speak,
 * with its region when `locales` offers it (`es-CL`), else the bare language; the currency of
 * the first region among the browser's languages.
 */
export function guessRegion(browserLanguages: readonly string[], locales: readonly string[], currencies: readonly string[]): RegionGuess {
  let locale: string | null = null;
  let currency: string | null = null;
  for (const tag of browserLanguages) {
    const [language = '', region = ''] = tag.replace('_', '-').split('-');
    const exact = `${language.toLowerCase()}-${region.toUpperCase()}`;
    if (!locale && locales.includes(exact)) locale = exact;
    else if (!locale && locales.includes(language.toLowerCase())) locale = language.toLowerCase();
    const regional = REGION_CURRENCY[region.toUpperCase()];
    if (!currency && regional && currencies.includes(regional)) currency = regional;
  }
  return { locale, currency };
}
