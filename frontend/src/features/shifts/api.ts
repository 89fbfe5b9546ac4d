/**
 * The shifts feature's server state. The list pages through `GET /api/v1/shifts` (register and
 * status filters); the figures the list shows beside each shift (who opened it, sales, expected
 * and counted cash) come from the shifts report over the local days the page spans, one request
 * per page, joined by shift id. Keys start with `['shifts']`, so a change to a shift or a sale
 * refreshes all of them.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas, type paths } from '@orbit/shared/api/client';
import { addDays, calendarDateIn } from '@orbit/shared/format/format';
import { useLocality } from '@orbit/shared/format/locality';

export type ShiftQuery = NonNullable<paths['/api/v1/shifts']['get']['parameters']['query']>;
export type Shift = Schemas['ShiftRead'];
export type ShiftFigures = Schemas['ShiftRow'];
export type ShiftReport = Schemas['ShiftReport'];

export const SHIFTS_PAGE_SIZE = 25;

export function useShifts(query: ShiftQuery) {
  return useQuery({
    queryKey: ['shifts', 'list', query],
    queryFn: () => unwrap(api.GET('/api/v1/shifts', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

/** The local days `[since, until)` that hold every given shift's opening. */
export function periodOf(openedAt: string[], timeZone: string): { since: string; until: string } | null {
  if (openedAt.length === 0) return null;
  const days = openedAt.map((instant) => calendarDateIn(instant, timeZone)).sort();
  return { since: days[0], until: addDays(days[days.length - 1], 1) };
}

/** The report's row of each given shift, by shift id (empty while loading or if the report fails). */
export function useShiftFigures(shifts: Pick<Shift, 'opened_at'>[]) {
  const { timeZone } = useLocality();
  const period = periodOf(
    shifts.map((shift) => shift.opened_at),
    timeZone,
  );
  return useQuery({
    queryKey: ['shifts', 'figures', period],
    queryFn: async () => {
      const report = await unwrap(api.GET('/api/v1/reports/shifts', { params: { query: period! } }));
      return new Map(report.rows.map((row) => [row.shift_id, row]));
    },
    enabled: period !== null,
    placeholderData: keepPreviousData,
  });
}

export function useShiftReport(shiftId: string) {
  return useQuery({
    queryKey: ['shifts', 'report', shiftId],
    queryFn: () => unwrap(api.GET('/api/v1/shifts/{shift_id}/report', { params: { path: { shift_id: shiftId } } })),
  });
}
