/** The users list's search (applied on Enter) and role filter (applied at once). */
import { Search } from 'lucide-react';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { Field, Input, NativeSelect } from '@orbit/shared/ui/field';
import { ROLES } from '../api';

export interface UsersSearch {
  q?: string;
  role?: string;
  offset?: number;
}

export function UsersFilters({ search, onChange }: { search: UsersSearch; onChange: (patch: Partial<UsersSearch>) => void }) {
  const { t } = useTranslation('users');
  const [text, setText] = useState(search.q ?? '');
  useEffect(() => setText(search.q ?? ''), [search.q]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange({ q: text.trim() || undefined });
  };
  return (
    <section aria-label={t('filters.label')} className="mb-4 grid grid-cols-1 gap-3 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-2 sm:p-4">
      <form role="search" onSubmit={submit}>
        <Field label={t('filters.search')} hint={t('filters.searchHint')}>
          {(control) => (
            <div className="flex gap-2">
              <Input {...control} type="search" autoComplete="off" value={text} onChange={(event) => setText(event.target.value)} />
              <Button type="submit" variant="secondary" size="icon" aria-label={t('filters.submit')}>
                <Search aria-hidden="true" />
              </Button>
            </div>
          )}
        </Field>
      </form>
      <Field label={t('filters.role')}>
        {(control) => (
          <NativeSelect {...control} value={search.role ?? ''} onChange={(event) => onChange({ role: event.target.value || undefined })}>
            <option value="">{t('filters.anyRole')}</option>
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {t(`roles.${role}`)}
              </option>
            ))}
          </NativeSelect>
        )}
      </Field>
    </section>
  );
}
