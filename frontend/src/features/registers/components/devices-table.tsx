/** Every POS device, active and revoked: its register, when it was last seen, how far it synced. */
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { DataTable } from '@orbit/shared/ui/data-table';
import { Empty } from '@orbit/shared/ui/states';
import { Badge } from '@orbit/shared/ui/surfaces';
import type { Device } from '../api';

export function DevicesTable({ devices, onRevoke }: { devices: Device[]; onRevoke: (device: Device) => void }) {
  const { t } = useTranslation('registers');
  const format = useFormat();
  const columns = useMemo<ColumnDef<Device, unknown>[]>(
    () => [
      { id: 'name', header: t('fields.name'), cell: ({ row }) => <span className="font-medium">{row.original.name}</span> },
      { id: 'register', header: t('fields.register'), cell: ({ row }) => <span className="font-mono">{row.original.register_code}</span> },
      {
        id: 'lastSeen',
        header: t('fields.lastSeen'),
        cell: ({ row }) =>
          row.original.last_seen_at ? (
            <time dateTime={row.original.last_seen_at} title={format.dateTime(row.original.last_seen_at)}>
              {format.relative(row.original.last_seen_at)}
            </time>
          ) : (
            <span className="text-slate-500">{t('devices.neverSeen')}</span>
          ),
      },
      { id: 'lastSeq', header: t('fields.lastSeq'), cell: ({ row }) => <span className="tabular-nums">{format.number(row.original.last_seq)}</span> },
      {
        id: 'status',
        header: t('fields.status'),
        cell: ({ row }) =>
          row.original.revoked_at ? (
            <Badge tone="danger">{t('devices.revokedOn', { date: format.dateTime(row.original.revoked_at) })}</Badge>
          ) : (
            <Badge tone="ok">{t('common:active')}</Badge>
          ),
      },
      {
        id: 'actions',
        header: () => <span className="sr-only">{t('common:actions')}</span>,
        cell: ({ row }) =>
          row.original.revoked_at ? null : (
            <Button variant="secondary" size="sm" aria-label={t('revoke.labelFor', { name: row.original.name })} onClick={() => onRevoke(row.original)}>
              {t('revoke.label')}
            </Button>
          ),
      },
    ],
    [t, format, onRevoke],
  );
  return (
    <DataTable
      columns={columns}
      rows={devices}
      caption={t('devices.caption')}
      rowKey={(device) => device.id}
      empty={<Empty title={t('devices.empty')}>{t('devices.emptyHint')}</Empty>}
    />
  );
}
