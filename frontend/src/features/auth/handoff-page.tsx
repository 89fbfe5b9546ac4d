/**
 * The new shop's first page after signing up on the landing site: `/auth/handoff?code=…`.
 *
 * The code is one-time and short-lived. The page takes it out of the address bar at once (so it
 * stays out of history, bookmarks and screenshots; the server also sends this page with
 * `Referrer-Policy: no-referrer` and `Cache-Control: no-store`), exchanges it for the browser
 * session, and opens the dashboard. A code is exchanged at most once per page load, even if
 * React runs the effect twice. A used, expired or foreign code says so, with a way to sign in.
 */
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '@orbit/shared/api/problem';
import { exchangeHandoff } from '@orbit/shared/session/session';
import { buttonVariants } from '@orbit/shared/ui/button';
import { Loading, useErrorMessage } from '@orbit/shared/ui/states';
import '../../app/i18n';
import './i18n';

const exchanges = new Map<string, ReturnType<typeof exchangeHandoff>>();

/** One exchange per code for the life of the page. */
function exchangeOnce(code: string): ReturnType<typeof exchangeHandoff> {
  let pending = exchanges.get(code);
  if (!pending) {
    pending = exchangeHandoff(code);
    exchanges.set(code, pending);
  }
  return pending;
}

function forgetCodeInAddressBar(): void {
  const url = new URL(window.location.href);
  if (!url.searchParams.has('code')) return;
  url.searchParams.delete('code');
  window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
}

export function HandoffPage() {
  const { t } = useTranslation('auth');
  const errorMessage = useErrorMessage();
  const search = useSearch({ from: '/auth/handoff' });
  const [code] = useState(() => search.code);
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    forgetCodeInAddressBar();
    if (!code) {
      setError(new ApiError({ status: 401, code: 'handoff_invalid' }));
      return;
    }
    let current = true;
    exchangeOnce(code).then(
      (tokens) => {
        if (!current) return;
        if (tokens.user.role === 'cashier') window.location.replace('/pos/');
        else void navigate({ to: '/', replace: true });
      },
      (caught: unknown) => {
        if (current) setError(caught);
      },
    );
    return () => {
      current = false;
    };
  }, [code, navigate]);

  if (!error) {
    return (
      <main className="flex min-h-dvh items-center justify-center p-4">
        <Loading label={t('handoff.opening')} />
      </main>
    );
  }
  const refused = error instanceof ApiError && error.status === 401;
  return (
    <main className="flex min-h-dvh items-center justify-center p-4">
      <div role="alert" className="w-full max-w-md space-y-3 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold">{refused ? t('handoff.refusedTitle') : t('handoff.failedTitle')}</h1>
        <p className="text-sm text-slate-700">{refused ? t('handoff.refused') : errorMessage(error)}</p>
        <Link to="/sign-in" search={{}} className={buttonVariants()}>
          {t('handoff.signIn')}
        </Link>
      </div>
    </main>
  );
}
