/** Sign-in at the shop's own host; cashiers continue to the POS, others to where they were going. */
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '@orbit/shared/api/problem';
import { signIn } from '@orbit/shared/session/session';
import { Button } from '@orbit/shared/ui/button';
import { Field, Input } from '@orbit/shared/ui/field';
import { FormError } from '@orbit/shared/ui/states';
import { LanguageSwitch } from '../../app/shell';
import '../../app/i18n';

/** Only paths of this app: a redirect parameter must never send the person to another site. */
function safeRedirect(target: string | undefined): string {
  return target && target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/sign-in') ? target : '/';
}

export function SignInPage() {
  const { t } = useTranslation('app');
  const search = useSearch({ from: '/sign-in' });
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const shop = window.location.hostname.split('.')[0];

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const tokens = await signIn(email.trim(), password);
      if (tokens.user.role === 'cashier') window.location.assign('/pos/');
      else await navigate({ to: safeRedirect(search.redirect) });
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  }

  const fieldErrors = error instanceof ApiError && error.status === 422 ? error.fieldErrors() : {};
  const banner =
    error instanceof ApiError && error.status === 401
      ? t('signIn.wrong')
      : error instanceof ApiError && error.status === 429
        ? t('signIn.throttled')
        : error instanceof ApiError && error.status === 422
          ? null
          : error;

  return (
    <main className="flex min-h-dvh items-center justify-center p-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center justify-between">
          <span className="flex items-center gap-2 font-semibold">
            <img src="/favicon.svg" alt="" className="size-7" /> OrbitEngine
          </span>
          <LanguageSwitch />
        </div>
        <form onSubmit={submit} noValidate className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          <div>
            <h1 className="text-xl font-semibold">{t('signIn.title')}</h1>
            <p className="text-sm text-slate-600">{t('signIn.subtitle', { shop })}</p>
          </div>
          {banner ? <FormError error={typeof banner === 'string' ? new Error(banner) : banner} /> : null}
          <Field label={t('signIn.email')} error={fieldErrors.email}>
            {(control) => (
              <Input {...control} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
            )}
          </Field>
          <Field label={t('signIn.password')} error={fieldErrors.password}>
            {(control) => (
              <Input {...control} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
            )}
          </Field>
          <Button type="submit" className="w-full" disabled={pending}>
            {pending ? t('signIn.submitting') : t('signIn.submit')}
          </Button>
        </form>
      </div>
    </main>
  );
}
