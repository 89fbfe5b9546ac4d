/**
 * The product list's search and filters, all kept in the URL (`q`, `category_id`, `active`).
 * The search box follows the typing and writes `q` after a short pause (so the server is asked
 * once per pause, not per key), and follows the URL back when it changes (back/forward).
 */
import { Search } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { Field, Input, NativeSelect } from '@orbit/shared/ui/field';
import { categoryTree, useCategories } from '../../../lib/categories';
import { useDebouncedValue } from '../../../lib/use-debounced';

export const SEARCH_DELAY_MS = 100;

export interface ProductsSearch {
  q?: string;
  offset?: number;
  category_id?: string;
  active?: boolean;
}

export type ChangeSearch = (patch: Partial<ProductsSearch>, options?: { replace?: boolean }) => void;

export function ProductsFilters({ search, onChange }: { search: ProductsSearch; onChange: ChangeSearch }) {
  const { t } = useTranslation('products');
  const categories = useCategories();
  const [text, setText] = useState(search.q ?? '');
  const settled = useDebouncedValue(text.trim(), SEARCH_DELAY_MS);
  const urlText = search.q ?? '';

  useEffect(() => {
    // Only a settled change of the typing writes the URL, replacing the entry: back goes to the
    // page before the search, not through every pause of the typing.
    if (settled !== urlText) onChange({ q: settled || undefined }, { replace: true });
  }, [settled]);

  useEffect(() => {
    // Only a change of the URL (back/forward, a link, clearing) rewrites the box.
    if (urlText !== settled) setText(urlText);
  }, [urlText]);

  const filtered = Boolean(search.q || search.category_id || search.active !== undefined);
  const status = search.active === undefined ? '' : search.active ? 'active' : 'archived';

  return (
    <section aria-label={t('filters.label')} className="mb-4 rounded-lg border border-slate-200 bg-white p-3 sm:p-4">
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(13rem,1fr)_auto]">
        <div role="search" className="sm:col-span-2 lg:col-span-1">
          <Field label={t('filters.search')}>
            {(control) => (
              <div className="relative">
                <Search aria-hidden="true" className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-slate-400" />
                <Input
                  {...control}
                  type="search"
                  className="pl-9"
                  value={text}
                  placeholder={t('filters.searchPlaceholder')}
                  autoComplete="off"
                  spellCheck={false}
                  onChange={(event) => setText(event.target.value)}
                />
              </div>
            )}
          </Field>
        </div>
        <Field label={t('filters.category')}>
          {(control) => (
            <NativeSelect {...control} value={search.category_id ?? ''} onChange={(event) => onChange({ category_id: event.target.value || undefined })}>
              <option value="">{t('filters.anyCategory')}</option>
              {categoryTree(categories.data ?? []).map(({ category, path }) => (
                <option key={category.id} value={category.id}>
                  {path}
                </option>
              ))}
            </NativeSelect>
          )}
        </Field>
        <Field label={t('filters.status')}>
          {(control) => (
            <NativeSelect
              {...control}
              value={status}
              onChange={(event) => onChange({ active: event.target.value === '' ? undefined : event.target.value === 'active' })}
            >
              <option value="">{t('filters.anyStatus')}</option>
              <option value="active">{t('filters.active')}</option>
              <option value="archived">{t('filters.archived')}</option>
            </NativeSelect>
          )}
        </Field>
        <div className="flex items-end">
          <Button
            variant="ghost"
            disabled={!filtered}
            onClick={() => {
              setText('');
              onChange({ q: undefined, category_id: undefined, active: undefined });
            }}
          >
            {t('filters.clear')}
          </Button>
        </div>
      </div>
    </section>
  );
}
