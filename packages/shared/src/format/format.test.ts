import { describe, expect, it } from 'vitest';
import {
  addDays,
  calendarDateIn,
  formatCalendarDate,
  formatDateTime,
  formatMoney,
  hourIn,
  minorDigits,
  moneyInputValue,
  parseMoney,
} from './format';

describe('money', () => {
  it('knows each currency minor unit', () => {
    expect(minorDigits('USD')).toBe(2);
    expect(minorDigits('CLP')).toBe(0);
    expect(minorDigits('KWD')).toBe(3);
  });

  it('formats minor units in the tenant locale and currency', () => {
    expect(formatMoney(123456, { locale: 'en-US', currency: 'USD' })).toBe('$1,234.56');
    expect(formatMoney(1234560, { locale: 'es-CL', currency: 'CLP' })).toBe('$1.234.560');
    expect(formatMoney(-250, { locale: 'en-US', currency: 'USD' })).toBe('-$2.50');
    expect(formatMoney(479959, { locale: 'en', currency: 'CLP' })).toBe('$479,959');
    expect(formatMoney(123456, { locale: 'es-ES', currency: 'EUR' }).replace(/\s/g, ' ')).toBe('1234,56 €');
  });

  it('parses what people type into minor units', () => {
    expect(parseMoney('12.50', 'USD')).toBe(1250);
    expect(parseMoney('12,5', 'EUR')).toBe(1250);
    expect(parseMoney('1.234,56', 'EUR')).toBe(123456);
    expect(parseMoney('1,234.56', 'USD')).toBe(123456);
    expect(parseMoney('$ 3', 'USD')).toBe(300);
    expect(parseMoney('1.500', 'CLP')).toBe(1500);
    expect(parseMoney('abc', 'USD')).toBeNull();
    expect(parseMoney('', 'USD')).toBeNull();
    expect(moneyInputValue(1250, 'USD')).toBe('12.50');
    expect(moneyInputValue(1500, 'CLP')).toBe('1500');
  });
});

describe('dates', () => {
  const instant = '2026-03-01T02:30:00Z';

  it('shows instants in the tenant time zone, not the browser one', () => {
    expect(calendarDateIn(instant, 'America/Santiago')).toBe('2026-02-28');
    expect(calendarDateIn(instant, 'Europe/Madrid')).toBe('2026-03-01');
    expect(hourIn(instant, 'America/Santiago')).toBe(23);
    expect(hourIn(instant, 'UTC')).toBe(2);
    expect(formatDateTime(instant, { locale: 'en-US', timeZone: 'America/New_York' })).toMatch(/Feb 28, 2026.*9:30/);
  });

  it('treats calendar dates as zone-free', () => {
    expect(formatCalendarDate('2026-03-01', 'es-CL')).toBe('01-03-2026');
    expect(formatCalendarDate('2026-03-01', 'en-US')).toBe('Mar 1, 2026');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});
