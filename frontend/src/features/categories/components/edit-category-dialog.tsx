/** Rename a category or move it inside another (never inside itself or what lies inside it). */
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { Dialog } from '@orbit/shared/ui/dialog';
import { FormError } from '@orbit/shared/ui/states';
import { toast } from '@orbit/shared/ui/toast';
import { selfAndDescendants, type Category } from '../../../lib/categories';
import { useUpdateCategory } from '../api';
import { CategoryFields, categoryProblem, useCategoryErrors, type CategoryValues } from './category-fields';

export function EditCategoryDialog({ category, categories, onClose }: { category: Category | null; categories: readonly Category[]; onClose: () => void }) {
  const { t } = useTranslation('categories');
  const update = useUpdateCategory();
  const errorsOf = useCategoryErrors();
  const [values, setValues] = useState<CategoryValues>({ name: '', parent_id: '' });
  const [problem, setProblem] = useState<string | null>(null);
  const errors = errorsOf(update.error);

  useEffect(() => {
    if (!category) return;
    setValues({ name: category.name, parent_id: category.parent_id ?? '' });
    setProblem(null);
    update.reset();
    // Fill the form when another category is opened.
  }, [category?.id]);

  if (!category) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = categoryProblem(values);
    setProblem(found ? t(`validation.${found}`) : null);
    if (found) return;
    update.mutate(
      { categoryId: category.id, body: { name: values.name.trim(), parent_id: values.parent_id || null } },
      {
        onSuccess: (saved) => {
          toast(t('edit.done'), { description: saved.name });
          onClose();
        },
      },
    );
  };

  return (
    <Dialog open onOpenChange={(open) => !open && onClose()} title={t('edit.title', { name: category.name })} closeLabel={t('common:close')}>
      <form noValidate onSubmit={submit} className="space-y-4">
        <CategoryFields
          values={values}
          onChange={(next) => {
            setValues(next);
            setProblem(null);
          }}
          errors={{ name: problem ?? errors.name, parent_id: errors.parent_id }}
          categories={categories}
          excluded={selfAndDescendants(categories, category.id)}
          autoFocus
        />
        <FormError error={errors.banner} />
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button variant="secondary" onClick={onClose}>
            {t('common:cancel')}
          </Button>
          <Button type="submit" disabled={update.isPending}>
            {update.isPending ? t('common:saving') : t('common:save')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
