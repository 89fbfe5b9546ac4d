/**
 * Report periods as a person picks them: a preset (today, the last 7 days, this month, last
 * month) or two calendar dates, always in the organization's time zone, never the browser's.
 *
 * Invariants: a `DateRange` holds calendar dates (`YYYY-MM-DD`) with `from` and `to` both
 * included; the reports API takes `[since, until)`, so `until` is the day after `to`. The URL
 * carries `from`/`to` as given; a missing one is filled from the default preset (last 7 days).
 */
import { addDays, calendarDateIn } from '@orbit/shared/format/format';

export const PRESETS = ['today', 'last7', 'thisMonth', 'lastMonth'] as const;
export type Preset = (typeof PRESETS)[number];
export type PresetChoice = Preset | 'custom';

export const DEFAULT_PRESET: Preset = 'last7';
/** The reports API refuses periods longer than 2 years and 1 month; stay safely inside. */
export const MAX_RANGE_DAYS = 731;

export interface DateRange {
  from: string;
  to: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `value` is a real calendar date written `YYYY-MM-DD` (not `2026-02-30`). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return false;
  const date = new Date(`${value}T12:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** The organization's today, whatever the browser's zone. */
export function todayIn(timeZone: string, now: number | Date = Date.now()): string {
  return calendarDateIn(now, timeZone);
}

function firstOfMonth(day: string): string {
  return `${day.slice(0, 8)}01`;
}

export function presetRange(preset: Preset, today: string): DateRange {
  switch (preset) {
    case 'today':
      return { from: today, to: today };
    case 'last7':
      return { from: addDays(today, -6), to: today };
    case 'thisMonth':
      return { from: firstOfMonth(today), to: today };
    case 'lastMonth': {
      const lastDay = addDays(firstOfMonth(today), -1);
      return { from: firstOfMonth(lastDay), to: lastDay };
    }
  }
}

/** The preset a range is, on `today`, or `custom`. */
export function presetOf(range: DateRange, today: string): PresetChoice {
  return PRESETS.find((preset) => {
    const candidate = presetRange(preset, today);
    return candidate.from === range.from && candidate.to === range.to;
  }) ?? 'custom';
}

/** The range the URL asks for: unreadable or missing ends come from the default preset. */
export function rangeFromSearch(search: { from?: string; to?: string }, today: string): DateRange {
  const fallback = presetRange(DEFAULT_PRESET, today);
  return {
    from: isCalendarDate(search.from) ? search.from : fallback.from,
    to: isCalendarDate(search.to) ? search.to : fallback.to,
  };
}

/** The number of days in a range (1 for a single day; 0 or less when reversed). */
export function rangeDays({ from, to }: DateRange): number {
  return Math.round((Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / 86_400_000) + 1;
}

export type RangeProblem = 'reversed' | 'tooLong';

export function rangeProblem(range: DateRange): RangeProblem | null {
  const days = rangeDays(range);
  if (days < 1) return 'reversed';
  if (days > MAX_RANGE_DAYS) return 'tooLong';
  return null;
}

/** The reports API's period (`until` is the first day not included). */
export function reportPeriod({ from, to }: DateRange): { since: string; until: string } {
  return { since: from, until: addDays(to, 1) };
}
