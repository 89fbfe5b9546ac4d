/**
 * Registers and their POS devices: the registers list is the app-wide `['registers']` query
 * (`lib/registers`); devices are `['devices']`. Pairing codes are never cached: each lives in
 * the dialog that made it, and nowhere else.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '@orbit/shared/api/client';
import { registersKey } from '../../lib/registers';

export type Device = Schemas['DeviceRead'];
export type PairingCode = Schemas['PairingCodeRead'];
export type RegisterCreate = Schemas['RegisterCreate'];
export type RegisterUpdate = Schemas['RegisterUpdate'];

export const devicesKey = ['devices'] as const;

/** Every device of the shop; `pollMs` polls while someone waits for a device to pair. */
export function useDevices(pollMs?: number) {
  return useQuery({
    queryKey: devicesKey,
    queryFn: () => unwrap(api.GET('/api/v1/sync/devices')),
    refetchInterval: pollMs ?? false,
  });
}

export function useCreateRegister() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: RegisterCreate) => unwrap(api.POST('/api/v1/registers', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: registersKey }),
  });
}

export function useUpdateRegister(registerId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: RegisterUpdate) => unwrap(api.PATCH('/api/v1/registers/{register_id}', { params: { path: { register_id: registerId } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: registersKey }),
  });
}

export function useSetRegisterActive() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ registerId, active }: { registerId: string; active: boolean }) =>
      unwrap(api.PATCH('/api/v1/registers/{register_id}', { params: { path: { register_id: registerId } }, body: { is_active: active } })),
    onSuccess: () => client.invalidateQueries({ queryKey: registersKey }),
  });
}

export function useRevokeDevice() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (deviceId: string) => unwrap(api.DELETE('/api/v1/sync/devices/{device_id}', { params: { path: { device_id: deviceId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: devicesKey }),
  });
}

export function useCreatePairingCode() {
  return useMutation({
    mutationFn: async (body: Schemas['PairingCodeCreate']) => ({ code: await unwrap(api.POST('/api/v1/sync/pairing-codes', { body })), receivedAt: Date.now() }),
  });
}

/** The register's device that is not revoked, if any (a register has at most one). */
export function activeDeviceOf(devices: Device[] | undefined, registerId: string): Device | undefined {
  return devices?.find((device) => device.register_id === registerId && device.revoked_at === null);
}
