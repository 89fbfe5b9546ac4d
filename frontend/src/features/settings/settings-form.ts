/**
 * The organization settings form as data: the choices it offers (common currencies, the
 * Spanish and English locales the server accepts, the browser's IANA zones) and the PATCH body
 * of a draft, which carries only what changed. Sending only changes matters: the currency is
 * locked once the shop has sales, and an unchanged currency must not trip that rule.
 */
import type { Schemas } from '@orbit/shared/api/client';

export type Organization = Schemas['OrganizationRead'];
export type OrganizationUpdate = Schemas['OrganizationUpdate'];
export type TaxMode = Organization['tax_mode'];

export interface SettingsDraft {
  name: string;
  currency: string;
  locale: string;
  time_zone: string;
  tax_mode: TaxMode;
  allow_negative_stock: boolean;
  /** The seller's tax id and address, printed on invoices. */
  tax_id: string;
  address: string;
}

/** The currencies of the shops we expect, first; any other ISO 4217 code can be typed. */
export const COMMON_CURRENCIES = ['ARS', 'BOB', 'BRL', 'CAD', 'CLP', 'COP', 'CRC', 'DOP', 'EUR', 'GBP', 'GTQ', 'MXN', 'PEN', 'PYG', 'USD', 'UYU'] as const;

/** `es`/`en` with the regions a shop is likely in (the server takes any `es-XX`/`en-XX`). */
export const LOCALES = ['es', 'es-AR', 'es-BO', 'es-CL', 'es-CO', 'es-CR', 'es-DO', 'es-EC', 'es-ES', 'es-GT', 'es-MX', 'es-PE', 'es-PY', 'es-US', 'es-UY', 'en', 'en-CA', 'en-GB', 'en-US'] as const;

const LOCALE_PATTERN = /^(es|en)(-([A-Z]{2}|[0-9]{3}))?$/;

export function isLocale(value: string): boolean {
  return LOCALE_PATTERN.test(value);
}

/** Three capital letters that the browser knows as a currency (ISO 4217). */
export function isCurrencyCode(value: string): boolean {
  if (!/^[A-Z]{3}$/.test(value)) return false;
  try {
    return Intl.supportedValuesOf('currency').includes(value);
  } catch {
    return true;
  }
}

/** The choices of a select, with the current value kept even when the list lacks it. */
export function withCurrent(options: readonly string[], current: string): string[] {
  return options.includes(current) ? [...options] : [current, ...options];
}

/** The browser's IANA time zones, sorted, with the shop's own zone always among them. */
export function timeZones(current: string): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  return withCurrent([...zones, ...(zones.includes('UTC') ? [] : ['UTC'])].sort(), current);
}

export function draftOf(organization: Organization): SettingsDraft {
  const { name, currency, locale, time_zone, tax_mode, allow_negative_stock, tax_id, address } = organization;
  return { name, currency, locale, time_zone, tax_mode, allow_negative_stock, tax_id, address };
}

/** The fields of `draft` that differ from `current` (names trimmed), as the PATCH body. */
export function settingsPatch(current: SettingsDraft, draft: SettingsDraft): OrganizationUpdate {
  const patch: OrganizationUpdate = {};
  const name = draft.name.trim().replace(/\s+/g, ' ');
  if (name !== current.name) patch.name = name;
  const currency = draft.currency.trim().toUpperCase();
  if (currency !== current.currency) patch.currency = currency;
  if (draft.locale !== current.locale) patch.locale = draft.locale;
  if (draft.time_zone !== current.time_zone) patch.time_zone = draft.time_zone;
  if (draft.tax_mode !== current.tax_mode) patch.tax_mode = draft.tax_mode;
  if (draft.allow_negative_stock !== current.allow_negative_stock) patch.allow_negative_stock = draft.allow_negative_stock;
  const taxId = draft.tax_id.trim().replace(/\s+/g, ' ');
  if (taxId !== current.tax_id) patch.tax_id = taxId;
  const address = draft.address.trim().replace(/\s+/g, ' ');
  if (address !== current.address) patch.address = address;
  return patch;
}
