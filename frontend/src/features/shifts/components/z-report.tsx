/** The sections of a shift's Z report; money in minor units, times in the shop's zone. */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { cn } from '@orbit/shared/ui/cn';
import { Empty } from '@orbit/shared/ui/states';
import { Card, CardTitle } from '@orbit/shared/ui/surfaces';
import type { ShiftReport } from '../api';
import { Difference } from './difference';

function Row({ label, children, strong = false }: { label: ReactNode; children: ReactNode; strong?: boolean }) {
  return (
    <div className={cn('flex justify-between gap-3 py-1', strong && 'border-t border-slate-200 pt-2 font-semibold')}>
      <dt>{label}</dt>
      <dd className="text-right tabular-nums">{children}</dd>
    </div>
  );
}

function Section({ id, title, className, children }: { id: string; title: string; className?: string; children: ReactNode }) {
  return (
    <Card aria-labelledby={id} className={cn('min-w-0 break-inside-avoid print:shadow-none', className)}>
      <CardTitle id={id}>{title}</CardTitle>
      <div className="mt-2">{children}</div>
    </Card>
  );
}

export function ShiftSummary({ report, openedBy, closedBy }: { report: ShiftReport; openedBy?: string; closedBy?: string }) {
  const { t } = useTranslation('shifts');
  const format = useFormat();
  const { shift } = report;
  return (
    <Section id="z-summary" title={t('report.summary')}>
      <dl className="text-sm">
        <Row label={t('fields.register')}>{report.register_code}</Row>
        <Row label={t('fields.openedAt')}>
          {format.dateTime(shift.opened_at)}
          {openedBy ? <span className="block text-xs text-slate-600">{openedBy}</span> : null}
        </Row>
        <Row label={t('fields.closedAt')}>
          {shift.closed_at ? format.dateTime(shift.closed_at) : t('status.open')}
          {closedBy ? <span className="block text-xs text-slate-600">{closedBy}</span> : null}
        </Row>
        <Row label={t('report.salesCount')}>{format.number(report.sales_count)}</Row>
        <Row label={t('report.voidedCount')}>{format.number(report.voided_count)}</Row>
        <Row label={t('report.refundsCount')}>{format.number(report.refunds_count)}</Row>
        <Row label={t('report.invoices')}>{report.first_invoice ? `${report.first_invoice} – ${report.last_invoice}` : '—'}</Row>
        <Row label={t('report.gross')}>{format.money(report.gross_sales)}</Row>
        <Row label={t('report.discounts')}>{report.discounts ? `−${format.money(report.discounts)}` : format.money(0)}</Row>
        <Row label={t('report.taxes')}>{format.money(report.taxes)}</Row>
        <Row label={t('report.netSales')} strong>
          {format.money(report.net_sales)}
        </Row>
        <Row label={t('report.refunds')}>{report.refunds_total ? `−${format.money(report.refunds_total)}` : format.money(0)}</Row>
      </dl>
      {shift.note ? <p className="mt-2 text-sm text-slate-700">{t('report.note', { note: shift.note })}</p> : null}
    </Section>
  );
}

export function CashDrawer({ report }: { report: ShiftReport }) {
  const { t } = useTranslation('shifts');
  const format = useFormat();
  const cash = report.methods.find((method) => method.method === 'cash');
  const signed = (sign: '+' | '−', amount: number) => (amount ? `${sign}${format.money(amount)}` : format.money(0));
  return (
    <Section id="z-drawer" title={t('report.drawer')}>
      <dl className="text-sm">
        <Row label={t('report.float')}>{format.money(report.shift.opening_float)}</Row>
        <Row label={t('report.cashSales')}>{signed('+', cash?.sales ?? 0)}</Row>
        <Row label={t('report.cashRefunds')}>{signed('−', cash?.refunds ?? 0)}</Row>
        <Row label={t('report.payIns')}>{signed('+', report.pay_ins)}</Row>
        <Row label={t('report.payOuts')}>{signed('−', report.pay_outs)}</Row>
        <Row label={t('fields.cashExpected')} strong>
          {format.money(cash?.expected ?? 0)}
        </Row>
        <Row label={t('fields.cashCounted')}>{cash?.counted === null || cash?.counted === undefined ? t('report.notCounted') : format.money(cash.counted)}</Row>
        <Row label={t('fields.difference')} strong>
          <Difference amount={cash?.difference} />
        </Row>
      </dl>
    </Section>
  );
}

