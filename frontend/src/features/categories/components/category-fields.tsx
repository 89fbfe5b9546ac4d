/**
 * The two things a category has, name and parent, as form fields (adding and editing share
 * them), and where the server's refusals go: a taken name (409 `name_taken`) at the name, a
 * cycle or a vanished parent at the parent, the rest in the banner.
 */
import { useTranslation } from 'react-i18next';
import { ApiError } from '@orbit/shared/api/problem';
import { Field, Input, NativeSelect } from '@orbit/shared/ui/field';
import { categoryTree, type Category } from '../../../lib/categories';
import { formErrors } from '../../../lib/form-errors';

export interface CategoryValues {
  name: string;
  parent_id: string;
}

export type CategoryErrors = { name?: string; parent_id?: string; banner: unknown };

/** What is wrong before asking the server, else null. */
export function categoryProblem(values: CategoryValues): 'required' | 'tooLong' | null {
  const name = values.name.trim();
  if (!name) return 'required';
  return name.length > 200 ? 'tooLong' : null;
}

export function useCategoryErrors(): (error: unknown) => CategoryErrors {
  const { t } = useTranslation('categories');
  return (error) => {
    const { fields, banner } = formErrors(error, ['name', 'parent_id'] as const, { name_taken: 'name' });
    if (error instanceof ApiError) {
      if (error.code === 'name_taken') fields.name = t('validation.nameTaken');
      else if (fields.parent_id && error.status === 404) fields.parent_id = t('validation.noParent');
      else if (fields.parent_id) fields.parent_id = t('validation.cycle');
    }
    return { ...fields, banner };
  };
}

export function CategoryFields({
  values,
  onChange,
  errors,
  categories,
  excluded,
  autoFocus,
}: {
  values: CategoryValues;
  onChange: (values: CategoryValues) => void;
  errors: Omit<CategoryErrors, 'banner'>;
  categories: readonly Category[];
  /** Categories that may not be the parent (the edited one and what lies inside it). */
  excluded?: ReadonlySet<string>;
  autoFocus?: boolean;
}) {
  const { t } = useTranslation('categories');
  return (
    <>
      <Field label={t('name')} error={errors.name}>
        {(control) => (
          <Input
            {...control}
            value={values.name}
            maxLength={200}
            autoComplete="off"
            autoFocus={autoFocus}
            onChange={(event) => onChange({ ...values, name: event.target.value })}
          />
        )}
      </Field>
      <Field label={t('parent')} error={errors.parent_id}>
        {(control) => (
          <NativeSelect {...control} value={values.parent_id} onChange={(event) => onChange({ ...values, parent_id: event.target.value })}>
            <option value="">{t('noParent')}</option>
            {categoryTree(categories)
              .filter(({ category }) => !excluded?.has(category.id))
              .map(({ category, path }) => (
                <option key={category.id} value={category.id}>
                  {path}
                </option>
              ))}
          </NativeSelect>
        )}
      </Field>
    </>
  );
}
