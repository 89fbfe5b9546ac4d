/**
 * The shop's stock ledger, newest first, filtered by product, kind and local days of the shop's
 * zone (all in the URL), a page at a time; the page shown stays while the next one loads.
 */
import { useTranslation } from 'react-i18next';
import { useLocality } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { Pager } from '@orbit/shared/ui/data-table';
import { Field, Input, NativeSelect } from '@orbit/shared/ui/field';
import { Empty, ErrorState, Loading } from '@orbit/shared/ui/states';
import { localDaysAsInstants } from '../../../lib/local-days';
import { ProductPicker } from '../../../lib/product-picker';
import { MOVEMENT_KINDS, MovementsTable, type MovementKind } from '../../../lib/stock-movements';
import { LEDGER_PAGE_SIZE, useMovements, useProductById, type MovementQuery } from '../api';

export interface LedgerSearch {
  product_id?: string;
  kind?: string;
  from?: string;
  to?: string;
  offset?: number;
}

function movementKind(value: string | undefined): MovementKind | undefined {
  return MOVEMENT_KINDS.find((kind) => kind === value);
}

export function ledgerQuery(search: LedgerSearch, timeZone: string): MovementQuery {
  return {
    limit: LEDGER_PAGE_SIZE,
    offset: search.offset ?? 0,
    product_id: search.product_id,
    kind: movementKind(search.kind),
    ...localDaysAsInstants(search.from, search.to, timeZone),
  };
}

export function MovementsLedger({ search, onChange }: { search: LedgerSearch; onChange: (patch: Partial<LedgerSearch>) => void }) {
  const { t } = useTranslation('stock');
  const { timeZone } = useLocality();
  const movements = useMovements(ledgerQuery(search, timeZone));
  const chosen = useProductById(search.product_id);
  const filter = (patch: Partial<LedgerSearch>) => onChange({ ...patch, offset: undefined });
  const filtered = Boolean(search.product_id || search.kind || search.from || search.to);

  return (
    <>
      <section aria-label={t('ledger.filters')} className="mb-4 rounded-lg border border-slate-200 bg-white p-3 sm:p-4">
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-[minmax(0,2fr)_minmax(11rem,1fr)_minmax(0,1fr)_minmax(0,1fr)_auto]">
          <ProductPicker
            mode="select"
            activeOnly={false}
            label={t('ledger.product')}
            hint={null}
            selected={search.product_id ? (chosen.data ?? { id: search.product_id, name: '…', sku: '' }) : null}
            onPick={(product) => filter({ product_id: product.id })}
            onClear={() => filter({ product_id: undefined })}
          />
          <Field label={t('ledger.kind')}>
            {(control) => (
              <NativeSelect {...control} value={movementKind(search.kind) ?? ''} onChange={(event) => filter({ kind: event.target.value || undefined })}>
                <option value="">{t('ledger.anyKind')}</option>
                {MOVEMENT_KINDS.map((kind) => (
                  <option key={kind} value={kind}>
                    {t(`inventory:kind.${kind}`)}
                  </option>
                ))}
              </NativeSelect>
            )}
          </Field>
          <Field label={t('ledger.from')}>
            {(control) => (
              <Input
                {...control}
                type="date"
                value={search.from ?? ''}
                max={search.to}
                onChange={(event) => filter({ from: event.target.value || undefined })}
              />
            )}
          </Field>
          <Field label={t('ledger.to')}>
            {(control) => (
              <Input {...control} type="date" value={search.to ?? ''} min={search.from} onChange={(event) => filter({ to: event.target.value || undefined })} />
            )}
          </Field>
          <div className="flex items-end">
            <Button variant="ghost" disabled={!filtered} onClick={() => filter({ product_id: undefined, kind: undefined, from: undefined, to: undefined })}>
              {t('ledger.clear')}
            </Button>
          </div>
        </div>
      </section>
      {movements.isPending ? (
        <Loading />
      ) : movements.isError ? (
        <ErrorState error={movements.error} onRetry={() => void movements.refetch()} />
      ) : (
        <div aria-busy={movements.isPlaceholderData} className={movements.isPlaceholderData ? 'opacity-60 transition-opacity' : undefined}>
          <MovementsTable
            movements={movements.data.items}
            showProduct
            caption={t('ledger.caption')}
            empty={<Empty title={filtered ? t('inventory:movements.emptyFiltered') : t('inventory:movements.empty')} />}
          />
          <Pager
            offset={movements.data.offset}
            count={movements.data.items.length}
            nextOffset={movements.data.next_offset}
            limit={LEDGER_PAGE_SIZE}
            onOffset={(offset) => onChange({ offset: offset || undefined })}
          />
        </div>
      )}
    </>
  );
}
