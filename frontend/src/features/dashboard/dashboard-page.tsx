/**
 * The live dashboard (/) for managers and admins: today's figures, sales by hour against the
 * same weekday last week, best sellers, stock alerts, the registers' presence and the conflict
 * inbox. Loaded once over REST, then kept current by the realtime events (`useLiveDashboard`);
 * while the connection is down it says the figures may be behind.
 */
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { ErrorState, Loading } from '@orbit/shared/ui/states';
import { PageHeader } from '@orbit/shared/ui/surfaces';
import { BestSellers } from './components/best-sellers';
import { ConflictInbox } from './components/conflict-inbox';
import { HourlySalesChart } from './components/hourly-sales-chart';
import { KpiCards } from './components/kpi-cards';
import { RegistersCard } from './components/registers-card';
import { StockAlerts } from './components/stock-alerts';
import { useLiveDashboard } from './use-live-dashboard';
import './i18n';

export function DashboardPage() {
  const { t } = useTranslation('dashboard');
  const format = useFormat();
  const live = useLiveDashboard();
  const { view } = live;

  if (!view) {
    return (
      <>
        <PageHeader title={t('title')} />
        {live.summaryError ? <ErrorState error={live.summaryError} onRetry={live.retry} /> : <Loading />}
      </>
    );
  }

  return (
    <>
      <PageHeader title={t('title')} description={t('description', { day: format.calendarDate(view.day) })} />
      {live.stale ? (
        <p role="status" className="mb-4 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900" data-stale>
          {t('stale')}
        </p>
      ) : null}
      <div className="space-y-4">
        <KpiCards today={view.today} />
        <div className="grid gap-4 lg:grid-cols-3">
          <div className="min-w-0 lg:col-span-2">
            <HourlySalesChart view={view} />
          </div>
          <BestSellers products={view.top_products} />
        </div>
        <div className="grid gap-4 lg:grid-cols-3">
          <ConflictInbox count={view.open_conflicts} conflicts={live.inbox} error={live.inboxError} onRetry={live.retryInbox} onResolved={live.resolved} />
          <StockAlerts lowStock={view.low_stock} />
          <RegistersCard registers={view.registers} />
        </div>
      </div>
    </>
  );
}
