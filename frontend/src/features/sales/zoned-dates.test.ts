import { describe, expect, it } from 'vitest';
import { localDayRange, startOfLocalDay, zoneOffset } from './zoned-dates';

describe('zoned dates', () => {
  it('knows the offset of a zone at an instant', () => {
    expect(zoneOffset(Date.UTC(2026, 0, 15, 12), 'America/Santiago')).toBe(-3 * 3_600_000);
    expect(zoneOffset(Date.UTC(2026, 6, 15, 12), 'America/Santiago')).toBe(-4 * 3_600_000);
    expect(zoneOffset(Date.UTC(2026, 6, 15, 12), 'UTC')).toBe(0);
  });

  it('starts a local day at its midnight in the zone', () => {
    expect(startOfLocalDay('2026-01-15', 'America/Santiago')).toBe('2026-01-15T03:00:00.000Z');
    expect(startOfLocalDay('2026-07-15', 'America/Santiago')).toBe('2026-07-15T04:00:00.000Z');
    expect(startOfLocalDay('2026-07-15', 'Asia/Tokyo')).toBe('2026-07-14T15:00:00.000Z');
  });

  it('starts a day whose midnight was skipped at its first instant', () => {
    // Chile moves its clocks from 00:00 to 01:00 on the first Sunday of September 2026.
    expect(startOfLocalDay('2026-09-06', 'America/Santiago')).toBe('2026-09-06T04:00:00.000Z');
    // …and back from 00:00 to 23:00 of the Saturday in April: the Sunday starts at its (only) midnight.
    expect(startOfLocalDay('2026-04-05', 'America/Santiago')).toBe('2026-04-05T04:00:00.000Z');
  });

  it('turns an inclusive range of local days into [since, until)', () => {
    expect(localDayRange('2026-01-15', '2026-01-15', 'America/Santiago')).toEqual({
      since: '2026-01-15T03:00:00.000Z',
      until: '2026-01-16T03:00:00.000Z',
    });
    expect(localDayRange(undefined, undefined, 'UTC')).toEqual({ since: undefined, until: undefined });
  });
});
