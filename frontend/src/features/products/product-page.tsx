/**
 * One product (/products/$productId): its photo, its facts and live stock, edit and archive (or
 * restore), a shortcut to receive stock for it, and its stock ledger.
 */
import { getRouteApi, Link } from '@tanstack/react-router';
import { ArchiveRestore, ArrowLeft, Archive, PackagePlus, Pencil } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '@orbit/shared/api/problem';
import { Button } from '@orbit/shared/ui/button';
import { ErrorState, Loading, useErrorMessage } from '@orbit/shared/ui/states';
import { PageHeader } from '@orbit/shared/ui/surfaces';
import { toast } from '@orbit/shared/ui/toast';
import { useLiveProductStock } from '../../lib/live-stock';
import { useProduct, useSaveProduct, type Product } from './api';
import { ArchiveDialog } from './components/archive-dialog';
import { ProductDialog } from './components/product-dialog';
import { ProductImage } from './components/product-image';
import { ProductMovements } from './components/product-movements';
import { ProductSummary } from './components/product-summary';
import './i18n';

const route = getRouteApi('/app/products/$productId');

function ProductActions({ product }: { product: Product }) {
  const { t } = useTranslation('products');
  const errorMessage = useErrorMessage();
  const [editing, setEditing] = useState(false);
  const [archiving, setArchiving] = useState(false);
  const restore = useSaveProduct();
  return (
    <>
      <Button asChild variant="secondary">
        <Link to="/stock" search={{ tab: 'receipts', product_id: product.id }}>
          <PackagePlus aria-hidden="true" />
          {t('detail.receive')}
        </Link>
      </Button>
      {product.is_active ? (
        <Button variant="secondary" onClick={() => setArchiving(true)}>
          <Archive aria-hidden="true" />
          {t('archive.action')}
        </Button>
      ) : (
        <Button
          variant="secondary"
          disabled={restore.isPending}
          onClick={() =>
            restore.mutate(
              { productId: product.id, body: { is_active: true } },
              {
                onSuccess: () => toast(t('archive.restored'), { description: product.name }),
                onError: (error) => toast(t('common:errorTitle'), { tone: 'error', description: errorMessage(error) }),
              },
            )
          }
        >
          <ArchiveRestore aria-hidden="true" />
          {t('archive.restore')}
        </Button>
      )}
      <Button onClick={() => setEditing(true)}>
        <Pencil aria-hidden="true" />
        {t('common:edit')}
      </Button>
      <ProductDialog open={editing} onOpenChange={setEditing} product={product} />
      <ArchiveDialog product={product} open={archiving} onOpenChange={setArchiving} />
    </>
  );
}

export function ProductPage() {
  const { t } = useTranslation('products');
  const { productId } = route.useParams();
  const product = useProduct(productId);
  useLiveProductStock();

  const back = (
    <Link to="/products" className="mb-2 inline-flex items-center gap-1 text-sm text-brand-700 hover:underline">
      <ArrowLeft aria-hidden="true" className="size-4" />
      {t('detail.back')}
    </Link>
  );
  if (product.isPending) return <Loading />;
  if (product.isError) {
    const missing = product.error instanceof ApiError && (product.error.status === 404 || product.error.status === 422);
    return (
      <>
        {back}
        <ErrorState error={missing ? new Error(t('detail.notFound')) : product.error} onRetry={missing ? undefined : () => void product.refetch()} />
      </>
    );
  }
  return (
    <>
      {back}
      <PageHeader title={product.data.name} description={product.data.description || undefined} actions={<ProductActions product={product.data} />} />
      {product.data.is_active ? null : (
        <p role="note" className="mb-4 rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">
          {t('detail.archivedNotice')}
        </p>
      )}
      <ProductImage product={product.data} />
      <ProductSummary product={product.data} />
      <ProductMovements productId={productId} />
    </>
  );
}
