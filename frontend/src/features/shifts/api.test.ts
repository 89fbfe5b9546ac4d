import { describe, expect, it } from 'vitest';
import { periodOf } from './api';

describe('periodOf', () => {
  it('spans the local days of the shifts’ openings, the last day included', () => {
    // 02:00 UTC on the 3rd is still the 2nd in Santiago (UTC−3 in January).
    expect(periodOf(['2026-01-05T15:00:00Z', '2026-01-03T02:00:00Z', '2026-01-04T12:00:00Z'], 'America/Santiago')).toEqual({
      since: '2026-01-02',
      until: '2026-01-06',
    });
  });

  it('is nothing for no shifts', () => {
    expect(periodOf([], 'UTC')).toBeNull();
  });
});
