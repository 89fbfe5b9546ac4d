/**
 * Calendar days of the shop's time zone as the instants the API's `since`/`until` filters take.
 * A local day is `[its first instant, the next day's first instant)` in the organization's zone,
 * whatever the browser's zone; a day whose midnight does not exist (a DST jump at 00:00, as in
 * Chile) starts at its first existing instant.
 */
import { addDays, calendarDateIn } from '@orbit/shared/format/format';

/** Milliseconds the wall clock of `timeZone` is ahead of UTC at `instant`. */
export function zoneOffsetAt(instant: number, timeZone: string): number {
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
export function localDayStart(isoDate: string, timeZone: string): string {
  const [year, month, day] = isoDate.split('-').map(Number);
  const wallMidnight = Date.UTC(year, month - 1, day);
  // The offset at the guess may differ from the offset at the answer across a DST change: settle it twice.
  let instant = wallMidnight - zoneOffsetAt(wallMidnight, timeZone);
  instant = wallMidnight - zoneOffsetAt(instant, timeZone);
  while (calendarDateIn(instant, timeZone) < isoDate) instant += 3_600_000;
  return new Date(instant).toISOString();
}

/** The API's `[since, until)` for the local days `from`..`to`, both included, either optional. */
export function localDaysAsInstants(from: string | undefined, to: string | undefined, timeZone: string): { since?: string; until?: string } {
  return {
    since: from ? localDayStart(from, timeZone) : undefined,
    until: to ? localDayStart(addDays(to, 1), timeZone) : undefined,
  };
}
