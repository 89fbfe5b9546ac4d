/**
 * Create or edit a product in a dialog. What was typed is checked here first (the same limits as
 * the server); the server's refusals come back to the fields they name (a taken SKU or barcode
 * by its code, 409), the rest to the banner. Money is typed in the tenant's currency.
 */
import { useEffect, useRef, useState, type ComponentProps, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '@orbit/shared/api/problem';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { Dialog } from '@orbit/shared/ui/dialog';
import { Checkbox, Field, Input, NativeSelect, Textarea } from '@orbit/shared/ui/field';
import { FormError } from '@orbit/shared/ui/states';
import { toast } from '@orbit/shared/ui/toast';
import { categoryTree, useCategories } from '../../../lib/categories';
import { formErrors } from '../../../lib/form-errors';
import { useMe } from '../../../lib/me';
import { useSaveProduct, type Product } from '../api';
import {
  NEW_PRODUCT,
  PRODUCT_FIELDS,
  productBody,
  productFormValues,
  productUpdateBody,
  type ProductField,
  type ProductFieldProblem,
  type ProductFormValues,
} from '../product-form';

/** Which form value feeds which API field (they differ only for the tax rate). */
const FIELD_OF: Partial<Record<keyof ProductFormValues, ProductField>> = { tax_rate: 'tax_rate_bp' };
const fieldOf = (name: keyof ProductFormValues): ProductField => FIELD_OF[name] ?? (name as ProductField);

function MoneyInput({ currency, ...props }: ComponentProps<typeof Input> & { currency: string }) {
  return (
    <div className="relative">
      <Input inputMode="decimal" autoComplete="off" className="pr-14" {...props} />
      <span aria-hidden="true" className="pointer-events-none absolute top-1/2 right-3 -translate-y-1/2 text-xs text-slate-500">
        {currency}
      </span>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="space-y-3">
      <legend className="mb-2 text-sm font-semibold text-slate-700">{title}</legend>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">{children}</div>
    </fieldset>
  );
}

export interface ProductDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The product to edit; none to create one. */
  product?: Product;
  onSaved?: (product: Product, created: boolean) => void;
}

