/** Add a category (optionally inside another); the form empties after each one, ready for the next. */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { FormError } from '@orbit/shared/ui/states';
import { Card, CardTitle } from '@orbit/shared/ui/surfaces';
import { toast } from '@orbit/shared/ui/toast';
import type { Category } from '../../../lib/categories';
import { useCreateCategory } from '../api';
import { CategoryFields, categoryProblem, useCategoryErrors, type CategoryValues } from './category-fields';

const EMPTY: CategoryValues = { name: '', parent_id: '' };

export function CreateCategory({ categories }: { categories: readonly Category[] }) {
  const { t } = useTranslation('categories');
  const create = useCreateCategory();
  const errorsOf = useCategoryErrors();
  const [values, setValues] = useState(EMPTY);
  const [problem, setProblem] = useState<string | null>(null);
  const errors = errorsOf(create.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = categoryProblem(values);
    setProblem(found ? t(`validation.${found}`) : null);
    if (found) return;
    create.mutate(
      { name: values.name.trim(), parent_id: values.parent_id || null },
      {
        onSuccess: (category) => {
          toast(t('create.done'), { description: category.name });
          setValues(EMPTY);
        },
      },
    );
  };

  return (
    <Card aria-labelledby="new-category-title" className="mb-4">
      <CardTitle id="new-category-title">{t('create.title')}</CardTitle>
      <form noValidate onSubmit={submit} className="mt-3 grid grid-cols-1 items-start gap-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_auto]">
        <CategoryFields
          values={values}
          onChange={(next) => {
            setValues(next);
            setProblem(null);
            create.reset();
          }}
          errors={{ name: problem ?? errors.name, parent_id: errors.parent_id }}
          categories={categories}
        />
        <Button type="submit" className="sm:mt-6" disabled={create.isPending}>
          {create.isPending ? t('common:saving') : t('create.submit')}
        </Button>
        <div className="sm:col-span-3">
          <FormError error={errors.banner} />
        </div>
      </form>
    </Card>
  );
}
