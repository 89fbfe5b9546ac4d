import { describe, expect, it } from 'vitest';
import { localDaysAsInstants, localDayStart } from './local-days';

describe('local days as instants', () => {
  it('starts a day at the zone’s midnight, not the browser’s', () => {
    expect(localDayStart('2026-03-10', 'UTC')).toBe('2026-03-10T00:00:00.000Z');
    expect(localDayStart('2026-01-15', 'America/Santiago')).toBe('2026-01-15T03:00:00.000Z');
    expect(localDayStart('2026-07-15', 'America/Santiago')).toBe('2026-07-15T04:00:00.000Z');
    expect(localDayStart('2026-07-15', 'Asia/Kolkata')).toBe('2026-07-14T18:30:00.000Z');
  });

  it('starts a day without a midnight at its first hour (Chile springs forward at 00:00)', () => {
    // 2026-09-06 00:00 does not exist in Santiago: clocks jump from 23:59:59 to 01:00 (UTC−3).
    expect(localDayStart('2026-09-06', 'America/Santiago')).toBe('2026-09-06T04:00:00.000Z');
  });

  it('takes both ends of a range, the end day included', () => {
    expect(localDaysAsInstants('2026-03-01', '2026-03-31', 'Europe/Madrid')).toEqual({
      since: '2026-02-28T23:00:00.000Z',
      until: '2026-03-31T22:00:00.000Z',
    });
    expect(localDaysAsInstants(undefined, undefined, 'UTC')).toEqual({ since: undefined, until: undefined });
  });
});
