import { describe, expect, it } from 'vitest';
import { ApiError } from '@orbit/shared/api/problem';
import { formErrors } from './form-errors';

const FIELDS = ['email', 'password'] as const;

describe('form errors', () => {
  it('puts each field message at its field and nothing in the banner', () => {
    const error = new ApiError({ status: 422, detail: 'use at least 10 characters', errors: [{ loc: ['body', 'password'], msg: 'use at least 10 characters' }] });
    expect(formErrors(error, FIELDS)).toEqual({ fields: { password: 'use at least 10 characters' }, banner: null });
  });

  it('places a coded refusal at the field it concerns', () => {
    const error = new ApiError({ status: 409, detail: 'this email already has an account', code: 'email_taken' });
    expect(formErrors(error, FIELDS, { email_taken: 'email' })).toEqual({ fields: { email: 'this email already has an account' }, banner: null });
  });

  it('sends what names no field of the form to the banner', () => {
    const last = new ApiError({ status: 409, detail: 'an organization must keep at least one active admin', code: 'last_admin' });
    expect(formErrors(last, FIELDS).banner).toBe(last);
    const stray = new ApiError({ status: 422, errors: [{ loc: ['body', 'role'], msg: 'bad' }, { loc: ['body', 'email'], msg: 'bad email' }] });
    expect(formErrors(stray, FIELDS)).toEqual({ fields: { email: 'bad email' }, banner: stray });
    const network = new TypeError('Failed to fetch');
    expect(formErrors(network, FIELDS)).toEqual({ fields: {}, banner: network });
    expect(formErrors(null, FIELDS)).toEqual({ fields: {}, banner: null });
  });
});
