/**
 * Registers and POS devices (/registers, admins and managers): the registers with their open
 * shift, last number and device; every device with its sync state; pairing a new device with a
 * one-time code; revoking a device. Device presence and last-seen times follow the `registers`
 * topic live.
 */
import { useQueryClient } from '@tanstack/react-query';
import { Plus } from 'lucide-react';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RegisterPresence } from '@orbit/shared/realtime/client';
import { Button } from '@orbit/shared/ui/button';
import { ConfirmDialog } from '@orbit/shared/ui/confirm-dialog';
import { ErrorState, Loading } from '@orbit/shared/ui/states';
import { Card, CardTitle, PageHeader } from '@orbit/shared/ui/surfaces';
import { toast } from '@orbit/shared/ui/toast';
import { useRealtimeEvent, useRealtimeReload, useRegisterPresence } from '../../lib/realtime';
import { useRegisters, type Register } from '../../lib/registers';
import { devicesKey, useDevices, useRevokeDevice, useSetRegisterActive, type Device } from './api';
import { DevicesTable } from './components/devices-table';
import { PairingDialog } from './components/pairing-dialog';
import { RegisterFormDialog } from './components/register-form-dialog';
import { RegistersTable, type RegisterAction } from './components/registers-table';
import './i18n';

type Open =
  | { kind: 'create' }
  | { kind: 'rename' | 'pair' | 'deactivate'; register: Register }
  | { kind: 'revoke'; device: Device };

/** Online state per register id, from the live presence frames. */
function usePresence(): ReadonlyMap<string, RegisterPresence> {
  const [presence, setPresence] = useState<ReadonlyMap<string, RegisterPresence>>(new Map());
  useRegisterPresence((registers) => setPresence(new Map(registers.map((register) => [register.register_id, register]))));
  return presence;
}

/** A device's heartbeat moves its last-seen time in the cached list without a refetch. */
function useLiveDevices() {
  const client = useQueryClient();
  useRealtimeEvent('registers', (event) => {
    const data = event.data as { device_id?: string; last_seen_at?: string } | null;
    if (event.type !== 'register.heartbeat' || !data?.device_id || !data.last_seen_at) return;
    client.setQueryData<Device[]>(devicesKey, (devices) => devices?.map((device) => (device.id === data.device_id ? { ...device, last_seen_at: data.last_seen_at ?? null } : device)));
  });
  useRealtimeReload('registers', () => void client.invalidateQueries({ queryKey: devicesKey }));
}

export function RegistersPage() {
  const { t } = useTranslation('registers');
  const registers = useRegisters();
  const devices = useDevices();
  const presence = usePresence();
  useLiveDevices();
  const [open, setOpen] = useState<Open | null>(null);
  const close = () => setOpen(null);
  const setActive = useSetRegisterActive();
  const revoke = useRevokeDevice();
  const { mutate: setActiveNow, reset: resetSetActive } = setActive;
  const resetRevoke = revoke.reset;

  const onAction = useCallback(
    (register: Register, action: RegisterAction) => {
      if (action === 'activate') {
        setActiveNow({ registerId: register.id, active: true }, { onSuccess: () => toast(t('activate.done', { code: register.code })), onError: (error) => toast(error.message, { tone: 'error' }) });
      } else {
        resetSetActive();
        setOpen({ kind: action, register });
      }
    },
    [setActiveNow, resetSetActive, t],
  );
  const onRevoke = useCallback(
    (device: Device) => {
      resetRevoke();
      setOpen({ kind: 'revoke', device });
    },
    [resetRevoke],
  );

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={
          <Button onClick={() => setOpen({ kind: 'create' })}>
            <Plus aria-hidden="true" />
            {t('add')}
          </Button>
        }
      />
      <div className="space-y-6">
        <Card aria-labelledby="registers-title">
          <CardTitle id="registers-title">{t('registers.title')}</CardTitle>
          <div className="mt-3">
            {registers.isPending ? (
              <Loading />
            ) : registers.isError ? (
              <ErrorState error={registers.error} onRetry={() => void registers.refetch()} />
            ) : (
              <RegistersTable registers={registers.data} devices={devices.data} presence={presence} onAction={onAction} />
            )}
          </div>
        </Card>
        <Card aria-labelledby="devices-title">
          <CardTitle id="devices-title">{t('devices.title')}</CardTitle>
          <div className="mt-3">
            {devices.isPending ? (
              <Loading />
            ) : devices.isError ? (
              <ErrorState error={devices.error} onRetry={() => void devices.refetch()} />
            ) : (
              <DevicesTable devices={devices.data} onRevoke={onRevoke} />
            )}
          </div>
        </Card>
      </div>

      {open?.kind === 'create' ? <RegisterFormDialog register={null} onClose={close} /> : null}
      {open?.kind === 'rename' ? <RegisterFormDialog register={open.register} onClose={close} /> : null}
      {open?.kind === 'pair' ? <PairingDialog register={open.register} onClose={close} /> : null}
      {open?.kind === 'deactivate' ? (
        <ConfirmDialog
          open
          onOpenChange={(value) => !value && close()}
          title={t('deactivate.title', { code: open.register.code })}
          description={t('deactivate.description')}
          confirmLabel={t('deactivate.confirm')}
          pending={setActive.isPending}
          error={setActive.error}
          onConfirm={() =>
            setActive.mutate(
              { registerId: open.register.id, active: false },
              {
                onSuccess: () => {
                  toast(t('deactivate.done', { code: open.register.code }));
                  close();
                },
              },
            )
          }
        />
      ) : null}
      {open?.kind === 'revoke' ? (
        <ConfirmDialog
          open
          onOpenChange={(value) => !value && close()}
          title={t('revoke.title', { name: open.device.name })}
          description={t('revoke.description')}
          confirmLabel={t('revoke.confirm')}
          pending={revoke.isPending}
          error={revoke.error}
          onConfirm={() =>
            revoke.mutate(open.device.id, {
              onSuccess: () => {
                toast(t('revoke.done', { name: open.device.name }));
                close();
              },
            })
          }
        />
      ) : null}
    </>
  );
}
