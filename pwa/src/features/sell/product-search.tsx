/**
 * The search box of the till: instant results from the in-memory index (`offline/search.ts`) as
 * the cashier types, a combobox for screen readers, ↑/↓ and Enter for the keyboard; Enter on an
 * exact barcode or SKU adds that product at once, which is also how a scanner typing into the
 * box is handled. Stock shown is the server's, moved by what the till has not sent yet.
 */
import { ImageOff, Search } from 'lucide-react';
import { createContext, forwardRef, useContext, useId, useMemo, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { cn } from '@orbit/shared/ui/cn';
import { useLive, useRuntime } from '../../lib/hooks';
import { runtime } from '../../lib/runtime';
import type { Product } from '../../offline/db';
import './i18n';

const RESULTS = 20;

export interface ProductSearchProps {
  onAdd: (product: Product, startedAt: number) => void;
  onUnknownCode: (code: string) => void;
  disabled?: boolean;
}

/** Stock as the till sees it, read only while results are on screen (not while a sale is paid). */
function StockNote({ product }: { product: Product }) {
  const { t } = useTranslation('sell');
  const deltas = useContext(StockDeltas);
  return <>{t('stock', { count: product.stock + (deltas?.get(product.id) ?? 0) })}</>;
}

/**
 * The product's picture (kept by the service worker for offline use), or an empty frame; the
 * name beside it says what it is, so it is decorative. A picture that can't load (offline and
 * never fetched) leaves the frame empty.
 */
function ProductPicture({ product }: { product: Product }) {
  const [failed, setFailed] = useState(false);
  return (
    <span className="grid size-12 shrink-0 place-items-center overflow-hidden rounded border border-slate-200 bg-slate-50" data-testid="result-picture">
      {product.image && !failed ? (
        <img src={product.image} alt="" width={48} height={48} decoding="async" className="size-full object-contain" onError={() => setFailed(true)} />
      ) : (
        <ImageOff aria-hidden="true" className="size-5 text-slate-300" />
      )}
    </span>
  );
}

const StockDeltas = createContext<Map<string, number> | undefined>(undefined);

function WithStockDeltas({ children }: { children: ReactNode }) {
  const deltas = useLive(() => runtime.pendingDeltas(), []);
  return <StockDeltas.Provider value={deltas}>{children}</StockDeltas.Provider>;
}

export const ProductSearch = forwardRef<HTMLInputElement, ProductSearchProps>(function ProductSearch({ onAdd, onUnknownCode, disabled }, ref) {
  const { t } = useTranslation('sell');
  const format = useFormat();
  const { catalog_version: version } = useRuntime();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const listId = useId();
  const results = useMemo(() => (query.trim() ? runtime.index.search(query, RESULTS) : []), [query, version]);

  const add = (product: Product, startedAt: number) => {
    onAdd(product, startedAt);
    setQuery('');
    setActive(0);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((current) => Math.min(Math.max(0, current + step), Math.max(0, results.length - 1)));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const startedAt = performance.now();
      const code = query.trim();
      if (!code) return;
      const exact = runtime.index.byCode(code);
      if (exact) add(exact, startedAt);
      else if (results[active]) add(results[active], startedAt);
      else {
        onUnknownCode(code);
        setQuery('');
      }
    } else if (event.key === 'Escape') {
      setQuery('');
      setActive(0);
    }
  };

  return (
    <div className="flex min-h-0 flex-col gap-2">
      <label className="relative block">
        <span className="sr-only">{t('search')}</span>
        <Search aria-hidden="true" className="pointer-events-none absolute top-1/2 left-3 size-5 -translate-y-1/2 text-slate-400" />
        <input
          ref={ref}
          type="search"
          role="combobox"
          aria-expanded={results.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={results[active] ? `${listId}-${results[active].id}` : undefined}
          aria-describedby={`${listId}-hint`}
          autoComplete="off"
          spellCheck={false}
          disabled={disabled}
          placeholder={t('search')}
          value={query}
          onChange={(event) => {
            setQuery(event.target.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
          className="h-14 w-full rounded-lg border border-slate-300 bg-white pr-3 pl-11 text-lg shadow-sm placeholder:text-slate-400 disabled:bg-slate-100"
        />
      </label>
      <p id={`${listId}-hint`} className="text-xs text-slate-500">
        {t('searchHint')}
      </p>
      <ul id={listId} role="listbox" aria-label={t('results')} className="min-h-0 flex-1 space-y-1 overflow-y-auto">
        {results.length ? (
          <WithStockDeltas>
            {results.map((product, index) => (
              <li
                key={product.id}
                id={`${listId}-${product.id}`}
                role="option"
                aria-selected={index === active}
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => add(product, performance.now())}
                className={cn(
                  'flex min-h-14 cursor-pointer items-center justify-between gap-3 rounded-md border px-3 py-2',
                  index === active ? 'border-brand-500 bg-brand-50' : 'border-slate-200 bg-white hover:bg-slate-50',
                )}
              >
                <ProductPicture product={product} />
                <span className="min-w-0 flex-1">
                  <span className="block truncate font-medium">{product.name}</span>
                  <span className="block text-xs text-slate-600">
                    {product.sku}
                    {product.barcode ? ` · ${product.barcode}` : ''} · <StockNote product={product} />
                  </span>
                </span>
                <span className="shrink-0 font-semibold tabular-nums">{format.money(product.price)}</span>
              </li>
            ))}
          </WithStockDeltas>
        ) : null}
      </ul>
      {query.trim() && !results.length ? <p className="text-sm text-slate-600">{t('noResults', { query: query.trim() })}</p> : null}
      {!query.trim() ? <p className="text-sm text-slate-500">{t('startTyping', { count: runtime.index.size })}</p> : null}
    </div>
  );
});
