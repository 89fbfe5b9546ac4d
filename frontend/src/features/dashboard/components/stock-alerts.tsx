/**
 * Stock alerts: products at or below their reorder point (live from stock events), and the
 * products the latest forecast says will run out before a new order could arrive.
 */
import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { ErrorState, Loading } from '@orbit/shared/ui/states';
import { Badge, Card, CardTitle } from '@orbit/shared/ui/surfaces';
import { useRunoutAlerts } from '../api';
import type { DashboardSummary } from '../live-reducer';

export function StockAlerts({ lowStock }: { lowStock: DashboardSummary['low_stock'] }) {
  const { t } = useTranslation('dashboard');
  const format = useFormat();
  const runouts = useRunoutAlerts();

  return (
    <Card aria-labelledby="stock-alerts-title" className="min-w-0">
      <CardTitle id="stock-alerts-title">{t('stock.title')}</CardTitle>
      <section aria-labelledby="low-stock-title" className="mt-3">
        <h3 id="low-stock-title" className="flex items-center gap-2 text-sm font-medium text-slate-700">
          {t('stock.low')}
          <Badge tone={lowStock.count > 0 ? 'warn' : 'ok'} data-low-stock-count={lowStock.count}>
            {format.number(lowStock.count)}
          </Badge>
        </h3>
        {lowStock.items.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600">{t('stock.noLow')}</p>
        ) : (
          <ul className="mt-2 divide-y divide-slate-100 text-sm">
            {lowStock.items.map((item) => (
              <li key={item.product_id} className="flex items-baseline justify-between gap-2 py-1.5">
                <span className="min-w-0 truncate">{item.name}</span>
                <span className="shrink-0 text-xs text-slate-600 tabular-nums">{t('stock.level', { stock: format.number(item.stock), point: format.number(item.reorder_point) })}</span>
              </li>
            ))}
          </ul>
        )}
        {lowStock.count > lowStock.items.length ? (
          <Link to="/stock" className="mt-1 inline-block text-sm text-brand-700 hover:underline">
            {t('stock.seeAll', { count: lowStock.count })}
          </Link>
        ) : null}
      </section>
      <section aria-labelledby="runouts-title" className="mt-4 border-t border-slate-200 pt-3">
        <h3 id="runouts-title" className="text-sm font-medium text-slate-700">
          {t('stock.runouts')}
        </h3>
        {runouts.isPending ? (
          <Loading />
        ) : runouts.isError ? (
          <ErrorState error={runouts.error} onRetry={() => void runouts.refetch()} />
        ) : runouts.data.run_id === null ? (
          <p className="mt-1 text-sm text-slate-600">{t('stock.noForecast')}</p>
        ) : runouts.data.items.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600">{t('stock.noRunouts')}</p>
        ) : (
          <ul className="mt-2 divide-y divide-slate-100 text-sm">
            {runouts.data.items.map((item) => (
              <li key={item.product_id} className="py-1.5">
                <div className="flex items-baseline justify-between gap-2">
                  <span className="min-w-0 truncate">{item.name}</span>
                  {item.runout_date ? <span className="shrink-0 text-xs text-red-800">{t('stock.runsOut', { date: format.calendarDate(item.runout_date) })}</span> : null}
                </div>
                <p className="text-xs text-slate-600">
                  {t('stock.suggestion', { count: item.suggested_quantity })}
                  {item.order_by_date ? ` · ${t('stock.orderBy', { date: format.calendarDate(item.order_by_date) })}` : ''}
                </p>
              </li>
            ))}
          </ul>
        )}
        <Link to="/forecasts" search={{ alert: true }} className="mt-1 inline-block text-sm text-brand-700 hover:underline">
          {t('stock.seeForecasts')}
        </Link>
      </section>
    </Card>
  );
}
