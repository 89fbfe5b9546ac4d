/**
 * The actions on one user, each in its own dialog: change the role, reset the password, set the
 * PIN, deactivate or reactivate (confirmed). The server refuses to leave the shop without an
 * active admin (409 `last_admin`); its message shows in the dialog.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { FormActions } from '@orbit/shared/ui/form-actions';
import { ConfirmDialog } from '@orbit/shared/ui/confirm-dialog';
import { Dialog } from '@orbit/shared/ui/dialog';
import { Field, Input } from '@orbit/shared/ui/field';
import { FormError } from '@orbit/shared/ui/states';
import { toast } from '@orbit/shared/ui/toast';
import { formErrors } from '../../../lib/form-errors';
import { useSetPin, useUpdateUser, type Role, type User } from '../api';
import { pinProblem } from '../password-strength';
import { PasswordField } from './password-field';
import { RoleSelect } from './role-select';

export type UserAction = 'role' | 'password' | 'pin' | 'deactivate' | 'reactivate';

export function UserActionDialog({ user, action, onClose }: { user: User; action: UserAction; onClose: () => void }) {
  const { t } = useTranslation('users');
  const onOpenChange = (open: boolean) => !open && onClose();
  if (action === 'deactivate' || action === 'reactivate') return <ActivationDialog user={user} activate={action === 'reactivate'} onClose={onClose} />;
  const forms: Record<'role' | 'password' | 'pin', ReactNode> = {
    role: <RoleForm user={user} onDone={onClose} />,
    password: <PasswordForm user={user} onDone={onClose} />,
    pin: <PinForm user={user} onDone={onClose} />,
  };
  return (
    <Dialog open onOpenChange={onOpenChange} title={t(`${action}.title`, { name: user.full_name })} description={t(`${action}.description`)} closeLabel={t('common:close')}>
      {forms[action]}
    </Dialog>
  );
}


function RoleForm({ user, onDone }: { user: User; onDone: () => void }) {
  const { t } = useTranslation('users');
  const update = useUpdateUser(user.id);
  const [role, setRole] = useState<Role>(user.role);
  const { fields, banner } = formErrors(update.error, ['role']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (role === user.role) return onDone();
    update.mutate(
      { role },
      {
        onSuccess: (changed) => {
          toast(t('role.done', { name: changed.full_name, role: t(`roles.${changed.role}`) }));
          onDone();
        },
      },
    );
  };
  return (
    <form onSubmit={submit} className="space-y-4">
      <RoleSelect value={role} onChange={setRole} error={fields.role} />
      <FormError error={banner} />
      <FormActions pending={update.isPending} submitLabel={t('role.submit')} onCancel={onDone} />
    </form>
  );
}

function PasswordForm({ user, onDone }: { user: User; onDone: () => void }) {
  const { t } = useTranslation('users');
  const update = useUpdateUser(user.id);
  const [password, setPassword] = useState('');
  const { fields, banner } = formErrors(update.error, ['password'], { weak_password: 'password' });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate(
      { password },
      {
        onSuccess: () => {
          toast(t('password.done', { name: user.full_name }));
          onDone();
        },
      },
    );
  };
  return (
    <form onSubmit={submit} className="space-y-4">
      <PasswordField label={t('fields.newPassword')} value={password} onChange={setPassword} personal={[user.email.split('@')[0], user.full_name]} error={fields.password} />
      <FormError error={banner} />
      <FormActions pending={update.isPending} submitLabel={t('password.submit')} onCancel={onDone} />
    </form>
  );
}

function PinForm({ user, onDone }: { user: User; onDone: () => void }) {
  const { t } = useTranslation('users');
  const setPin = useSetPin(user.id);
  const [pin, setPinValue] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const { fields, banner } = formErrors(setPin.error, ['pin'], { weak_pin: 'pin' });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const local = pinProblem(pin);
    if (local) {
      setProblem(t(`pin.${local}`));
      return;
    }
    setProblem(undefined);
    setPin.mutate(pin, {
      onSuccess: () => {
        toast(t('pin.done', { name: user.full_name }));
        onDone();
      },
    });
  };
  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <Field label={t('fields.pin')} hint={t('pin.hint')} error={problem ?? fields.pin}>
        {(control) => (
          <Input
            {...control}
            type="password"
            inputMode="numeric"
            autoComplete="off"
            maxLength={8}
            className="max-w-40 font-mono tracking-widest"
            value={pin}
            onChange={(event) => setPinValue(event.target.value.replace(/\D/g, ''))}
          />
        )}
      </Field>
      <FormError error={banner} />
      <FormActions pending={setPin.isPending} submitLabel={t('pin.submit')} onCancel={onDone} />
    </form>
  );
}

function ActivationDialog({ user, activate, onClose }: { user: User; activate: boolean; onClose: () => void }) {
  const { t } = useTranslation('users');
  const update = useUpdateUser(user.id);
  const key = activate ? 'reactivate' : 'deactivate';
  return (
    <ConfirmDialog
      open
      onOpenChange={(open) => !open && onClose()}
      title={t(`${key}.title`, { name: user.full_name })}
      description={t(`${key}.description`)}
      confirmLabel={t(`${key}.confirm`)}
      tone={activate ? 'primary' : 'danger'}
      pending={update.isPending}
      error={update.error}
      onConfirm={() =>
        update.mutate(
          { is_active: activate },
          {
            onSuccess: () => {
              toast(t(`${key}.done`, { name: user.full_name }));
              onClose();
            },
          },
        )
      }
    />
  );
}
