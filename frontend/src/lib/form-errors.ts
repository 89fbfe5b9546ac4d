/**
 * Where a form shows a server error: each message at the field it names (`errors[].loc`), and a
 * problem that names no field of the form in the banner (`<FormError>`). Some refusals carry
 * only a code (409 `email_taken`): `byCode` puts their detail at a field too.
 *
 * Invariant: no error is lost. A problem is shown at its fields when it names only fields of the
 * form; a message for a field the form does not have sends the whole problem to the banner too.
 */
import { ApiError } from '@orbit/shared/api/problem';

export interface FormErrors<F extends string> {
  fields: Partial<Record<F, string>>;
  banner: unknown;
}

export function formErrors<F extends string>(error: unknown, fields: readonly F[], byCode: Partial<Record<string, F>> = {}): FormErrors<F> {
  if (!error) return { fields: {}, banner: null };
  if (!(error instanceof ApiError)) return { fields: {}, banner: error };
  const found: Partial<Record<F, string>> = {};
  const known = new Set<string>(fields);
  const messages = error.fieldErrors();
  let unplaced = false;
  for (const [key, message] of Object.entries(messages)) {
    if (known.has(key)) found[key as F] = message;
    else unplaced = true;
  }
  const coded = error.code ? byCode[error.code] : undefined;
  if (coded && !found[coded]) found[coded] = error.message;
  const placed = Object.keys(found).length > 0;
  return { fields: found, banner: placed && !unplaced ? null : error };
}
