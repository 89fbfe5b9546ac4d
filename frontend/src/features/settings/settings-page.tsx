/** The organization's settings (/settings, admins). */
import { useTranslation } from 'react-i18next';
import { ErrorState, Loading } from '@orbit/shared/ui/states';
import { PageHeader } from '@orbit/shared/ui/surfaces';
import { useMe } from '../../lib/me';
import { SettingsFormView } from './components/settings-form-view';
import './i18n';

export function SettingsPage() {
  const { t } = useTranslation('settings');
  const me = useMe();
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      {me.isPending ? (
        <Loading />
      ) : me.isError ? (
        <ErrorState error={me.error} onRetry={() => void me.refetch()} />
      ) : (
        // Keyed by the saved settings: after a save the form starts again from what the server holds.
        <SettingsFormView key={JSON.stringify(me.data.organization)} organization={me.data.organization} />
      )}
    </>
  );
}
