/**
 * Money, numbers and dates the way the tenant reads them. Money arrives from the API as integer
 * minor units of the organization's currency (ISO 4217: USD has 2 decimals, CLP none); dates as
 * ISO instants, shown in the organization's time zone whatever the browser's zone is.
 * Formatters are cached: building an `Intl` formatter costs far more than using one.
 */

export interface Locality {
  /** BCP 47 language tag of the interface, e.g. `es-CL`. */
  locale: string;
  currency: string;
  timeZone: string;
}

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let formatter = cache.get(key) as T | undefined;
  if (!formatter) {
    formatter = make();
    cache.set(key, formatter);
  }
  return formatter;
}

/**
 * The narrow symbol ("$", not "CLP"): a shop has one currency, so the short form is unambiguous
 * and keeps figures on one line on a phone.
 */
function currencyFormat(locale: string, currency: string): Intl.NumberFormat {
  return cached(`money|${locale}|${currency}`, () => new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: 'narrowSymbol' }));
}

/** The number of decimals of a currency's minor unit (USD 2, CLP 0, KWD 3). */
export function minorDigits(currency: string): number {
  return currencyFormat('en', currency).resolvedOptions().maximumFractionDigits ?? 2;
}

export function formatMoney(minor: number, { locale, currency }: Pick<Locality, 'locale' | 'currency'>): string {
  return currencyFormat(locale, currency).format(minor / 10 ** minorDigits(currency));
}

/** Minor units from what a person typed ("12,50" or "12.50" → 1250 for USD); null when unreadable. */
export function parseMoney(text: string, currency: string): number | null {
  const cleaned = text.trim().replace(/[^\d,.-]/g, '');
  if (!cleaned || !/\d/.test(cleaned)) return null;
  const lastSeparator = Math.max(cleaned.lastIndexOf(','), cleaned.lastIndexOf('.'));
  const digits = minorDigits(currency);
  let whole = cleaned;
  let fraction = '';
  if (lastSeparator >= 0 && cleaned.length - lastSeparator - 1 <= digits && digits > 0) {
    whole = cleaned.slice(0, lastSeparator);
    fraction = cleaned.slice(lastSeparator + 1);
  }
  const negative = whole.startsWith('-');
  const wholeDigits = whole.replace(/[^\d]/g, '') || '0';
  const value = Number(wholeDigits) * 10 ** digits + Number((fraction + '0'.repeat(digits)).slice(0, digits) || '0');
  return Number.isSafeInteger(value) ? (negative ? -value : value) : null;
}

/** Minor units as the plain decimal a money input shows ("12.50"), without grouping. */
export function moneyInputValue(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  return (minor / 10 ** digits).toFixed(digits);
}

export function formatNumber(value: number, locale: string, options: Intl.NumberFormatOptions = {}): string {
  return cached(`number|${locale}|${JSON.stringify(options)}`, () => new Intl.NumberFormat(locale, options)).format(value);
}

export function formatPercent(ratio: number, locale: string, fractionDigits = 1): string {
  return formatNumber(ratio, locale, { style: 'percent', maximumFractionDigits: fractionDigits });
}

type DateInput = string | number | Date;

function toDate(value: DateInput): Date {
  return value instanceof Date ? value : new Date(value);
}

function dateFormat(locale: string, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return cached(`date|${locale}|${timeZone}|${JSON.stringify(options)}`, () => new Intl.DateTimeFormat(locale, { ...options, timeZone }));
}

export function formatDate(value: DateInput, { locale, timeZone }: Pick<Locality, 'locale' | 'timeZone'>): string {
  return dateFormat(locale, timeZone, { dateStyle: 'medium' }).format(toDate(value));
}

export function formatDateTime(value: DateInput, { locale, timeZone }: Pick<Locality, 'locale' | 'timeZone'>): string {
  return dateFormat(locale, timeZone, { dateStyle: 'medium', timeStyle: 'short' }).format(toDate(value));
}

export function formatTime(value: DateInput, { locale, timeZone }: Pick<Locality, 'locale' | 'timeZone'>): string {
  return dateFormat(locale, timeZone, { timeStyle: 'short' }).format(toDate(value));
}

/**
 * A calendar date (`YYYY-MM-DD`, as the API's date fields and query parameters) shown in the
 * locale. Calendar dates have no zone: they are formatted at UTC noon so no zone shifts them.
 */
export function formatCalendarDate(isoDate: string, locale: string): string {
  return dateFormat(locale, 'UTC', { dateStyle: 'medium' }).format(new Date(`${isoDate}T12:00:00Z`));
}

/** The calendar date (`YYYY-MM-DD`) of an instant in a time zone: "today" of the shop. */
export function calendarDateIn(value: DateInput, timeZone: string): string {
  const parts = dateFormat('en-CA', timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(toDate(value));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The hour of the day (0–23) of an instant in a time zone. */
export function hourIn(value: DateInput, timeZone: string): number {
  const hour = dateFormat('en-GB', timeZone, { hour: '2-digit', hourCycle: 'h23' }).format(toDate(value));
  return Number(hour) % 24;
}

/** A calendar date moved by whole days (`2026-03-01`, -1 → `2026-02-28`). */
export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** "3 min ago" / "hace 3 min" from an instant, for last-seen times. */
export function formatRelative(value: DateInput, locale: string, now: number = Date.now()): string {
  const seconds = Math.round((toDate(value).getTime() - now) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
  const abs = Math.abs(seconds);
  if (abs < 60) return format.format(seconds, 'second');
  if (abs < 3600) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return format.format(Math.round(seconds / 3600), 'hour');
  return format.format(Math.round(seconds / 86_400), 'day');
}
