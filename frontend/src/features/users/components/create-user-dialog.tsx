/** Add a user: email, full name, role (with what it may do) and an initial password. */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { Dialog } from '@orbit/shared/ui/dialog';
import { Field, Input } from '@orbit/shared/ui/field';
import { FormError } from '@orbit/shared/ui/states';
import { toast } from '@orbit/shared/ui/toast';
import { formErrors } from '../../../lib/form-errors';
import { useCreateUser, type Role } from '../api';
import { PasswordField } from './password-field';
import { RoleSelect } from './role-select';

export function CreateUserDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const { t } = useTranslation('users');
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('create.title')} description={t('create.description')} closeLabel={t('common:close')}>
      <CreateUserForm onDone={() => onOpenChange(false)} />
    </Dialog>
  );
}

function CreateUserForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation('users');
  const create = useCreateUser();
  const [email, setEmail] = useState('');
  const [fullName, setFullName] = useState('');
  const [role, setRole] = useState<Role>('cashier');
  const [password, setPassword] = useState('');
  const { fields, banner } = formErrors(create.error, ['email', 'full_name', 'role', 'password'], { email_taken: 'email', weak_password: 'password' });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { email: email.trim(), full_name: fullName.trim(), role, password },
      {
        onSuccess: (user) => {
          toast(t('create.done', { name: user.full_name }));
          onDone();
        },
      },
    );
  };

  return (
    <form onSubmit={submit} className="space-y-4">
      <Field label={t('fields.email')} error={fields.email}>
        {(control) => <Input {...control} type="email" autoComplete="off" value={email} onChange={(event) => setEmail(event.target.value)} required />}
      </Field>
      <Field label={t('fields.name')} error={fields.full_name}>
        {(control) => <Input {...control} autoComplete="off" value={fullName} onChange={(event) => setFullName(event.target.value)} required maxLength={200} />}
      </Field>
      <RoleSelect value={role} onChange={setRole} error={fields.role} />
      <PasswordField label={t('fields.password')} value={password} onChange={setPassword} personal={[email.split('@')[0], fullName]} error={fields.password} />
      <FormError error={banner} />
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button variant="secondary" onClick={onDone}>
          {t('common:cancel')}
        </Button>
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? t('common:saving') : t('create.submit')}
        </Button>
      </div>
    </form>
  );
}
