/**
 * The X/Z report of a shift: the till's own figures from its journal (`offline/shift-report.ts`),
 * and — once the server answered the close — whether the server's report agrees, with the
 * server's figures shown where it does not.
 */
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Badge } from '@orbit/shared/ui/surfaces';
import { useLive } from '../../lib/hooks';
import { runtime } from '../../lib/runtime';
import type { ShiftRow } from '../../offline/db';
import { computeShiftReport, type LocalShiftReport, type MethodFigures } from '../../offline/shift-report';
import './i18n';

export function useShiftReport(shift: ShiftRow): LocalShiftReport | undefined {
  return useLive(async () => {
    const [sales, refunds, movements] = await Promise.all([
      runtime.db.sales.where('shift_id').equals(shift.id).toArray(),
      runtime.db.refunds.where('shift_id').equals(shift.id).toArray(),
      runtime.db.cash_movements.where('shift_id').equals(shift.id).toArray(),
    ]);
    return computeShiftReport(shift, sales, refunds, movements, shift.status === 'closed' ? shift.counts : []);
  }, [shift]);
}

function sameFigures(local: LocalShiftReport, server: NonNullable<ShiftRow['server_report']>): boolean {
  return (
    local.sales_count === server.sales_count &&
    local.net_sales === server.net_sales &&
    local.refunds_total === server.refunds_total &&
    local.methods.every((method) => server.methods.find((other) => other.method === method.method)?.expected === method.expected)
  );
}

export function ZReport({ shift, title }: { shift: ShiftRow; title: string }) {
  const { t } = useTranslation('shift');
  const format = useFormat();
  const local = useShiftReport(shift);
  if (!local) return null;
  const server = shift.server_report;
  const agrees = server ? sameFigures(local, server) : null;
  const shown = server && !agrees ? { ...local, ...server, methods: server.methods as MethodFigures[] } : local;
  const figures: [string, number][] = [
    [t('gross'), shown.gross_sales],
    [t('discounts'), shown.discounts],
    [t('taxes'), shown.taxes],
    [t('net'), shown.net_sales],
    [t('refundsTotal'), shown.refunds_total],
    [t('payIns'), shown.pay_ins],
    [t('payOuts'), shown.pay_outs],
  ];
  return (
    <section aria-label={title} className="space-y-3" data-testid="z-report">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="font-semibold">{title}</h2>
        {agrees === true ? <Badge tone="ok">{t('reconciled')}</Badge> : null}
      </div>
      <p className="text-sm text-slate-600">
        {t('sales')}: {shown.sales_count} · {t('refunds')}: {shown.refunds_count}
        {shown.first_invoice ? ` · ${t('invoices', { first: shown.first_invoice, last: shown.last_invoice })}` : ''}
      </p>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-4">
        {figures.map(([label, value]) => (
          <div key={label} className="flex justify-between gap-2 border-b border-slate-100 py-1">
            <dt className="text-slate-600">{label}</dt>
            <dd className="font-medium tabular-nums">{format.money(value)}</dd>
          </div>
        ))}
      </dl>
      <div className="overflow-x-auto" role="region" aria-label={t('method')} tabIndex={0}>
        <table className="w-full min-w-[30rem] text-sm">
          <thead>
            <tr className="text-left text-slate-600">
              <th className="py-1 font-medium">{t('method')}</th>
              <th className="py-1 text-right font-medium">{t('sales')}</th>
              <th className="py-1 text-right font-medium">{t('refunds')}</th>
              <th className="py-1 text-right font-medium">{t('expected')}</th>
              <th className="py-1 text-right font-medium">{t('countedColumn')}</th>
              <th className="py-1 text-right font-medium">{t('difference')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.methods.map((method) => (
              <tr key={method.method} className="border-t border-slate-100" data-testid={`z-${method.method}`}>
                <th scope="row" className="py-1 text-left font-medium">
                  {t(`methods.${method.method}`)}
                </th>
                <td className="py-1 text-right tabular-nums">{format.money(method.sales)}</td>
                <td className="py-1 text-right tabular-nums">{format.money(method.refunds)}</td>
                <td className="py-1 text-right tabular-nums">{format.money(method.expected)}</td>
                <td className="py-1 text-right tabular-nums">{method.counted === null ? '—' : format.money(method.counted)}</td>
                <td className="py-1 text-right tabular-nums">{method.difference === null ? '—' : format.money(method.difference)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="text-xs text-slate-500">{shift.status === 'closed' ? (server ? (agrees ? t('reconciled') : t('mismatch')) : `${t('local')} ${t('waiting')}`) : t('local')}</p>
    </section>
  );
}
