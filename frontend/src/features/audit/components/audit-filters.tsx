/**
 * The log's filters, all in the URL: who, entity type, entity id (applied on Enter), and a range
 * of the shop's calendar days (the page turns them into the instants the API takes).
 */
import { Search } from 'lucide-react';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { Field, Input, NativeSelect } from '@orbit/shared/ui/field';
import { usePeople } from '../../../lib/people';
import { useEntityTypes } from '../api';
import { useEntityLabel } from './entity-label';

export interface AuditSearch {
  offset?: number;
  actor_id?: string;
  entity_type?: string;
  entity_id?: string;
  from?: string;
  to?: string;
}

export function AuditFilters({ search, onChange }: { search: AuditSearch; onChange: (patch: Partial<AuditSearch>) => void }) {
  const { t } = useTranslation('audit');
  const actors = usePeople();
  const entityTypes = useEntityTypes();
  const entityLabel = useEntityLabel();
  const [entityId, setEntityId] = useState(search.entity_id ?? '');
  useEffect(() => setEntityId(search.entity_id ?? ''), [search.entity_id]);
  const filtered = Boolean(search.actor_id || search.entity_type || search.entity_id || search.from || search.to);
  const types = [...new Set([...(entityTypes.data ?? []), ...(search.entity_type ? [search.entity_type] : [])])];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange({ entity_id: entityId.trim() || undefined });
  };

  return (
    <section aria-label={t('filters.label')} className="mb-4 rounded-lg border border-slate-200 bg-white p-3 sm:p-4">
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-5">
        <Field label={t('filters.actor')}>
          {(control) => (
            <NativeSelect {...control} value={search.actor_id ?? ''} onChange={(event) => onChange({ actor_id: event.target.value || undefined })}>
              <option value="">{t('filters.anyActor')}</option>
              {(actors.data ?? []).map((actor) => (
                <option key={actor.id} value={actor.id}>
                  {actor.full_name}
                </option>
              ))}
            </NativeSelect>
          )}
        </Field>
        <Field label={t('filters.entityType')}>
          {(control) => (
            <NativeSelect {...control} value={search.entity_type ?? ''} onChange={(event) => onChange({ entity_type: event.target.value || undefined })}>
              <option value="">{t('filters.anyEntity')}</option>
              {types.map((type) => (
                <option key={type} value={type}>
                  {entityLabel(type)}
                </option>
              ))}
            </NativeSelect>
          )}
        </Field>
        <form role="search" onSubmit={submit}>
          <Field label={t('filters.entityId')} hint={t('filters.entityIdHint')}>
            {(control) => (
              <div className="flex gap-2">
                <Input {...control} className="font-mono" autoComplete="off" spellCheck={false} value={entityId} onChange={(event) => setEntityId(event.target.value)} />
                <Button type="submit" variant="secondary" size="icon" aria-label={t('filters.entityId')}>
                  <Search aria-hidden="true" />
                </Button>
              </div>
            )}
          </Field>
        </form>
        <Field label={t('filters.from')}>
          {(control) => <Input {...control} type="date" value={search.from ?? ''} max={search.to} onChange={(event) => onChange({ from: event.target.value || undefined })} />}
        </Field>
        <Field label={t('filters.to')}>
          {(control) => <Input {...control} type="date" value={search.to ?? ''} min={search.from} onChange={(event) => onChange({ to: event.target.value || undefined })} />}
        </Field>
      </div>
      {filtered ? (
        <div className="mt-3 flex justify-end">
          <Button variant="ghost" size="sm" onClick={() => onChange({ actor_id: undefined, entity_type: undefined, entity_id: undefined, from: undefined, to: undefined })}>
            {t('filters.clear')}
          </Button>
        </div>
      ) : null}
    </section>
  );
}
