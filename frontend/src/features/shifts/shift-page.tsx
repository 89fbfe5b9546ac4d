/**
 * One shift's Z report (/shifts/$shiftId; an X report while the shift is open): sales, taxes and
 * refunds, totals by payment method with expected against counted, the cash drawer from the
 * opening float through pay-ins and pay-outs, and the difference highlighted. Printable: the
 * print stylesheet leaves only the report on paper.
 */
import { getRouteApi } from '@tanstack/react-router';
import { Printer } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { ErrorState, Loading } from '@orbit/shared/ui/states';
import { PageHeader } from '@orbit/shared/ui/surfaces';
import { useShiftFigures, useShiftReport } from './api';
import { ShiftStatusBadge } from './components/shift-status';
import { CashDrawer, CashMovements, MethodTotals, ShiftSummary } from './components/z-report';
import './i18n';

const route = getRouteApi('/app/shifts/$shiftId');

export function ShiftPage() {
  const { t } = useTranslation('shifts');
  const format = useFormat();
  const { shiftId } = route.useParams();
  const report = useShiftReport(shiftId);
  const figures = useShiftFigures(report.data ? [report.data.shift] : []);

  if (report.isPending) return <Loading />;
  if (report.isError) return <ErrorState error={report.error} onRetry={() => void report.refetch()} />;
  const data = report.data;
  const people = figures.data?.get(data.shift.id);

  return (
    <article className="z-report">
      <PageHeader
        title={t(data.shift.status === 'open' ? 'report.xTitle' : 'report.zTitle', { register: data.register_code })}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            {format.dateTime(data.shift.opened_at)}
            {data.shift.closed_at ? ` – ${format.dateTime(data.shift.closed_at)}` : null}
            <ShiftStatusBadge status={data.shift.status} />
          </span>
        }
        actions={
          <Button variant="secondary" onClick={() => window.print()} className="print:hidden">
            <Printer aria-hidden="true" />
            {t('report.print')}
          </Button>
        }
      />
      {data.shift.status === 'open' ? <p className="mb-4 rounded-md border border-brand-100 bg-brand-50 p-3 text-sm text-brand-700">{t('report.openNote')}</p> : null}
      <div className="grid gap-4 lg:grid-cols-2 print:grid-cols-2">
        <ShiftSummary report={data} openedBy={people?.opened_by_name} closedBy={people?.closed_by_name ?? undefined} />
        <CashDrawer report={data} />
        <MethodTotals report={data} className="lg:col-span-2 print:col-span-2" />
        <CashMovements report={data} className="lg:col-span-2 print:col-span-2" />
      </div>
    </article>
  );
}
