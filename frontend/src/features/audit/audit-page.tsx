/**
 * The audit log (/audit, admins): filters in the URL, the date range in the shop's calendar days
 * (turned into the API's `since`/`until` instants of the shop's zone), newest first, paged; a
 * row opens what the entry changed.
 */
import { getRouteApi } from '@tanstack/react-router';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocality } from '@orbit/shared/format/locality';
import { Pager } from '@orbit/shared/ui/data-table';
import { ErrorState, Loading } from '@orbit/shared/ui/states';
import { PageHeader } from '@orbit/shared/ui/surfaces';
import { localDaysAsInstants } from '../../lib/local-days';
import { usePeopleNames } from '../../lib/people';
import { AUDIT_PAGE_SIZE, useAuditEntries, type AuditEntry, type AuditQuery } from './api';
import { AuditEntryDialog } from './components/audit-entry-dialog';
import { AuditFilters, type AuditSearch } from './components/audit-filters';
import { AuditTable } from './components/audit-table';
import './i18n';

const route = getRouteApi('/app/audit');

function auditQuery(search: AuditSearch, timeZone: string): AuditQuery {
  return {
    limit: AUDIT_PAGE_SIZE,
    offset: search.offset ?? 0,
    actor_id: search.actor_id,
    entity: search.entity_type,
    entity_id: search.entity_id,
    ...localDaysAsInstants(search.from, search.to, timeZone),
  };
}

export function AuditPage() {
  const { t } = useTranslation('audit');
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const { timeZone } = useLocality();
  const entries = useAuditEntries(auditQuery(search, timeZone));
  const people = usePeopleNames();
  const [open, setOpen] = useState<AuditEntry | null>(null);

  const names = people.data;
  const actorName = useCallback((actorId: string | null) => (actorId === null ? t('system') : (names?.get(actorId) ?? t('unknownActor'))), [names, t]);
  const changeSearch = (patch: Partial<AuditSearch>) => void navigate({ search: (previous) => ({ ...previous, ...patch }) });

  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <AuditFilters search={search} onChange={(patch) => changeSearch({ ...patch, offset: undefined })} />
      {entries.isPending ? (
        <Loading />
      ) : entries.isError ? (
        <ErrorState error={entries.error} onRetry={() => void entries.refetch()} />
      ) : (
        <>
          <AuditTable entries={entries.data.items} actorName={actorName} onOpen={setOpen} />
          <Pager
            offset={entries.data.offset}
            count={entries.data.items.length}
            nextOffset={entries.data.next_offset}
            limit={AUDIT_PAGE_SIZE}
            onOffset={(offset) => changeSearch({ offset: offset || undefined })}
          />
        </>
      )}
      {open ? <AuditEntryDialog entry={open} actorName={actorName} onClose={() => setOpen(null)} /> : null}
    </>
  );
}
