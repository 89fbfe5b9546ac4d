import { useTranslation } from 'react-i18next';

export function Forbidden() {
  const { t } = useTranslation('app');
  return (
    <div className="p-8 text-center">
      <h1 className="text-2xl font-semibold">{t('forbidden.title')}</h1>
      <p className="mt-2 text-slate-600">{t('common:forbidden')}</p>
    </div>
  );
}
