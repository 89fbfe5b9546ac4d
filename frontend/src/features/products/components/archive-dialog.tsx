/**
 * Archive a product (the API deactivates it: products with history are never deleted), after a
 * confirmation; or restore an archived one, which needs none.
 */
import { useTranslation } from 'react-i18next';
import { ConfirmDialog } from '@orbit/shared/ui/confirm-dialog';
import { toast } from '@orbit/shared/ui/toast';
import { useArchiveProduct, type Product } from '../api';

export function ArchiveDialog({ product, open, onOpenChange }: { product: Product; open: boolean; onOpenChange: (open: boolean) => void }) {
  const { t } = useTranslation('products');
  const archive = useArchiveProduct();
  return (
    <ConfirmDialog
      open={open}
      onOpenChange={(next) => {
        if (!next) archive.reset();
        onOpenChange(next);
      }}
      title={t('archive.title', { name: product.name })}
      description={t('archive.description')}
      confirmLabel={t('archive.confirm')}
      pending={archive.isPending}
      error={archive.error}
      onConfirm={() =>
        archive.mutate(product.id, {
          onSuccess: () => {
            toast(t('archive.done'), { description: product.name });
            onOpenChange(false);
          },
        })
      }
    />
  );
}
