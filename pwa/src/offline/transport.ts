/**
 * The till's calls to the sync API (docs/sync.md), through the one generated API client: the
 * device's id and credential in `X-Device-Id` / `X-Device-Key`, the till session's access token
 * added by the client, and every answer's `Date` measured against the device's clock.
 *
 * `classifyPush` is the single reading of a push answer: what the coordinator does next depends
 * only on it.
 */
import { api, authorizedFetch, type Schemas } from '@orbit/shared/api/client';
import { ApiError, problemFromBody, type Problem } from '@orbit/shared/api/problem';
import { timedFetch } from './clock';
import type { PushOutcome, PushTransport } from './coordinator';
import type { DeviceCredential, WireDocument } from './db';

export type CatalogPage = Schemas['CatalogPage'];

/** Requests of the till: the session's token (unless one is given) and the clock measured. */
export function tillFetch(request: Request): Promise<Response> {
  return timedFetch(request, authorizedFetch);
}

export function deviceHeaders(device: Pick<DeviceCredential, 'id' | 'credential'>, accessToken?: string): Record<string, string> {
  return {
    'X-Device-Id': device.id,
    'X-Device-Key': device.credential,
    ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
  };
}

const DEVICE_REFUSALS = new Set(['device_revoked', 'device_credential_invalid', 'unknown_device']);

/** Whether a problem means the server no longer accepts this device at all. */
export function isDeviceRefusal(problem: Pick<Problem, 'status' | 'code'>): boolean {
  return (problem.status === 403 || problem.status === 404) && DEVICE_REFUSALS.has(problem.code ?? '');
}

function retryAfterMs(problem: Problem | null, header: string | null): number | undefined {
  const fromBody = problem?.retry_after_ms;
  if (typeof fromBody === 'number' && fromBody > 0) return fromBody;
  const seconds = header ? Number(header) : Number.NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/** What a push answer means for the queue. */
export function classifyPush(status: number, body: unknown, retryAfterHeader: string | null = null): PushOutcome {
  if (status === 200) return { type: 'answered', result: body as Schemas['PushResult'] };
  const problem: Problem = body && typeof body === 'object' ? { ...(body as Problem), status } : { status };
  const message = problem.detail ?? problem.title ?? `HTTP ${status}`;
  if (isDeviceRefusal(problem)) return { type: 'device_refused', code: problem.code ?? 'device_refused', message };
  if (status === 401 || status === 403) return { type: 'unauthorized' };
  if (status === 413) return { type: 'too_large' };
  if (status === 408 || status === 409 || status === 425 || status === 429 || status >= 500) {
    return { type: 'retry', error: message, retryAfterMs: retryAfterMs(problem, retryAfterHeader) };
  }
  return { type: 'refused', status, message };
}

export const NETWORK_ERROR = 'network';

export class HttpPushTransport implements PushTransport {
  /** `hasSession` answers whether the till has a session to push with (refreshing it if needed). */
  constructor(private readonly hasSession: () => Promise<boolean>) {}

  async push(device: DeviceCredential, documents: WireDocument[]): Promise<PushOutcome> {
    let signedIn: boolean;
    try {
      signedIn = await this.hasSession();
    } catch {
      return { type: 'retry', error: NETWORK_ERROR };
    }
    if (!signedIn) return { type: 'unauthorized' };
    try {
      const { data, error, response } = await api.POST('/api/v1/sync/sales', {
        body: { device_id: device.id, sales: documents },
        headers: deviceHeaders(device),
        fetch: tillFetch,
      });
      return classifyPush(response.status, data ?? error, response.headers.get('retry-after'));
    } catch (error) {
      return { type: 'retry', error: error instanceof TypeError ? NETWORK_ERROR : String(error) };
    }
  }
}

/** One page of the catalog after `cursor` (null: a cold pull). Throws `ApiError` on refusal. */
export async function fetchCatalogPage(
  device: DeviceCredential,
  cursor: string | null,
  { limit = 5000, accessToken }: { limit?: number; accessToken?: string } = {},
): Promise<CatalogPage> {
  const { data, error, response } = await api.GET('/api/v1/sync/catalog', {
    params: { query: { cursor: cursor ?? undefined, limit } },
    headers: deviceHeaders(device, accessToken),
    fetch: tillFetch,
  });
  if (!data) throw new ApiError(problemFromBody(error, response));
  return data;
}

/** Tell the server the till is alive and how much it still holds. */
export async function sendHeartbeat(device: DeviceCredential, queuedDocuments: number): Promise<void> {
  const { error, response } = await api.POST('/api/v1/sync/heartbeat', {
    body: { queued_documents: queuedDocuments },
    headers: deviceHeaders(device),
    fetch: tillFetch,
  });
  if (!response.ok) throw new ApiError(problemFromBody(error, response));
}
