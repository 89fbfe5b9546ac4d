/** Add a customer, or edit one: name, tax id, email, phone, address, notes. */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { FormActions } from '@orbit/shared/ui/form-actions';
import { Dialog } from '@orbit/shared/ui/dialog';
import { Field, Input, Textarea } from '@orbit/shared/ui/field';
import { FormError } from '@orbit/shared/ui/states';
import { toast } from '@orbit/shared/ui/toast';
import { formErrors } from '../../../lib/form-errors';
import { useCreateCustomer, useUpdateCustomer, type Customer, type CustomerCreate } from '../api';

const FIELDS = ['name', 'tax_id', 'email', 'phone', 'address', 'notes'] as const;
type Draft = Record<(typeof FIELDS)[number], string>;

function draftOf(customer: Customer | null): Draft {
  return {
    name: customer?.name ?? '',
    tax_id: customer?.tax_id ?? '',
    email: customer?.email ?? '',
    phone: customer?.phone ?? '',
    address: customer?.address ?? '',
    notes: customer?.notes ?? '',
  };
}

/** The body the API takes: trimmed, an empty contact field meaning "none". */
function bodyOf(draft: Draft): CustomerCreate {
  return { name: draft.name.trim(), tax_id: draft.tax_id.trim(), email: draft.email.trim(), phone: draft.phone.trim(), address: draft.address.trim(), notes: draft.notes.trim() };
}

/** `customer` null: a new one; `onSaved` gets what the server answered. */
export function CustomerFormDialog({ customer, onClose, onSaved }: { customer: Customer | null; onClose: () => void; onSaved?: (customer: Customer) => void }) {
  const { t } = useTranslation('customers');
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title={customer ? t('edit.title', { name: customer.name }) : t('create.title')}
      closeLabel={t('common:close')}
      className="max-w-xl"
    >
      {customer ? <EditForm customer={customer} onDone={onClose} /> : <CreateForm onDone={onClose} onSaved={onSaved} />}
    </Dialog>
  );
}

function CreateForm({ onDone, onSaved }: { onDone: () => void; onSaved?: (customer: Customer) => void }) {
  const { t } = useTranslation('customers');
  const create = useCreateCustomer();
  return (
    <CustomerForm
      initial={draftOf(null)}
      error={create.error}
      pending={create.isPending}
      submitLabel={t('create.submit')}
      onCancel={onDone}
      onSubmit={(draft) =>
        create.mutate(bodyOf(draft), {
          onSuccess: (customer) => {
            toast(t('create.done', { name: customer.name }));
            onDone();
            onSaved?.(customer);
          },
        })
      }
    />
  );
}

function EditForm({ customer, onDone }: { customer: Customer; onDone: () => void }) {
  const { t } = useTranslation('customers');
  const update = useUpdateCustomer(customer.id);
  return (
    <CustomerForm
      initial={draftOf(customer)}
      error={update.error}
      pending={update.isPending}
      submitLabel={t('edit.submit')}
      onCancel={onDone}
      onSubmit={(draft) =>
        update.mutate(bodyOf(draft), {
          onSuccess: (saved) => {
            toast(t('edit.done', { name: saved.name }));
            onDone();
          },
        })
      }
    />
  );
}

function CustomerForm({
  initial,
  error,
  pending,
  submitLabel,
  onCancel,
  onSubmit,
}: {
  initial: Draft;
  error: unknown;
  pending: boolean;
  submitLabel: string;
  onCancel: () => void;
  onSubmit: (draft: Draft) => void;
}) {
  const { t } = useTranslation('customers');
  const [draft, setDraft] = useState(initial);
  const { fields, banner } = formErrors(error, FIELDS);
  const change = (name: keyof Draft) => (event: { target: { value: string } }) => setDraft((previous) => ({ ...previous, [name]: event.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(draft);
  };
  return (
    <form onSubmit={submit} className="space-y-4">
      <Field label={t('fields.name')} error={fields.name}>
        {(control) => <Input {...control} required maxLength={200} autoComplete="off" value={draft.name} onChange={change('name')} />}
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label={t('fields.taxId')} hint={t('taxIdHint')} error={fields.tax_id}>
          {(control) => <Input {...control} maxLength={64} autoComplete="off" value={draft.tax_id} onChange={change('tax_id')} />}
        </Field>
        <Field label={t('fields.phone')} error={fields.phone}>
          {(control) => <Input {...control} type="tel" maxLength={40} autoComplete="off" value={draft.phone} onChange={change('phone')} />}
        </Field>
      </div>
      <Field label={t('fields.email')} error={fields.email}>
        {(control) => <Input {...control} type="email" maxLength={320} autoComplete="off" value={draft.email} onChange={change('email')} />}
      </Field>
      <Field label={t('fields.address')} error={fields.address}>
        {(control) => <Input {...control} maxLength={500} autoComplete="off" value={draft.address} onChange={change('address')} />}
      </Field>
      <Field label={t('fields.notes')} error={fields.notes}>
        {(control) => <Textarea {...control} rows={3} maxLength={2000} value={draft.notes} onChange={change('notes')} />}
      </Field>
      <FormError error={banner} />
      <FormActions pending={pending} submitLabel={submitLabel} onCancel={onCancel} />
    </form>
  );
}
