/**
 * Reports (/reports): pick a report and a period (a preset or two dates of the shop's time
 * zone), see it as a chart and a table with totals, download the same rows as CSV. The report,
 * the period and the ranking live in the URL, so a report is a link to share.
 */
import { getRouteApi } from '@tanstack/react-router';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { addDays } from '@orbit/shared/format/format';
import { useFormat } from '@orbit/shared/format/locality';
import { ErrorState, Loading } from '@orbit/shared/ui/states';
import { PageHeader } from '@orbit/shared/ui/surfaces';
import { useReport } from './api';
import { ReportControls, type ReportChoice } from './components/report-controls';
import { ReportView } from './components/report-view';
import { rangeFromSearch, rangeProblem, reportPeriod, todayIn } from './date-range';
import { DEFAULT_REPORT, isReportKey, takesPeriod, type ReportData, type ReportQuery } from './report-catalog';
import { ReportDownload } from './report-export';
import { shapeReport } from './report-shapes';
import './i18n';

const route = getRouteApi('/app/reports');

export function ReportsPage() {
  const { t } = useTranslation('reports');
  const format = useFormat();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const today = todayIn(format.locality.timeZone);
  const choice: ReportChoice = {
    report: isReportKey(search.report) ? search.report : DEFAULT_REPORT,
    range: rangeFromSearch(search, today),
    by: search.by === 'revenue' ? 'revenue' : 'units',
  };
  const valid = !takesPeriod(choice.report) || rangeProblem(choice.range) === null;
  const query: ReportQuery = { ...reportPeriod(choice.range), by: choice.by };
  const result = useReport(choice.report, query, valid);
  const shaped = useMemo(() => (result.data ? shapeReport(result.data) : null), [result.data]);

  const change = (patch: Partial<ReportChoice>) => {
    const next = { ...choice, ...patch };
    void navigate({
      search: (previous) => ({
        ...previous,
        report: next.report,
        from: next.range.from,
        to: next.range.to,
        by: next.report === 'top-products' ? next.by : undefined,
      }),
      replace: true,
    });
  };

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={<ReportDownload report={choice.report} query={query} disabled={!valid} />}
      />
      <ReportControls choice={choice} today={today} onChange={change} />
      {!valid ? null : result.isPending ? (
        <Loading />
      ) : result.isError ? (
        <ErrorState error={result.error} onRetry={() => void result.refetch()} />
      ) : shaped ? (
        <>
          <p className="mb-3 text-sm text-slate-600" aria-live="polite">
            {periodText(result.data, format, t)}
          </p>
          <ReportView reportKey={result.data.key} report={shaped} />
        </>
      ) : null}
    </>
  );
}

/** "1 Mar 2026 – 7 Mar 2026 (America/Santiago)", or the moment the stock was valued. */
function periodText(report: ReportData, format: ReturnType<typeof useFormat>, t: (key: string, values?: Record<string, string>) => string): string {
  if (report.key === 'inventory-valuation') return t('asOf', { when: format.dateTime(report.data.as_of) });
  const { since, until, time_zone } = report.data.period;
  return t('periodSummary', { from: format.calendarDate(since), to: format.calendarDate(addDays(until, -1)), zone: time_zone });
}
