/**
 * The device's clock against the server's. Documents carry the device's time (the protocol asks
 * for it: stock movements of offline sales happen when the till says), so a till whose clock is
 * far off must say so. Every answer's `Date` header (whole seconds) gives a measurement: the
 * server's time minus the midpoint of the request on the device's clock.
 */

/** Past this the till warns that its clock is wrong. */
export const SKEW_WARNING_MS = 2 * 60_000;
/** `Date` has whole seconds and the request takes time: differences below this are noise. */
const RESOLUTION_MS = 1_500;

/** Server time minus device time (ms), or null when the header is missing or unreadable. */
export function measureSkew(dateHeader: string | null, sentAt: number, receivedAt: number): number | null {
  if (!dateHeader) return null;
  const server = Date.parse(dateHeader);
  if (Number.isNaN(server)) return null;
  // The header truncates to the second: the server's instant lies within [server, server + 1 s).
  const skew = server + 500 - (sentAt + receivedAt) / 2;
  return Math.abs(skew) < RESOLUTION_MS ? 0 : Math.round(skew);
}

export function isSkewWorrying(skewMs: number | undefined | null): boolean {
  return skewMs !== undefined && skewMs !== null && Math.abs(skewMs) >= SKEW_WARNING_MS;
}

type SkewListener = (skewMs: number) => void;
const listeners = new Set<SkewListener>();

/** Hear every measurement (the runtime stores the latest and shows a warning). */
export function onSkewMeasured(listener: SkewListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** `fetch`, measuring the clock on the way. */
export async function timedFetch(input: Request, send: (request: Request) => Promise<Response> = fetch): Promise<Response> {
  const sentAt = Date.now();
  const response = await send(input);
  const skew = measureSkew(response.headers.get('date'), sentAt, Date.now());
  if (skew !== null) for (const listener of listeners) listener(skew);
  return response;
}
