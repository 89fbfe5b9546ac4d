/**
 * The POS's entry: translations, the runtime (database, writer election, sync), the service
 * worker, then the app. The runtime starts before React so that a till with a queue resumes
 * pushing even before its first screen renders.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { i18n } from '@orbit/shared/i18n/i18n';
import { App } from './app/app';
import { runtime } from './lib/runtime';
import { startUpdater } from './app/updater';
import './lib/i18n';
import './styles.css';

void runtime.start();
startUpdater();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <App />
    </I18nextProvider>
  </StrictMode>,
);
