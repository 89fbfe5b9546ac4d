/**
 * A searchable product combobox (WAI-ARIA 1.2 combobox with a listbox popup): type to search
 * `GET /api/v1/products?search=`, arrows move through the matches, Enter or a click chooses,
 * Escape closes. The chosen product's name stays in the box.
 */
import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { cn } from '@orbit/shared/ui/cn';
import { Input, Label } from '@orbit/shared/ui/field';
import { useProductSearch } from '../api';

export interface PickedProduct {
  id: string;
  name: string;
  sku: string;
}

const SEARCH_DELAY_MS = 250;

function useDebounced(value: string, delay: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

export function ProductPicker({ selected, onSelect }: { selected: PickedProduct | null; onSelect: (product: PickedProduct) => void }) {
  const { t } = useTranslation('forecasts');
  const id = useId();
  const listId = `${id}-list`;
  const [text, setText] = useState(selected?.name ?? '');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const search = useDebounced(text.trim(), SEARCH_DELAY_MS);
  const results = useProductSearch(open ? search : '');
  const options = results.data?.items ?? [];

  // Show the chosen product's name when it changes (not on every render of the parent).
  const selectedName = selected?.name;
  useEffect(() => {
    if (selectedName !== undefined) setText(selectedName);
  }, [selectedName]);

  const choose = (index: number) => {
    const product = options[index];
    if (!product) return;
    onSelect({ id: product.id, name: product.name, sku: product.sku });
    setText(product.name);
    setOpen(false);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setOpen(true);
      setActive((index) => Math.min(index + 1, Math.max(options.length - 1, 0)));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((index) => Math.max(index - 1, 0));
    } else if (event.key === 'Enter' && open && options.length > 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === 'Escape') {
      setOpen(false);
    }
  };

  const showList = open && search.length > 0;
  return (
    <div className="relative max-w-xl space-y-1">
      <Label htmlFor={id}>{t('product.label')}</Label>
      <Input
        id={id}
        role="combobox"
        aria-expanded={showList}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={showList && options[active] ? `${id}-option-${active}` : undefined}
        autoComplete="off"
        placeholder={t('product.placeholder')}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => text && setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      <ul
        id={listId}
        role="listbox"
        aria-label={t('product.label')}
        hidden={!showList}
        className="absolute z-20 mt-1 max-h-72 w-full overflow-y-auto rounded-md border border-slate-200 bg-white py-1 shadow-lg"
      >
        {options.map((product, index) => (
          <li
            key={product.id}
            id={`${id}-option-${index}`}
            role="option"
            aria-selected={index === active}
            // mousedown, not click: the input's blur would close the list before the click.
            onMouseDown={(event) => {
              event.preventDefault();
              choose(index);
            }}
            onMouseEnter={() => setActive(index)}
            className={cn('flex cursor-pointer justify-between gap-3 px-3 py-2 text-sm', index === active && 'bg-brand-50 text-brand-700')}
          >
            <span className="truncate">{product.name}</span>
            <span className="shrink-0 text-xs text-slate-500">{product.sku}</span>
          </li>
        ))}
        {showList && options.length === 0 ? (
          <li role="presentation" className="px-3 py-2 text-sm text-slate-500">
            {results.isFetching ? t('product.searching') : t('product.noMatches')}
          </li>
        ) : null}
      </ul>
    </div>
  );
}
