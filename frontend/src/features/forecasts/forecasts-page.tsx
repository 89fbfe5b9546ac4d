/**
 * Forecasts (/forecasts): three tabs (in the URL's `tab`). Runs: start one and watch it work,
 * live from the `predictions` topic. Product: a product's sales and forecast with its intervals,
 * and its backtest against the baselines. Reorder suggestions: what to order and by when, as a
 * list and as a CSV purchase list. The live state of runs is held here, so it survives switching
 * tabs, and a finished run refreshes every tab.
 */
import { getRouteApi } from '@tanstack/react-router';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '@orbit/shared/ui/surfaces';
import { Tabs } from '@orbit/shared/ui/tabs';
import { ProductPanel } from './components/product-panel';
import { ReorderPanel, type ReorderFilters } from './components/reorder-panel';
import { RunsPanel } from './components/runs-panel';
import { useForecastEvents } from './use-forecast-events';
import './i18n';

const route = getRouteApi('/app/forecasts');

const TABS = ['runs', 'product', 'reorder'] as const;
type Tab = (typeof TABS)[number];

function tabOf(value: unknown): Tab {
  return TABS.find((tab) => tab === value) ?? 'runs';
}

export function ForecastsPage() {
  const { t } = useTranslation('forecasts');
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const live = useForecastEvents();
  const tab = tabOf(search.tab);

  const changeReorder = useCallback(
    (patch: ReorderFilters) => void navigate({ search: (previous) => ({ ...previous, ...patch }), replace: true }),
    [navigate],
  );

  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <Tabs
        label={t('tabs.label')}
        value={tab}
        onValueChange={(value) => void navigate({ search: (previous) => ({ ...previous, tab: tabOf(value) }) })}
        tabs={[
          { value: 'runs', label: t('tabs.runs'), content: <RunsPanel live={live} /> },
          {
            value: 'product',
            label: t('tabs.product'),
            content: <ProductPanel productId={search.product_id} onProduct={(productId) => void navigate({ search: (previous) => ({ ...previous, product_id: productId }) })} />,
          },
          { value: 'reorder', label: t('tabs.reorder'), content: <ReorderPanel filters={{ q: search.q, alert: search.alert, offset: search.offset }} onChange={changeReorder} /> },
        ]}
      />
    </>
  );
}
