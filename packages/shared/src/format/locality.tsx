/**
 * The tenant's way of writing money and dates, for React: an app provides the locality once
 * (the SPA from `/api/v1/me`, the POS from its offline copy) and screens call `useFormat()`.
 */
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import {
  formatCalendarDate,
  formatDate,
  formatDateTime,
  formatMoney,
  formatNumber,
  formatPercent,
  formatRelative,
  formatTime,
  type Locality,
} from './format';

const LocalityContext = createContext<Locality>({ locale: 'en', currency: 'USD', timeZone: 'UTC' });

export function LocalityProvider({ value, children }: { value: Locality; children: ReactNode }) {
  return <LocalityContext.Provider value={value}>{children}</LocalityContext.Provider>;
}

export function useLocality(): Locality {
  return useContext(LocalityContext);
}

/** Formatters bound to the tenant's locale, currency and time zone. */
export function useFormat() {
  const locality = useLocality();
  return useMemo(
    () => ({
      locality,
      money: (minor: number) => formatMoney(minor, locality),
      number: (value: number, options?: Intl.NumberFormatOptions) => formatNumber(value, locality.locale, options),
      percent: (ratio: number, digits?: number) => formatPercent(ratio, locality.locale, digits),
      date: (value: string | number | Date) => formatDate(value, locality),
      dateTime: (value: string | number | Date) => formatDateTime(value, locality),
      time: (value: string | number | Date) => formatTime(value, locality),
      calendarDate: (isoDate: string) => formatCalendarDate(isoDate, locality.locale),
      relative: (value: string | number | Date) => formatRelative(value, locality.locale),
    }),
    [locality],
  );
}
