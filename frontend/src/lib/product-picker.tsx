/**
 * The product picker: a WAI-ARIA 1.2 combobox that searches the catalog on the server as you
 * type (name contains, SKU or barcode starts with; `GET /api/v1/products?search=`, after a short
 * pause). Arrows move through the matches, Enter or a click picks, Escape closes.
 *
 * Barcode scanners type the code and press Enter at once: Enter without a highlighted match asks
 * the server right away (not after the pause) and picks the product whose barcode or SKU is
 * exactly what was typed, or the only match; otherwise the list stays open to choose from.
 *
 * Two modes: `add` empties the box after each pick (adding lines to a form, scan after scan);
 * `select` shows the chosen product as a removable chip (a filter).
 */
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { X } from 'lucide-react';
import { useId, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '@orbit/shared/api/client';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { cn } from '@orbit/shared/ui/cn';
import { Input, Label } from '@orbit/shared/ui/field';
import { productsKey } from './live-stock';
import { useDebouncedValue } from './use-debounced';
import './inventory-i18n';

export type PickedProduct = Schemas['ProductRead'];

export const PICKER_DELAY_MS = 200;
const PICKER_RESULTS = 8;

function pickerQuery(search: string, activeOnly: boolean) {
  return { search, limit: PICKER_RESULTS, ...(activeOnly ? { is_active: true } : {}) };
}

function pickerOptions(search: string, activeOnly: boolean) {
  const query = pickerQuery(search, activeOnly);
  return {
    queryKey: [...productsKey, 'list', query] as const,
    queryFn: () => unwrap(api.GET('/api/v1/products', { params: { query } })),
    staleTime: 10_000,
  };
}

/** The product whose barcode, or else SKU (any case), is exactly `text`. */
export function exactProduct<P extends Pick<PickedProduct, 'barcode' | 'sku'>>(products: readonly P[], text: string): P | undefined {
  const wanted = text.trim();
  if (!wanted) return undefined;
  return products.find((product) => product.barcode === wanted) ?? products.find((product) => product.sku.toLowerCase() === wanted.toLowerCase());
}

export interface ProductPickerProps {
  label: string;
  onPick: (product: PickedProduct) => void;
  mode?: 'add' | 'select';
  /** `select` mode: the chosen product, shown as a chip instead of the box. */
  selected?: Pick<PickedProduct, 'id' | 'name' | 'sku'> | null;
  onClear?: () => void;
  /** Only products on sale (archived ones are left out). */
  activeOnly?: boolean;
  /** Help under the box; null for none (a filter among other filters). */
  hint?: string | null;
  className?: string;
}

export function ProductPicker({ label, onPick, mode = 'add', selected, onClear, activeOnly = true, hint, className }: ProductPickerProps) {
  const { t } = useTranslation('inventory');
  const format = useFormat();
  const queryClient = useQueryClient();
  const id = useId();
  const listId = `${id}-list`;
  const hintId = `${id}-hint`;
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [announcement, setAnnouncement] = useState('');
  const search = useDebouncedValue(text.trim(), PICKER_DELAY_MS);
  const results = useQuery({ ...pickerOptions(search, activeOnly), enabled: open && search.length > 0, placeholderData: keepPreviousData });
  const options = search ? (results.data?.items ?? []) : [];
  const showList = open && text.trim().length > 0;

  const pick = (product: PickedProduct) => {
    onPick(product);
    setOpen(false);
    setActive(-1);
    setText('');
    setAnnouncement(t(mode === 'add' ? 'picker.added' : 'picker.chosen', { name: product.name }));
  };

  const pickExact = async () => {
    const typed = text.trim();
    if (!typed) return;
    const page = await queryClient.fetchQuery(pickerOptions(typed, activeOnly)).catch(() => null);
    if (!page || text.trim() !== typed) return;
    const match = exactProduct(page.items, typed) ?? (page.items.length === 1 ? page.items[0] : undefined);
    if (match) pick(match);
    else {
      setOpen(true);
      setAnnouncement(t('picker.noExact'));
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setOpen(true);
      setActive((index) => Math.min(index + 1, options.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((index) => Math.max(index - 1, -1));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const highlighted = showList && active >= 0 ? options[active] : undefined;
      if (highlighted) pick(highlighted);
      else void pickExact();
    } else if (event.key === 'Escape') {
      if (open) event.preventDefault();
      setOpen(false);
      setActive(-1);
    }
  };

  const status = (
    <p role="status" className="sr-only">
      {announcement}
    </p>
  );

  if (mode === 'select' && selected) {
    return (
      <div className={cn('space-y-1', className)}>
        <p id={id} className="text-sm font-medium text-slate-700">
          {label}
        </p>
        <div
          role="group"
          aria-labelledby={id}
          className="flex h-10 items-center justify-between gap-2 rounded-md border border-brand-100 bg-brand-50 px-3 text-sm"
        >
          <span className="truncate">
            {selected.name} <span className="text-xs text-slate-600">{selected.sku}</span>
          </span>
          <Button variant="ghost" size="sm" className="h-7 px-1" aria-label={t('picker.clear')} onClick={onClear}>
            <X aria-hidden="true" />
          </Button>
        </div>
        {status}
      </div>
    );
  }

  return (
    <div className={cn('space-y-1', className)}>
      <Label htmlFor={id}>{label}</Label>
      <div className="relative">
        <Input
          id={id}
          role="combobox"
          type="text"
          inputMode="search"
          aria-expanded={showList}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-describedby={hint === null ? undefined : hintId}
          aria-activedescendant={showList && active >= 0 && options[active] ? `${id}-option-${active}` : undefined}
          autoComplete="off"
          spellCheck={false}
          placeholder={t('picker.placeholder')}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setActive(-1);
            setOpen(true);
          }}
          onFocus={() => text && setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKeyDown}
        />
        <ul
          id={listId}
          role="listbox"
          aria-label={t('picker.results')}
          hidden={!showList}
          className="absolute top-full z-30 mt-1 max-h-72 w-full overflow-y-auto rounded-md border border-slate-200 bg-white py-1 shadow-lg"
        >
          {options.map((product, index) => (
            <li
              key={product.id}
              id={`${id}-option-${index}`}
              role="option"
              aria-selected={index === active}
              // mousedown, not click: the input's blur would close the list before the click lands.
              onMouseDown={(event) => {
                event.preventDefault();
                pick(product);
              }}
              onMouseEnter={() => setActive(index)}
              className={cn('cursor-pointer px-3 py-2 text-sm', index === active && 'bg-brand-50 text-brand-700')}
            >
              <span className="flex justify-between gap-3">
                <span className="truncate font-medium">{product.name}</span>
                <span className="shrink-0 text-xs text-slate-600 tabular-nums">{t('picker.inStock', { quantity: format.number(product.stock) })}</span>
              </span>
              <span className="block truncate text-xs text-slate-600">
                {product.sku}
                {product.barcode ? ` · ${product.barcode}` : ''}
                {product.is_active ? '' : ` · ${t('picker.archived')}`}
              </span>
            </li>
          ))}
          {showList && options.length === 0 ? (
            <li role="presentation" className="px-3 py-2 text-sm text-slate-600">
              {results.isFetching || search !== text.trim() ? t('picker.searching') : t('picker.noMatches')}
            </li>
          ) : null}
        </ul>
      </div>
      {hint === null ? null : (
        <p id={hintId} className="text-xs text-slate-500">
          {hint ?? t('picker.hint')}
        </p>
      )}
      {status}
    </div>
  );
}