export function MethodTotals({ report, className }: { report: ShiftReport; className?: string }) {
  const { t } = useTranslation('shifts');
  const format = useFormat();
  const cell = 'px-3 py-2';
  const numeric = `${cell} text-right tabular-nums`;
  const total = report.methods.reduce(
    (sum, method) => ({
      sales: sum.sales + method.sales,
      refunds: sum.refunds + method.refunds,
      expected: sum.expected + method.expected,
      counted: method.counted === null || sum.counted === null ? null : sum.counted + method.counted,
      difference: method.difference === null || sum.difference === null ? null : sum.difference + method.difference,
    }),
    { sales: 0, refunds: 0, expected: 0, counted: 0 as number | null, difference: 0 as number | null },
  );
  return (
    <Section id="z-methods" title={t('report.methods')} className={className}>
      <div className="overflow-x-auto" tabIndex={0} role="region" aria-labelledby="z-methods">
        <table className="w-full min-w-max text-sm">
          <caption className="sr-only">{t('report.methods')}</caption>
          <thead className="border-b border-slate-200 text-left text-xs text-slate-600 uppercase">
            <tr>
              <th scope="col" className={cell}>{t('fields.method')}</th>
              <th scope="col" className={`${cell} text-right`}>{t('fields.sales')}</th>
              <th scope="col" className={`${cell} text-right`}>{t('report.refunds')}</th>
              <th scope="col" className={`${cell} text-right`}>{t('fields.expected')}</th>
              <th scope="col" className={`${cell} text-right`}>{t('fields.counted')}</th>
              <th scope="col" className={`${cell} text-right`}>{t('fields.difference')}</th>
            </tr>
          </thead>
          <tbody>
            {report.methods.map((method) => (
              <tr key={method.method} className="border-b border-slate-100">
                <th scope="row" className={`${cell} text-left font-normal`}>
                  {t(`method.${method.method}`)}
                </th>
                <td className={numeric}>{format.money(method.sales)}</td>
                <td className={numeric}>{format.money(method.refunds)}</td>
                <td className={numeric}>{format.money(method.expected)}</td>
                <td className={numeric}>{method.counted === null ? '—' : format.money(method.counted)}</td>
                <td className={numeric}>
                  <Difference amount={method.difference} />
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot className="font-semibold">
            <tr>
              <th scope="row" className={`${cell} text-left`}>
                {t('report.total')}
              </th>
              <td className={numeric}>{format.money(total.sales)}</td>
              <td className={numeric}>{format.money(total.refunds)}</td>
              <td className={numeric}>{format.money(total.expected)}</td>
              <td className={numeric}>{total.counted === null ? '—' : format.money(total.counted)}</td>
              <td className={numeric}>
                <Difference amount={total.difference} />
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
    </Section>
  );
}

export function CashMovements({ report, className }: { report: ShiftReport; className?: string }) {
  const { t } = useTranslation('shifts');
  const format = useFormat();
  return (
    <Section id="z-movements" title={t('report.movements')} className={className}>
      {report.cash_movements.length === 0 ? (
        <Empty title={t('report.noMovements')} />
      ) : (
        <ul className="divide-y divide-slate-100 text-sm">
          {report.cash_movements.map((movement) => (
            <li key={movement.id} className="flex flex-wrap items-baseline justify-between gap-2 py-2">
              <span>
                <span className="font-medium">{t(`movement.${movement.kind}`)}</span> · {format.time(movement.at)}
                <span className="block text-slate-600">{movement.reason}</span>
              </span>
              <span className="tabular-nums">
                {movement.kind === 'pay_in' ? '+' : '−'}
                {format.money(movement.amount)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
