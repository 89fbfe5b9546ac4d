/**
 * Signing the till in: the browser session (docs/pos.md, "Who pushes") that carries the till's
 * documents to the server. Any person of the shop may sign it in; the documents still name the
 * cashier who unlocked with their PIN.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { signIn } from '@orbit/shared/session/session';
import { Button } from '@orbit/shared/ui/button';
import { Dialog } from '@orbit/shared/ui/dialog';
import { Field, Input } from '@orbit/shared/ui/field';
import { runtime } from '../../lib/runtime';
import { useSetupError } from './errors';
import './i18n';

export function TillSignInForm({ onDone }: { onDone?: () => void }) {
  const { t } = useTranslation('setup');
  const message = useSetupError();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
      onDone?.();
      void runtime.pull();
    } catch (failure) {
      setError(failure);
    } finally {
      setPending(false);
    }
  };
  return (
    <form onSubmit={submit} className="space-y-3" noValidate>
      <p className="text-sm text-slate-600">{t('tillSignInIntro')}</p>
      <Field label={t('email')}>
        {(control) => <Input {...control} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} className="h-12" />}
      </Field>
      <Field label={t('password')}>
        {(control) => (
          <Input {...control} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} className="h-12" />
        )}
      </Field>
      {error ? (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {message(error)}
        </p>
      ) : null}
      <Button type="submit" size="lg" className="w-full" disabled={pending || !email || !password}>
        {pending ? t('signingIn') : t('tillSignInSubmit')}
      </Button>
    </form>
  );
}

export function TillSignInDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const { t } = useTranslation('setup');
  const { t: common } = useTranslation();
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('tillSignIn')} closeLabel={common('close')}>
      <TillSignInForm onDone={() => onOpenChange(false)} />
    </Dialog>
  );
}
