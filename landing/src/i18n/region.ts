/**
 * The choices of the sign-up's region fields, named in the page's language (`Intl`, at build
 * time): the locales the product speaks, common currencies, every time zone; and what the form
 * starts with before its script guesses from the browser (or with no script at all).
 */
import type { Language } from './pages';

export const LOCALES = ['es', 'es-AR', 'es-CL', 'es-CO', 'es-ES', 'es-MX', 'es-PE', 'es-UY', 'en', 'en-GB', 'en-US'] as const;
export const CURRENCIES = ['ARS', 'BOB', 'BRL', 'CAD', 'CLP', 'COP', 'CRC', 'DOP', 'EUR', 'GBP', 'GTQ', 'MXN', 'PEN', 'PYG', 'USD', 'UYU'] as const;

export const DEFAULTS: Record<Language, { locale: string; currency: string; timeZone: string }> = {
  es: { locale: 'es-CL', currency: 'CLP', timeZone: 'America/Santiago' },
  en: { locale: 'en-US', currency: 'USD', timeZone: 'America/New_York' },
};

export interface Choice {
  value: string;
  label: string;
}

export function localeChoices(language: Language): Choice[] {
  const names = new Intl.DisplayNames([language], { type: 'language' });
  return LOCALES.map((value) => ({ value, label: names.of(value) ?? value }));
}

export function currencyChoices(language: Language): Choice[] {
  const names = new Intl.DisplayNames([language], { type: 'currency' });
  return CURRENCIES.map((value) => ({ value, label: `${value} — ${names.of(value) ?? value}` })).sort((a, b) =>
    a.label.localeCompare(b.label, language),
  );
}

export function timeZones(): string[] {
  const zones = new Set(Intl.supportedValuesOf('timeZone'));
  zones.add('UTC');
  return [...zones].sort();
}
