/** Percentiles and summaries of samples in milliseconds (nearest-rank percentiles, no interpolation). */

export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function round(value, digits = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** `{ n, p50, p95, max, min }` of `values`, rounded to 0.1 ms. */
export function summary(values) {
  return {
    n: values.length,
    min: round(values.length ? Math.min(...values) : null),
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    max: round(values.length ? Math.max(...values) : null),
  };
}

/** `a / b` rounded to two digits, or null when either is missing. */
export function ratio(a, b) {
  return a === null || b === null || b === 0 ? null : round(a / b, 2);
}
