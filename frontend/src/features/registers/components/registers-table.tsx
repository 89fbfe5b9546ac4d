/**
 * The registers: code, name, active, open shift, last invoice number, and the device on each
 * (with whether it is online, from the live presence of the `registers` topic).
 */
import { Link } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { MoreHorizontal } from 'lucide-react';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { RegisterPresence } from '@orbit/shared/realtime/client';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { cn } from '@orbit/shared/ui/cn';
import { DataTable } from '@orbit/shared/ui/data-table';
import { Menu } from '@orbit/shared/ui/menu';
import { Empty } from '@orbit/shared/ui/states';
import { Badge } from '@orbit/shared/ui/surfaces';
import type { Register } from '../../../lib/registers';
import { activeDeviceOf, type Device } from '../api';

export type RegisterAction = 'pair' | 'rename' | 'deactivate' | 'activate';

function DeviceCell({ device, presence }: { device?: Device; presence?: RegisterPresence }) {
  const { t } = useTranslation('registers');
  const format = useFormat();
  if (!device) return <span className="text-slate-500">{t('devices.none')}</span>;
  const online = presence?.online ?? false;
  const lastSeen = presence?.last_seen ?? device.last_seen_at;
  return (
    <div>
      <p className="flex items-center gap-1.5 font-medium">
        <span aria-hidden="true" className={cn('size-2 rounded-full', online ? 'bg-ok' : 'bg-slate-300')} />
        {device.name}
        <span className="sr-only">({online ? t('devices.online') : t('devices.offline')})</span>
      </p>
      <p className="text-xs text-slate-600">{lastSeen ? format.relative(lastSeen) : t('devices.neverSeen')}</p>
    </div>
  );
}

export function RegistersTable({
  registers,
  devices,
  presence,
  onAction,
}: {
  registers: Register[];
  devices?: Device[];
  presence: ReadonlyMap<string, RegisterPresence>;
  onAction: (register: Register, action: RegisterAction) => void;
}) {
  const { t } = useTranslation('registers');
  const format = useFormat();
  const columns = useMemo<ColumnDef<Register, unknown>[]>(
    () => [
      { id: 'code', header: t('fields.code'), cell: ({ row }) => <span className="font-mono font-medium">{row.original.code}</span> },
      { id: 'name', header: t('fields.name'), cell: ({ row }) => row.original.name },
      {
        id: 'status',
        header: t('fields.status'),
        cell: ({ row }) => <Badge tone={row.original.is_active ? 'ok' : 'neutral'}>{row.original.is_active ? t('common:active') : t('common:inactive')}</Badge>,
      },
      {
        id: 'shift',
        header: t('fields.openShift'),
        cell: ({ row }) =>
          row.original.open_shift_id ? (
            <Link
              to="/shifts/$shiftId"
              params={{ shiftId: row.original.open_shift_id }}
              aria-label={t('shiftLink', { code: row.original.code })}
              className="text-brand-700 underline-offset-4 hover:underline"
            >
              {t('shiftOpen')}
            </Link>
          ) : (
            <span className="text-slate-500">{t('noShift')}</span>
          ),
      },
      { id: 'lastNumber', header: t('fields.lastNumber'), cell: ({ row }) => <span className="tabular-nums">{format.number(row.original.last_number)}</span> },
      { id: 'device', header: t('fields.device'), cell: ({ row }) => <DeviceCell device={activeDeviceOf(devices, row.original.id)} presence={presence.get(row.original.id)} /> },
      {
        id: 'actions',
        header: () => <span className="sr-only">{t('common:actions')}</span>,
        cell: ({ row }) => {
          const register = row.original;
          return (
            <Menu
              trigger={
                <Button variant="ghost" size="icon" aria-label={t('actionsFor', { code: register.code })}>
                  <MoreHorizontal aria-hidden="true" />
                </Button>
              }
              items={[
                { label: t('actions.pair'), onSelect: () => onAction(register, 'pair'), disabled: !register.is_active },
                { label: t('actions.rename'), onSelect: () => onAction(register, 'rename') },
                register.is_active
                  ? { label: t('actions.deactivate'), onSelect: () => onAction(register, 'deactivate'), danger: true }
                  : { label: t('actions.activate'), onSelect: () => onAction(register, 'activate') },
              ]}
            />
          );
        },
      },
    ],
    [t, format, devices, presence, onAction],
  );
  return (
    <DataTable
      columns={columns}
      rows={registers}
      caption={t('registers.caption')}
      rowKey={(register) => register.id}
      empty={<Empty title={t('registers.empty')}>{t('registers.emptyHint')}</Empty>}
    />
  );
}
