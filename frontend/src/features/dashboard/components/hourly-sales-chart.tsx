/**
 * Today's revenue by local hour against the same weekday last week (uPlot). Today's line stops
 * at the current hour. The canvas is hidden from screen readers; a table beside it says the same.
 */
import { Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type uPlot from 'uplot';
import { hourIn } from '@orbit/shared/format/format';
import { useFormat } from '@orbit/shared/format/locality';
import { lazyPart } from '@orbit/shared/ui/lazy';
import { Card, CardTitle } from '@orbit/shared/ui/surfaces';
import type { DashboardSummary } from '../live-reducer';

/** uPlot loads after the figures: the dashboard's first paint does not wait for the chart library. */
const UplotChart = lazyPart(() => import('./uplot-chart'));
const CHART_HEIGHT = 220;

const TODAY_COLOR = 'oklch(0.48 0.2 265)';
const LAST_WEEK_COLOR = 'oklch(0.55 0.03 260)';
const HOURS = Array.from({ length: 24 }, (_, hour) => hour);

function compactMoney(locale: string, currency: string): (minor: number) => string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: 'narrowSymbol', notation: 'compact', maximumFractionDigits: 1 });
  return (minor) => format.format(minor / 10 ** digits);
}

/** Room for the longest y-axis label (uPlot gives the formatted values once computed). */
function labelWidth(_: uPlot, values: string[] | null): number {
  const longest = Math.max(0, ...(values ?? []).map((value) => value.length));
  return Math.max(40, Math.ceil(longest * 7.5) + 24);
}

export function HourlySalesChart({ view }: { view: DashboardSummary }) {
  const { t } = useTranslation('dashboard');
  const format = useFormat();
  const { locale, currency } = format.locality;
  const todayLabel = t('chart.today');
  const lastWeekLabel = t('chart.lastWeek', { day: format.calendarDate(view.last_week_day) });

  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(() => {
    const money = compactMoney(locale, currency);
    return {
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false, range: [0, 23] } },
      axes: [
        { values: (_, ticks) => ticks.map((tick) => `${tick}h`), incrs: [1, 2, 3, 4, 6], stroke: '#475569', grid: { show: false } },
        { values: (_, ticks) => ticks.map(money), size: labelWidth, stroke: '#475569', grid: { stroke: '#e2e8f0' } },
      ],
      series: [
        {},
        { label: lastWeekLabel, stroke: LAST_WEEK_COLOR, width: 2, dash: [6, 4], points: { show: false } },
        { label: todayLabel, stroke: TODAY_COLOR, width: 2.5, fill: 'oklch(0.48 0.2 265 / 0.08)', points: { show: false } },
      ],
    };
  }, [locale, currency, todayLabel, lastWeekLabel]);

  const now = hourIn(Date.now(), view.time_zone);
  const data = useMemo<uPlot.AlignedData>(
    () => [HOURS, view.hours_last_week.map((hour) => hour.revenue), view.hours_today.map((hour) => (hour.hour <= now ? hour.revenue : null))],
    [view.hours_last_week, view.hours_today, now],
  );

  return (
    <Card aria-labelledby="hourly-title" className="min-w-0">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <CardTitle id="hourly-title">{t('chart.title')}</CardTitle>
        <ul className="flex flex-wrap gap-3 text-xs text-slate-600" aria-hidden="true">
          <li className="flex items-center gap-1.5">
            <span className="inline-block h-0.5 w-4" style={{ background: TODAY_COLOR }} />
            {todayLabel}
          </li>
          <li className="flex items-center gap-1.5">
            <span className="inline-block h-0 w-4 border-t-2 border-dashed" style={{ borderColor: LAST_WEEK_COLOR }} />
            {lastWeekLabel}
          </li>
        </ul>
      </div>
      <Suspense fallback={<div className="mt-3 w-full" style={{ height: CHART_HEIGHT }} />}>
        <UplotChart options={options} data={data} height={CHART_HEIGHT} className="mt-3 w-full" />
      </Suspense>
      <div className="sr-only">
        <table>
          <caption>{t('chart.tableCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('chart.hour')}</th>
              <th scope="col">{todayLabel}</th>
              <th scope="col">{lastWeekLabel}</th>
            </tr>
          </thead>
          <tbody>
            {HOURS.filter((hour) => view.hours_today[hour].revenue !== 0 || view.hours_last_week[hour].revenue !== 0).map((hour) => (
              <tr key={hour}>
                <th scope="row">{`${hour}:00`}</th>
                <td>{format.money(view.hours_today[hour].revenue)}</td>
                <td>{format.money(view.hours_last_week[hour].revenue)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
