/**
 * The categories (/categories): the tree of the shop's categories, a form to add one, and for
 * each a dialog to rename or move it and a confirmation to delete it (refused by the server
 * while it still holds products or subcategories).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorState, Loading } from '@orbit/shared/ui/states';
import { PageHeader } from '@orbit/shared/ui/surfaces';
import { useCategories, type Category } from '../../lib/categories';
import { CategoriesTable } from './components/categories-table';
import { CreateCategory } from './components/create-category';
import { DeleteCategoryDialog } from './components/delete-category-dialog';
import { EditCategoryDialog } from './components/edit-category-dialog';
import './i18n';

export function CategoriesPage() {
  const { t } = useTranslation('categories');
  const categories = useCategories();
  const [editing, setEditing] = useState<Category | null>(null);
  const [deleting, setDeleting] = useState<Category | null>(null);

  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      {categories.isPending ? (
        <Loading />
      ) : categories.isError ? (
        <ErrorState error={categories.error} onRetry={() => void categories.refetch()} />
      ) : (
        <>
          <CreateCategory categories={categories.data} />
          <CategoriesTable categories={categories.data} onEdit={setEditing} onDelete={setDeleting} />
          <EditCategoryDialog category={editing} categories={categories.data} onClose={() => setEditing(null)} />
          <DeleteCategoryDialog category={deleting} onClose={() => setDeleting(null)} />
        </>
      )}
    </>
  );
}
