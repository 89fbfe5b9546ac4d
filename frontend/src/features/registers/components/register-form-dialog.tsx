/** Add a register (code and name) or rename one (its code is fixed: it prefixes its invoices). */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { FormActions } from '@orbit/shared/ui/form-actions';
import { Dialog } from '@orbit/shared/ui/dialog';
import { Field, Input } from '@orbit/shared/ui/field';
import { FormError } from '@orbit/shared/ui/states';
import { toast } from '@orbit/shared/ui/toast';
import { formErrors } from '../../../lib/form-errors';
import type { Register } from '../../../lib/registers';
import { useCreateRegister, useUpdateRegister } from '../api';

/** `register` null: a new one. */
export function RegisterFormDialog({ register, onClose }: { register: Register | null; onClose: () => void }) {
  const { t } = useTranslation('registers');
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title={register ? t('rename.title', { code: register.code }) : t('create.title')}
      closeLabel={t('common:close')}
    >
      {register ? <RenameForm register={register} onDone={onClose} /> : <CreateForm onDone={onClose} />}
    </Dialog>
  );
}


function CreateForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation('registers');
  const create = useCreateRegister();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const { fields, banner } = formErrors(create.error, ['code', 'name']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { code, name: name.trim() },
      {
        onSuccess: (register) => {
          toast(t('create.done', { code: register.code }));
          onDone();
        },
      },
    );
  };
  return (
    <form onSubmit={submit} className="space-y-4">
      <Field label={t('fields.code')} hint={t('codeHint')} error={fields.code}>
        {(control) => (
          <Input
            {...control}
            className="max-w-40 font-mono uppercase"
            autoComplete="off"
            maxLength={8}
            pattern="[A-Z0-9]{1,8}"
            required
            value={code}
            onChange={(event) => setCode(event.target.value.toUpperCase().replace(/[^A-Z0-9]/g, ''))}
          />
        )}
      </Field>
      <Field label={t('fields.name')} error={fields.name}>
        {(control) => <Input {...control} autoComplete="off" required maxLength={200} value={name} onChange={(event) => setName(event.target.value)} />}
      </Field>
      <FormError error={banner} />
      <FormActions pending={create.isPending} submitLabel={t('create.submit')} onCancel={onDone} />
    </form>
  );
}

function RenameForm({ register, onDone }: { register: Register; onDone: () => void }) {
  const { t } = useTranslation('registers');
  const update = useUpdateRegister(register.id);
  const [name, setName] = useState(register.name);
  const { fields, banner } = formErrors(update.error, ['name']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate(
      { name: name.trim() },
      {
        onSuccess: () => {
          toast(t('rename.done', { code: register.code }));
          onDone();
        },
      },
    );
  };
  return (
    <form onSubmit={submit} className="space-y-4">
      <Field label={t('fields.name')} error={fields.name}>
        {(control) => <Input {...control} autoComplete="off" required maxLength={200} value={name} onChange={(event) => setName(event.target.value)} />}
      </Field>
      <FormError error={banner} />
      <FormActions pending={update.isPending} submitLabel={t('rename.submit')} onCancel={onDone} />
    </form>
  );
}