export function ProductDialog({ open, onOpenChange, product, onSaved }: ProductDialogProps) {
  const { t } = useTranslation('products');
  const { locality } = useFormat();
  const currency = locality.currency;
  const me = useMe();
  const categories = useCategories();
  const save = useSaveProduct();
  const form = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState<ProductFormValues>(NEW_PRODUCT);
  const [problems, setProblems] = useState<Partial<Record<ProductField, ProductFieldProblem>>>({});
  const [edited, setEdited] = useState<ReadonlySet<ProductField>>(new Set());
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!open) return;
    setValues(product ? productFormValues(product, currency) : NEW_PRODUCT);
    setProblems({});
    setEdited(new Set());
    save.reset();
    // Fill the form each time the dialog opens (not when the product refetches meanwhile).
  }, [open]);

  useEffect(() => {
    if (attempt > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [attempt]);

  const server = formErrors(save.error, PRODUCT_FIELDS, { sku_taken: 'sku', barcode_taken: 'barcode' });
  const serverMessage = (field: ProductField): string | undefined => {
    if (edited.has(field) || !server.fields[field]) return undefined;
    const code = save.error instanceof ApiError ? save.error.code : undefined;
    if (field === 'sku' && code === 'sku_taken') return t('validation.skuTaken');
    if (field === 'barcode' && code === 'barcode_taken') return t('validation.barcodeTaken');
    if (field === 'category_id' && save.error instanceof ApiError && save.error.status === 404) return t('validation.noCategory');
    return server.fields[field];
  };
  const errorOf = (name: keyof ProductFormValues): string | undefined => {
    const field = fieldOf(name);
    const problem = problems[field];
    return problem ? t(`validation.${problem}`) : serverMessage(field);
  };

  const set = (name: keyof ProductFormValues) => (value: string | boolean) => {
    setValues((current) => ({ ...current, [name]: value }));
    const field = fieldOf(name);
    setProblems(({ [field]: _dropped, ...rest }) => rest);
    setEdited((current) => new Set(current).add(field));
  };
  const text = (name: keyof ProductFormValues) => ({
    value: values[name] as string,
    onChange: (event: { target: { value: string } }) => set(name)(event.target.value),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = productBody(values, currency);
    setAttempt((count) => count + 1);
    if (!result.ok) {
      setProblems(result.problems);
      return;
    }
    setProblems({});
    setEdited(new Set());
    const request = product ? { productId: product.id, body: productUpdateBody(result.body) } : { productId: null, body: result.body };
    save.mutate(request, {
      onSuccess: (saved) => {
        toast(t(product ? 'form.saved' : 'form.created'), { description: saved.name });
        onOpenChange(false);
        onSaved?.(saved, !product);
      },
    });
  };

  const taxMode = me.data?.organization.tax_mode ?? 'inclusive';
  const tree = categoryTree(categories.data ?? []);
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={product ? t('form.editTitle', { name: product.name }) : t('form.createTitle')}
      closeLabel={t('common:close')}
      className="max-w-2xl"
    >
      <form ref={form} noValidate onSubmit={submit} className="space-y-5">
        <Section title={t('form.details')}>
          <Field label={t('fields.name')} error={errorOf('name')} className="sm:col-span-2">
            {(control) => <Input {...control} {...text('name')} required maxLength={200} autoComplete="off" />}
          </Field>
          <Field label={t('fields.sku')} error={errorOf('sku')} hint={t('hints.sku')}>
            {(control) => <Input {...control} {...text('sku')} required maxLength={64} autoComplete="off" spellCheck={false} />}
          </Field>
          <Field label={t('fields.barcode')} error={errorOf('barcode')} hint={t('hints.barcode')}>
            {(control) => <Input {...control} {...text('barcode')} maxLength={64} inputMode="text" autoComplete="off" spellCheck={false} />}
          </Field>
          <Field label={t('fields.category')} error={errorOf('category_id')}>
            {(control) => (
              <NativeSelect {...control} {...text('category_id')}>
                <option value="">{t('fields.noCategory')}</option>
                {tree.map(({ category, path }) => (
                  <option key={category.id} value={category.id}>
                    {path}
                  </option>
                ))}
              </NativeSelect>
            )}
          </Field>
          <Field label={t('fields.unit')} error={errorOf('unit')}>
            {(control) => <Input {...control} {...text('unit')} maxLength={16} autoComplete="off" />}
          </Field>
          <Field label={t('fields.description')} error={errorOf('description')} className="sm:col-span-2">
            {(control) => <Textarea {...control} {...text('description')} rows={2} maxLength={4000} />}
          </Field>
        </Section>
        <Section title={t('form.pricing')}>
          <Field label={t('fields.price')} error={errorOf('price')} hint={t('hints.price', { currency, mode: t(`taxMode.${taxMode}`) })}>
            {(control) => <MoneyInput {...control} {...text('price')} currency={currency} required />}
          </Field>
          <Field label={t('fields.cost')} error={errorOf('cost')} hint={t('hints.cost', { currency })}>
            {(control) => <MoneyInput {...control} {...text('cost')} currency={currency} />}
          </Field>
          <Field label={t('fields.taxRate')} error={errorOf('tax_rate')} hint={t('hints.taxRate')}>
            {(control) => <Input {...control} {...text('tax_rate')} inputMode="decimal" autoComplete="off" />}
          </Field>
        </Section>
        <Section title={t('form.inventory')}>
          {product ? null : (
            <Field label={t('fields.initialStock')} error={errorOf('initial_stock')} hint={t('hints.initialStock')}>
              {(control) => <Input {...control} {...text('initial_stock')} inputMode="numeric" autoComplete="off" />}
            </Field>
          )}
          <Field label={t('fields.reorderPoint')} error={errorOf('reorder_point')} hint={t('hints.reorderPoint')}>
            {(control) => <Input {...control} {...text('reorder_point')} inputMode="numeric" autoComplete="off" />}
          </Field>
          <Field label={t('fields.leadTime')} error={errorOf('lead_time_days')}>
            {(control) => <Input {...control} {...text('lead_time_days')} inputMode="numeric" autoComplete="off" />}
          </Field>
          <Checkbox
            label={t('fields.active')}
            checked={values.is_active}
            onChange={(event) => set('is_active')(event.target.checked)}
            className="sm:col-span-2"
          />
        </Section>
        <FormError error={server.banner} />
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            {t('common:cancel')}
          </Button>
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? t('common:saving') : product ? t('common:save') : t('form.create')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
