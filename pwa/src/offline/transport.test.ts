/** How each push answer is read (docs/sync.md, "What stops a batch" and "Malformed or hostile batches"). */
import { describe, expect, it } from 'vitest';
import { measureSkew } from './clock';
import { classifyPush } from './transport';

describe('classifyPush', () => {
  it('reads every answer the protocol defines', () => {
    expect(classifyPush(200, { last_seq: 3, results: [] })).toMatchObject({ type: 'answered' });
    expect(classifyPush(503, { status: 503, retry_after_ms: 2_000 })).toEqual({ type: 'retry', error: 'HTTP 503', retryAfterMs: 2_000 });
    expect(classifyPush(503, null, '7')).toMatchObject({ type: 'retry', retryAfterMs: 7_000 });
    expect(classifyPush(429, { detail: 'slow down' }, '30')).toEqual({ type: 'retry', error: 'slow down', retryAfterMs: 30_000 });
    expect(classifyPush(403, { code: 'device_revoked', detail: 'this device was revoked; register it again' })).toEqual({
      type: 'device_refused',
      code: 'device_revoked',
      message: 'this device was revoked; register it again',
    });
    expect(classifyPush(404, { code: 'unknown_device' })).toMatchObject({ type: 'device_refused' });
    expect(classifyPush(404, { code: 'unknown_product', detail: 'document 3 names a product' })).toEqual({ type: 'refused', status: 404, message: 'document 3 names a product' });
    expect(classifyPush(401, { code: 'token_expired' })).toEqual({ type: 'unauthorized' });
    expect(classifyPush(413, {})).toEqual({ type: 'too_large' });
    expect(classifyPush(422, { detail: 'bad' })).toMatchObject({ type: 'refused', status: 422 });
  });
});

describe('measureSkew', () => {
  it("reads the server's Date against the request's midpoint, ignoring sub-second noise", () => {
    const sent = Date.parse('2026-01-01T12:00:00.000Z');
    expect(measureSkew('Thu, 01 Jan 2026 12:00:00 GMT', sent, sent + 200)).toBe(0);
    expect(measureSkew('Thu, 01 Jan 2026 12:10:00 GMT', sent, sent + 200)).toBe(600_400);
    expect(measureSkew('Thu, 01 Jan 2026 11:55:00 GMT', sent, sent)).toBe(-299_500);
    expect(measureSkew(null, sent, sent)).toBeNull();
    expect(measureSkew('garbage', sent, sent)).toBeNull();
  });
});
