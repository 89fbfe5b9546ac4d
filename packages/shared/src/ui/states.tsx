import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, isNetworkError } from '../api/problem';
import { Button } from './button';
import { Spinner } from './icons';

export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <div role="status" className="flex items-center gap-2 p-6 text-sm text-slate-600">
      <Spinner aria-hidden="true" className="size-4" />
      {label ?? t('loading')}
    </div>
  );
}

export function Empty({ title, children }: { title?: ReactNode; children?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="rounded-lg border border-dashed border-slate-300 p-8 text-center">
      <p className="font-medium text-slate-700">{title ?? t('emptyTitle')}</p>
      {children ? <div className="mt-2 text-sm text-slate-600">{children}</div> : null}
    </div>
  );
}

/** The message a person should read for an error, in their language where we know it. */
export function useErrorMessage(): (error: unknown) => string {
  const { t } = useTranslation();
  return (error) => {
    if (isNetworkError(error)) return t('networkError');
    if (error instanceof ApiError) {
      if (error.status === 403) return error.problem.detail ?? t('forbidden');
      return error.problem.detail ?? error.problem.title ?? t('errorTitle');
    }
    return error instanceof Error ? error.message : t('errorTitle');
  };
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const message = useErrorMessage();
  return (
    <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4">
      <p className="font-medium text-red-800">{t('errorTitle')}</p>
      <p className="mt-1 text-sm text-red-700">{message(error)}</p>
      {onRetry ? (
        <Button variant="secondary" size="sm" className="mt-3" onClick={onRetry}>
          {t('retry')}
        </Button>
      ) : null}
    </div>
  );
}

/** A banner for a form's error that belongs to no single field. */
export function FormError({ error }: { error: unknown }) {
  const message = useErrorMessage();
  if (!error) return null;
  return (
    <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      {message(error)}
    </p>
  );
}
