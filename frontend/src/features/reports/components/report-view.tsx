/**
 * One report's answer on screen: its chart (loaded on demand with recharts) above its table with
 * totals, or the empty state when the period holds nothing to report.
 */
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { lazyPart } from '@orbit/shared/ui/lazy';
import { Empty, Loading } from '@orbit/shared/ui/states';
import { Card, CardTitle } from '@orbit/shared/ui/surfaces';
import type { ReportKey } from '../report-catalog';
import type { ShapedReport } from '../report-shapes';
import { ReportTable } from './report-table';

const ReportChart = lazyPart(() => import('./report-chart'));

export function ReportView({ reportKey, report }: { reportKey: ReportKey; report: ShapedReport }) {
  const { t } = useTranslation('reports');
  const name = t(`names.${reportKey}`);
  if (report.empty) {
    return <Empty title={reportKey === 'inventory-valuation' ? t('emptyStock') : t('empty')}>{t('emptyHint')}</Empty>;
  }
  const series = report.chart?.series.map((item) => t(`columns.${item.key}`)).join(', ') ?? '';
  return (
    <div className="space-y-4">
      {report.chart ? (
        <Card>
          <CardTitle className="mb-3">{t('chartOf', { report: name, series })}</CardTitle>
          <figure data-testid="report-chart" className="min-w-0">
            <Suspense fallback={<Loading />}>
              <ReportChart chart={report.chart} title={t('chartOf', { report: name, series })} />
            </Suspense>
          </figure>
        </Card>
      ) : null}
      <ReportTable report={report} caption={name} totalsLabel={reportKey === 'top-products' ? t('listedTotals') : t('totals')} />
    </div>
  );
}
