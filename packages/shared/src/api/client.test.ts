import { describe, expect, it } from 'vitest';
import { api, unwrap } from './client';
import { ApiError } from './problem';

describe('unwrap', () => {
  it('keeps the server’s problem document (openapi-fetch has already read the body)', async () => {
    const problem = { type: 'about:blank', title: 'Conflict', status: 409, detail: 'this email already has an account', code: 'email_taken' };
    const fetch = async () => new Response(JSON.stringify(problem), { status: 409, statusText: 'Conflict', headers: { 'content-type': 'application/problem+json' } });
    const failure = await unwrap(api.GET('/api/v1/me', { fetch })).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).code).toBe('email_taken');
    expect((failure as ApiError).message).toBe('this email already has an account');
  });

  it('makes up a problem for a body that is not one', async () => {
    const fetch = async () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' });
    const failure = (await unwrap(api.GET('/api/v1/me', { fetch })).catch((error: unknown) => error)) as ApiError;
    expect(failure.status).toBe(502);
    expect(failure.message).toBe('Bad Gateway');
  });
});
