import { describe, expect, it } from 'vitest';
import { isCalendarDate, presetOf, presetRange, rangeDays, rangeFromSearch, rangeProblem, reportPeriod, todayIn } from './date-range';

describe('today in the organization zone', () => {
  // 2026-03-01 02:30 UTC is still 28 February in Santiago (UTC−3) and already 1 March in Madrid.
  const instant = Date.parse('2026-03-01T02:30:00Z');
  it('follows the zone, not the browser', () => {
    expect(todayIn('America/Santiago', instant)).toBe('2026-02-28');
    expect(todayIn('Europe/Madrid', instant)).toBe('2026-03-01');
    expect(todayIn('UTC', instant)).toBe('2026-03-01');
  });
});

describe('presets', () => {
  it('today and the last 7 days end today', () => {
    expect(presetRange('today', '2026-03-03')).toEqual({ from: '2026-03-03', to: '2026-03-03' });
    expect(presetRange('last7', '2026-03-03')).toEqual({ from: '2026-02-25', to: '2026-03-03' });
  });

  it('this month starts on the 1st, last month is whole (leap years too)', () => {
    expect(presetRange('thisMonth', '2024-03-15')).toEqual({ from: '2024-03-01', to: '2024-03-15' });
    expect(presetRange('lastMonth', '2024-03-15')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(presetRange('lastMonth', '2026-01-01')).toEqual({ from: '2025-12-01', to: '2025-12-31' });
  });

  it('a range is recognised as its preset, otherwise custom', () => {
    expect(presetOf({ from: '2026-02-25', to: '2026-03-03' }, '2026-03-03')).toBe('last7');
    expect(presetOf({ from: '2026-03-01', to: '2026-03-01' }, '2026-03-01')).toBe('today');
    expect(presetOf({ from: '2026-02-24', to: '2026-03-03' }, '2026-03-03')).toBe('custom');
  });
});

describe('the URL and the API', () => {
  it('fills missing or unreadable ends from the last 7 days', () => {
    expect(rangeFromSearch({}, '2026-03-03')).toEqual({ from: '2026-02-25', to: '2026-03-03' });
    expect(rangeFromSearch({ from: '2026-02-30', to: '2026-03-02' }, '2026-03-03')).toEqual({ from: '2026-02-25', to: '2026-03-02' });
    expect(rangeFromSearch({ from: '2026-01-01', to: '2026-01-31' }, '2026-03-03')).toEqual({ from: '2026-01-01', to: '2026-01-31' });
  });

  it('checks calendar dates strictly', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2025-02-29')).toBe(false);
    expect(isCalendarDate('2025-2-1')).toBe(false);
    expect(isCalendarDate(undefined)).toBe(false);
  });

  it('counts days and refuses reversed or too long ranges', () => {
    expect(rangeDays({ from: '2026-03-01', to: '2026-03-01' })).toBe(1);
    expect(rangeDays({ from: '2026-03-28', to: '2026-04-03' })).toBe(7); // across a DST change
    expect(rangeProblem({ from: '2026-03-02', to: '2026-03-01' })).toBe('reversed');
    expect(rangeProblem({ from: '2020-01-01', to: '2026-01-01' })).toBe('tooLong');
    expect(rangeProblem({ from: '2026-01-01', to: '2026-01-31' })).toBeNull();
  });

  it('turns an inclusive range into the half-open period of the API', () => {
    expect(reportPeriod({ from: '2026-02-01', to: '2026-02-28' })).toEqual({ since: '2026-02-01', until: '2026-03-01' });
  });
});
