/**
 * Setting a till up (docs/pos.md, "Setting a device up"): a manager or admin signs in on it, or
 * a pairing code from the web app is typed, and the device receives its credential from
 * `/api/v1/sync/devices` (or `/api/v1/sync/pairing`); `installDevice` stores it.
 *
 * The manager's sign-in uses the JSON token flow, never the browser's session cookie, and is
 * ended (`endManagerSession`) as soon as the till has what it needs: a manager's session must not
 * stay on a till a cashier uses.
 *
 * Invariant: installing a device starts its sequence after the device's `last_seq` and asks for
 * a cold catalog pull; the queue of a device set up earlier on this till stays, under that
 * device, never renumbered.
 */
import { api, type Schemas } from '@orbit/shared/api/client';
import { ApiError, problemFromBody } from '@orbit/shared/api/problem';
import type { DeviceCredential, PosDatabase } from './db';
import { tillFetch } from './transport';

export type DeviceCredentials = Schemas['DeviceCredentials'];
export type TokenPair = Schemas['TokenPair'];

export interface RegisterChoice {
  id: string;
  code: string;
  name: string;
  is_active: boolean;
  last_number: number;
  /** The name of the device already serving it, if any (registering replaces it). */
  device_name: string | null;
}

function bearer(accessToken: string): Record<string, string> {
  return { authorization: `Bearer ${accessToken}` };
}

/** Sign a manager or admin in for the set-up only (JSON tokens; 403 `role` for a cashier). */
export async function signInManager(email: string, password: string): Promise<TokenPair> {
  const { data, error, response } = await api.POST('/api/v1/auth/login', { body: { email, password }, fetch: tillFetch });
  if (!data) throw new ApiError(problemFromBody(error, response));
  if (data.user.role !== 'admin' && data.user.role !== 'manager') {
    await endManagerSession(data.refresh_token);
    throw new ApiError({ status: 403, code: 'role_forbidden', title: 'Only a manager or an admin can set a till up' });
  }
  return data;
}

/** End the set-up session on the server (its refresh token stops working at once). */
export async function endManagerSession(refreshToken: string): Promise<void> {
  await api.POST('/api/v1/auth/logout', { body: { refresh_token: refreshToken }, fetch: tillFetch }).catch(() => undefined);
}

/** The shop's active registers, each with the device that serves it now. */
export async function listRegisterChoices(accessToken: string): Promise<RegisterChoice[]> {
  const [registers, devices] = await Promise.all([
    api.GET('/api/v1/registers', { headers: bearer(accessToken), fetch: tillFetch }),
    api.GET('/api/v1/sync/devices', { headers: bearer(accessToken), fetch: tillFetch }),
  ]);
  if (!registers.data) throw new ApiError(problemFromBody(registers.error, registers.response));
  if (!devices.data) throw new ApiError(problemFromBody(devices.error, devices.response));
  const serving = new Map(devices.data.filter((device) => !device.revoked_at).map((device) => [device.register_id, device.name]));
  return registers.data
    .filter((register) => register.is_active)
    .map((register) => ({ ...register, device_name: serving.get(register.id) ?? null }))
    .sort((a, b) => a.code.localeCompare(b.code));
}

export async function registerDevice(accessToken: string, registerId: string, name: string, replace: boolean): Promise<DeviceCredentials> {
  const { data, error, response } = await api.POST('/api/v1/sync/devices', {
    body: { register_id: registerId, name, replace },
    headers: bearer(accessToken),
    fetch: tillFetch,
  });
  if (!data) throw new ApiError(problemFromBody(error, response));
  return data;
}

/** Pair with a one-time code from the web app (no sign-in; 422 `pairing_code_invalid`). */
export async function pairWithCode(code: string, name: string): Promise<DeviceCredentials> {
  const { data, error, response } = await api.POST('/api/v1/sync/pairing', { body: { code, name }, fetch: tillFetch });
  if (!data) throw new ApiError(problemFromBody(error, response));
  return data;
}

/** Store a new device as this till's own, ready for a cold pull. */
export async function installDevice(db: PosDatabase, credentials: DeviceCredentials): Promise<DeviceCredential> {
  const device: DeviceCredential = {
    id: credentials.device.id,
    credential: credentials.credential,
    register_id: credentials.device.register_id,
    register_code: credentials.device.register_code,
    name: credentials.device.name,
    own: true,
  };
  await db.transaction('rw', [db.devices, db.meta], async () => {
    const previous = await db.devices.filter((row) => row.own).toArray();
    await db.devices.bulkPut(previous.map((row) => ({ ...row, own: false })));
    await db.devices.put(device);
    await db.setMeta('device', device);
    await db.setMeta('counters', { next_seq: credentials.device.last_seq + 1, next_number: 1 });
    await db.deleteMeta('cursor');
    await db.deleteMeta('device_refused');
  });
  return device;
}

/** A name for this till, from the browser, until someone types a better one. */
export function suggestedDeviceName(): string {
  const agent = globalThis.navigator?.userAgent ?? '';
  const browser = /Firefox/.test(agent) ? 'Firefox' : /Edg\//.test(agent) ? 'Edge' : /Chrome|Chromium/.test(agent) ? 'Chrome' : /Safari/.test(agent) ? 'Safari' : 'Browser';
  const platform = /Android/.test(agent)
    ? 'Android'
    : /iPad|iPhone/.test(agent)
      ? 'iPad'
      : /Windows/.test(agent)
        ? 'Windows'
        : /Mac/.test(agent)
          ? 'Mac'
          : /Linux/.test(agent)
            ? 'Linux'
            : '';
  return `POS ${browser}${platform ? ` ${platform}` : ''}`.slice(0, 60);
}
