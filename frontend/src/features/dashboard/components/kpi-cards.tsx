/** Today's headline figures: revenue (sales − refunds), tickets, average ticket, units sold. */
import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Card } from '@orbit/shared/ui/surfaces';
import type { DashboardSummary } from '../live-reducer';

function Kpi({ label, value, hint }: { label: string; value: string; hint?: ReactNode }) {
  const id = useId();
  return (
    <Card aria-labelledby={id} className="min-w-0">
      <h2 id={id} className="text-sm text-slate-600">
        {label}
      </h2>
      <p className="mt-1 text-xl font-semibold break-words tabular-nums sm:text-2xl" data-kpi-value>
        {value}
      </p>
      {hint ? <p className="mt-1 text-xs text-slate-600">{hint}</p> : null}
    </Card>
  );
}

export function KpiCards({ today }: { today: DashboardSummary['today'] }) {
  const { t } = useTranslation('dashboard');
  const format = useFormat();
  return (
    <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
      <Kpi
        label={t('kpi.revenue')}
        value={format.money(today.revenue)}
        hint={today.refunds ? t('kpi.revenueHint', { sales: format.money(today.sales_total), refunds: format.money(today.refunds) }) : undefined}
      />
      <Kpi label={t('kpi.tickets')} value={format.number(today.tickets)} />
      <Kpi label={t('kpi.averageTicket')} value={format.money(today.average_ticket)} />
      <Kpi label={t('kpi.units')} value={format.number(today.units)} />
    </div>
  );
}
