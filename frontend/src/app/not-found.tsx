import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';

export function NotFound() {
  const { t } = useTranslation('app');
  return (
    <main className="mx-auto max-w-md p-8 text-center">
      <h1 className="text-2xl font-semibold">{t('notFound.title')}</h1>
      <p className="mt-2 text-slate-600">{t('common:notFound')}</p>
      <Link to="/" className="mt-4 inline-block text-brand-700 underline">
        {t('notFound.back')}
      </Link>
    </main>
  );
}
