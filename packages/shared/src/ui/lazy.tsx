/**
 * `React.lazy` for parts of a screen loaded on demand (a chart library, say). When the part's
 * file cannot be fetched — typically a new version was deployed while the page stayed open, so
 * the old hashed file is gone — the part is replaced by a notice with a reload button instead
 * of the error taking down the whole screen.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from './button';

function Unavailable() {
  const { t } = useTranslation();
  return (
    <div role="alert" className="rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900">
      <p>{t('partUnavailable')}</p>
      <Button variant="secondary" size="sm" className="mt-3" onClick={() => window.location.reload()}>
        {t('reload')}
      </Button>
    </div>
  );
}

export function lazyPart<P extends object>(load: () => Promise<{ default: ComponentType<P> }>): LazyExoticComponent<ComponentType<P>> {
  return lazy(() => load().catch((): { default: ComponentType<P> } => ({ default: Unavailable })));
}
