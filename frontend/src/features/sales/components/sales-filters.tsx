/**
 * The sales list's filters. Selects and dates apply as soon as they change; the invoice number
 * applies on Enter (or the search button), so typing does not reload the list per key.
 */
import { Search, SlidersHorizontal } from 'lucide-react';
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { cn } from '@orbit/shared/ui/cn';
import { Field, Input, NativeSelect } from '@orbit/shared/ui/field';
import { RegisterSelect } from '../../../lib/register-select';
import { usePeopleNames } from '../../../lib/people';
import { CustomerFilter } from './customer-filter';

export interface SalesSearch {
  q?: string;
  offset?: number;
  from?: string;
  to?: string;
  register_id?: string;
  cashier_id?: string;
  customer_id?: string;
  status?: string;
}

export function SalesFilters({ search, onChange }: { search: SalesSearch; onChange: (patch: Partial<SalesSearch>) => void }) {
  const { t } = useTranslation('sales');
  const people = usePeopleNames();
  const [number, setNumber] = useState(search.q ?? '');
  useEffect(() => setNumber(search.q ?? ''), [search.q]);

  const cashiers = useMemo(
    () => [...(people.data ?? new Map<string, string>()).entries()].sort(([, a], [, b]) => a.localeCompare(b)),
    [people.data],
  );
  const chosen = [search.from, search.to, search.register_id, search.cashier_id, search.customer_id, search.status].filter(Boolean).length;
  const filtered = Boolean(search.q) || chosen > 0;
  // On a phone the filters other than the number fold away behind a button.
  const [expanded, setExpanded] = useState(false);
  const moreId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange({ q: number.trim() || undefined });
  };

  return (
    <section aria-label={t('filters.label')} className="mb-4 rounded-lg border border-slate-200 bg-white p-3 sm:p-4">
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <form role="search" onSubmit={submit} className="sm:col-span-2 lg:col-span-1">
          <Field label={t('filters.number')} hint={t('filters.numberHint')}>
            {(control) => (
              <div className="flex gap-2">
                <Input {...control} type="search" value={number} onChange={(event) => setNumber(event.target.value)} placeholder="R1-1024" autoComplete="off" />
                <Button type="submit" variant="secondary" size="icon" aria-label={t('filters.searchNumber')}>
                  <Search aria-hidden="true" />
                </Button>
              </div>
            )}
          </Field>
        </form>
        <Button variant="secondary" className="sm:hidden" aria-expanded={expanded} aria-controls={moreId} onClick={() => setExpanded(!expanded)}>
          <SlidersHorizontal aria-hidden="true" />
          {t('filters.more', { count: chosen })}
        </Button>
        <div id={moreId} className={cn(expanded ? 'grid' : 'hidden', 'grid-cols-1 gap-3 sm:contents')}>
          <Field label={t('filters.from')}>
            {(control) => <Input {...control} type="date" value={search.from ?? ''} max={search.to} onChange={(event) => onChange({ from: event.target.value || undefined })} />}
          </Field>
          <Field label={t('filters.to')}>
            {(control) => <Input {...control} type="date" value={search.to ?? ''} min={search.from} onChange={(event) => onChange({ to: event.target.value || undefined })} />}
          </Field>
          <Field label={t('fields.status')}>
            {(control) => (
              <NativeSelect {...control} value={search.status ?? ''} onChange={(event) => onChange({ status: event.target.value || undefined })}>
                <option value="">{t('filters.anyStatus')}</option>
                <option value="completed">{t('status.completed')}</option>
                <option value="voided">{t('status.voided')}</option>
              </NativeSelect>
            )}
          </Field>
          <RegisterSelect label={t('fields.register')} anyLabel={t('filters.anyRegister')} value={search.register_id} onChange={(register_id) => onChange({ register_id })} />
          <Field label={t('fields.cashier')}>
            {(control) => (
              <NativeSelect {...control} value={search.cashier_id ?? ''} onChange={(event) => onChange({ cashier_id: event.target.value || undefined })}>
                <option value="">{t('filters.anyCashier')}</option>
                {cashiers.map(([id, name]) => (
                  <option key={id} value={id}>
                    {name}
                  </option>
                ))}
                {search.cashier_id && !people.data?.has(search.cashier_id) ? <option value={search.cashier_id}>{t('filters.unknownPerson')}</option> : null}
              </NativeSelect>
            )}
          </Field>
          <CustomerFilter customerId={search.customer_id} onChange={(customer_id) => onChange({ customer_id })} />
          <div className="flex items-end">
            <Button
              variant="ghost"
              disabled={!filtered}
              onClick={() => onChange({ q: undefined, from: undefined, to: undefined, register_id: undefined, cashier_id: undefined, customer_id: undefined, status: undefined })}
            >
              {t('filters.clear')}
            </Button>
          </div>
        </div>
      </div>
    </section>
  );
}
