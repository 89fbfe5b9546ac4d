/**
 * Calendar days of the shop's time zone as instants, for filters the API takes as instants
 * (`since`/`until`). A day is `[start of day, start of the next day)` in the organization's zone,
 * whatever the browser's zone is; on a day whose midnight does not exist (a DST jump at 00:00, as
 * in Chile) the day starts at its first existing instant.
 */
import { addDays, calendarDateIn } from '@orbit/shared/format/format';

/** Milliseconds to add to UTC to get the wall clock of `timeZone` at `instant`. */
export function zoneOffset(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour') % 24, part('minute'), part('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The first instant of the local day `isoDate` (`YYYY-MM-DD`) in `timeZone`, as an ISO string. */
export function startOfLocalDay(isoDate: string, timeZone: string): string {
  const [year, month, day] = isoDate.split('-').map(Number);
  const midnightAsUtc = Date.UTC(year, month - 1, day);
  // Two passes settle the offset on either side of a DST change.
  let instant = midnightAsUtc - zoneOffset(midnightAsUtc, timeZone);
  instant = midnightAsUtc - zoneOffset(instant, timeZone);
  // A skipped midnight lands in the previous day: move to the first hour that belongs to this day.
  while (calendarDateIn(instant, timeZone) < isoDate) instant += 3_600_000;
  return new Date(instant).toISOString();
}

/** The API's `[since, until)` for the local days `from`..`to` (both included; either optional). */
export function localDayRange(from: string | undefined, to: string | undefined, timeZone: string): { since?: string; until?: string } {
  return {
    since: from ? startOfLocalDay(from, timeZone) : undefined,
    until: to ? startOfLocalDay(addDays(to, 1), timeZone) : undefined,
  };
}

