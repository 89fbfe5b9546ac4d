/**
 * Delete a category after a confirmation. The server refuses one that still has products or
 * subcategories (409 `category_in_use`); that refusal shows in the dialog, in the person's language.
 */
import { useTranslation } from 'react-i18next';
import { ApiError } from '@orbit/shared/api/problem';
import { ConfirmDialog } from '@orbit/shared/ui/confirm-dialog';
import { toast } from '@orbit/shared/ui/toast';
import type { Category } from '../../../lib/categories';
import { useDeleteCategory } from '../api';

export function DeleteCategoryDialog({ category, onClose }: { category: Category | null; onClose: () => void }) {
  const { t } = useTranslation('categories');
  const remove = useDeleteCategory();
  const error = remove.error instanceof ApiError && remove.error.code === 'category_in_use' ? new Error(t('remove.inUse')) : remove.error;
  return (
    <ConfirmDialog
      open={category !== null}
      onOpenChange={(open) => {
        if (open) return;
        remove.reset();
        onClose();
      }}
      title={t('remove.title', { name: category?.name ?? '' })}
      description={t('remove.description')}
      confirmLabel={t('remove.confirm')}
      pending={remove.isPending}
      error={error}
      onConfirm={() =>
        category &&
        remove.mutate(category.id, {
          onSuccess: () => {
            toast(t('remove.done'), { description: category.name });
            onClose();
          },
        })
      }
    />
  );
}
