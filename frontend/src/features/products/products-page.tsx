/**
 * The products list (/products): server-side search (name, SKU, barcode) and filters, all in the
 * URL (`q`, `offset`, `category_id`, `active`), so a filtered list is a link. The page shown stays
 * while the next one loads; stock follows `stock.changed` events without refetching the list.
 */
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { Download, Plus, Upload } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { Pager } from '@orbit/shared/ui/data-table';
import { Empty, ErrorState, Loading, useErrorMessage } from '@orbit/shared/ui/states';
import { PageHeader } from '@orbit/shared/ui/surfaces';
import { toast } from '@orbit/shared/ui/toast';
import { useLiveProductStock } from '../../lib/live-stock';
import { exportProducts, PRODUCTS_PAGE_SIZE, useProducts, type ProductQuery } from './api';
import { ProductDialog } from './components/product-dialog';
import { ProductsFilters, type ChangeSearch, type ProductsSearch } from './components/products-filters';
import { ProductsTable } from './components/products-table';
import './i18n';

const route = getRouteApi('/app/products');

/** The API query of the URL's search parameters. */
export function productQuery(search: ProductsSearch): ProductQuery {
  return {
    limit: PRODUCTS_PAGE_SIZE,
    offset: search.offset ?? 0,
    search: search.q?.trim() || undefined,
    category_id: search.category_id,
    is_active: search.active,
    sort: 'name',
  };
}

function ExportButton() {
  const { t } = useTranslation('products');
  const errorMessage = useErrorMessage();
  const [pending, setPending] = useState(false);
  return (
    <Button
      variant="secondary"
      disabled={pending}
      onClick={() => {
        setPending(true);
        exportProducts()
          .catch((error: unknown) => toast(t('list.exportFailed'), { tone: 'error', description: errorMessage(error) }))
          .finally(() => setPending(false));
      }}
    >
      <Download aria-hidden="true" />
      {pending ? t('list.exporting') : t('common:export')}
    </Button>
  );
}

export function ProductsPage() {
  const { t } = useTranslation('products');
  const search = route.useSearch();
  const navigate = useNavigate();
  const routeNavigate = route.useNavigate();
  const products = useProducts(productQuery(search));
  const [creating, setCreating] = useState(false);
  useLiveProductStock();

  const changeSearch: ChangeSearch = (patch, options) =>
    void routeNavigate({ search: (previous) => ({ ...previous, ...patch, offset: 'offset' in patch ? patch.offset : undefined }), replace: options?.replace });
  const filtered = Boolean(search.q || search.category_id || search.active !== undefined);

  return (
    <>
      <PageHeader
        title={t('list.title')}
        description={t('list.description')}
        actions={
          <>
            <Button asChild variant="secondary">
              <Link to="/products/import">
                <Upload aria-hidden="true" />
                {t('list.import')}
              </Link>
            </Button>
            <ExportButton />
            <Button onClick={() => setCreating(true)}>
              <Plus aria-hidden="true" />
              {t('list.new')}
            </Button>
          </>
        }
      />
      <ProductsFilters search={search} onChange={changeSearch} />
      {products.isPending ? (
        <Loading />
      ) : products.isError ? (
        <ErrorState error={products.error} onRetry={() => void products.refetch()} />
      ) : (
        <div aria-busy={products.isPlaceholderData} className={products.isPlaceholderData ? 'opacity-60 transition-opacity' : undefined}>
          <ProductsTable
            products={products.data.items}
            empty={
              filtered ? (
                <Empty title={t('list.empty')}>{t('list.emptyHint')}</Empty>
              ) : (
                <Empty title={t('list.emptyCatalog')}>{t('list.emptyCatalogHint')}</Empty>
              )
            }
          />
          <Pager
            offset={products.data.offset}
            count={products.data.items.length}
            nextOffset={products.data.next_offset}
            limit={PRODUCTS_PAGE_SIZE}
            onOffset={(offset) => changeSearch({ offset: offset || undefined })}
          />
          {products.isPlaceholderData ? (
            <p role="status" className="sr-only">
              {t('list.updating')}
            </p>
          ) : null}
        </div>
      )}
      <ProductDialog
        open={creating}
        onOpenChange={setCreating}
        onSaved={(product) => void navigate({ to: '/products/$productId', params: { productId: product.id } })}
      />
    </>
  );
}
