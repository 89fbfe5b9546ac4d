/**
 * Which screen the till shows, from its state alone: opening → set-up (no device) → first pull
 * (device, no catalog yet) → PIN unlock → the frame with its four views. A mirror tab (another
 * tab is the writer) shows a read-only view. The locality (currency, language, time zone) is the
 * organization's, from the pulled settings, so money and dates read the same online or not.
 */
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LocalityProvider } from '@orbit/shared/format/locality';
import { followOrganization, localeFor } from '@orbit/shared/i18n/i18n';
import { Loading } from '@orbit/shared/ui/states';
import { Toaster } from '@orbit/shared/ui/toast';
import { FirstPullScreen } from '../features/setup/first-pull-screen';
import { SetupScreen } from '../features/setup/setup-screen';
import { UnlockScreen } from '../features/unlock/unlock-screen';
import { useCashier } from '../lib/cashier';
import { Frame, type View } from './frame';
import { useRuntime } from '../lib/hooks';
import { MirrorScreen } from './mirror-screen';
import { RefusedScreen } from './refused-screen';
import { Views } from './views';

function useLocality() {
  const { organization } = useRuntime();
  const { i18n } = useTranslation();
  useEffect(() => {
    if (organization) followOrganization(organization.locale);
  }, [organization]);
  return useMemo(
    () => ({
      locale: organization ? localeFor(i18n.language, organization.locale) : i18n.language,
      currency: organization?.currency ?? 'USD',
      timeZone: organization?.time_zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    }),
    [organization, i18n.language],
  );
}

function Screen() {
  const state = useRuntime();
  const cashier = useCashier();
  const [view, setView] = useState<View>('sell');
  if (state.phase === 'loading' || state.role === 'electing') return <Splash />;
  if (state.role === 'mirror') return <MirrorScreen />;
  if (!state.device) return <SetupScreen />;
  if (!state.organization) return <FirstPullScreen />;
  if (!cashier) return state.device_refused ? <RefusedScreen /> : <UnlockScreen />;
  return (
    <Frame view={view} onView={setView}>
      <Views view={view} onView={setView} />
    </Frame>
  );
}

function Splash() {
  const { t } = useTranslation('pos');
  return (
    <main className="grid min-h-dvh place-items-center">
      <Loading label={t('loading')} />
    </main>
  );
}

export function App() {
  const locality = useLocality();
  const { t } = useTranslation();
  return (
    <LocalityProvider value={locality}>
      <Screen />
      <Toaster closeLabel={t('close')} />
    </LocalityProvider>
  );
}
