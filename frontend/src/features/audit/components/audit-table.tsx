/** One page of the log: time (shop's zone), who, action, entity; each row opens its changes. */
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { DataTable } from '@orbit/shared/ui/data-table';
import { Empty } from '@orbit/shared/ui/states';
import type { AuditEntry } from '../api';
import { useEntityLabel } from './entity-label';

export function AuditTable({ entries, actorName, onOpen }: { entries: AuditEntry[]; actorName: (actorId: string | null) => string; onOpen: (entry: AuditEntry) => void }) {
  const { t } = useTranslation('audit');
  const format = useFormat();
  const entityLabel = useEntityLabel();
  const columns = useMemo<ColumnDef<AuditEntry, unknown>[]>(
    () => [
      { id: 'at', header: t('fields.at'), cell: ({ row }) => <time dateTime={row.original.at} className="whitespace-nowrap">{format.dateTime(row.original.at)}</time> },
      { id: 'actor', header: t('fields.actor'), cell: ({ row }) => actorName(row.original.actor_id) },
      { id: 'action', header: t('fields.action'), cell: ({ row }) => <code className="text-xs text-slate-800">{row.original.action}</code> },
      {
        id: 'entity',
        header: t('fields.entity'),
        cell: ({ row }) => (
          <div>
            <p>{entityLabel(row.original.entity)}</p>
            <p className="max-w-56 truncate font-mono text-xs text-slate-500" title={row.original.entity_id}>
              {row.original.entity_id}
            </p>
          </div>
        ),
      },
      {
        id: 'view',
        header: () => <span className="sr-only">{t('view')}</span>,
        cell: ({ row }) => (
          <Button
            variant="secondary"
            size="sm"
            aria-label={t('viewFor', { action: row.original.action, at: format.dateTime(row.original.at) })}
            onClick={(event) => {
              event.stopPropagation();
              onOpen(row.original);
            }}
          >
            {t('view')}
          </Button>
        ),
      },
    ],
    [t, format, actorName, entityLabel, onOpen],
  );
  return <DataTable columns={columns} rows={entries} caption={t('caption')} rowKey={(entry) => entry.id} onRowClick={onOpen} empty={<Empty title={t('empty')}>{t('emptyHint')}</Empty>} />;
}
