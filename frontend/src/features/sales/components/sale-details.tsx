/** Where, by whom and for whom a sale was made, and how it was paid. */
import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Card, CardTitle } from '@orbit/shared/ui/surfaces';
import { useRegisters } from '../../../lib/registers';
import { useCustomer, type Sale } from '../api';
import { usePeopleNames } from '../../../lib/people';
import { Amount } from './sale-lines';

function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex justify-between gap-3 py-1.5">
      <dt className="text-slate-600">{label}</dt>
      <dd className="min-w-0 text-right break-words">{children}</dd>
    </div>
  );
}

const link = 'text-brand-700 hover:underline';

export function SaleDetails({ sale }: { sale: Sale }) {
  const { t } = useTranslation('sales');
  const format = useFormat();
  const register = useRegisters().data?.find((candidate) => candidate.id === sale.register_id);
  const people = usePeopleNames();
  const customer = useCustomer(sale.customer_id);

  return (
    <Card aria-labelledby="sale-details-title">
      <CardTitle id="sale-details-title">{t('detail.details')}</CardTitle>
      <dl className="mt-2 divide-y divide-slate-100 text-sm">
        <Detail label={t('fields.soldAt')}>{format.dateTime(sale.sold_at)}</Detail>
        <Detail label={t('fields.register')}>{register ? `${register.code} · ${register.name}` : '—'}</Detail>
        <Detail label={t('fields.shift')}>
          {sale.shift_id ? (
            <Link to="/shifts/$shiftId" params={{ shiftId: sale.shift_id }} className={link}>
              {t('detail.openShift')}
            </Link>
          ) : (
            t('detail.noShift')
          )}
        </Detail>
        <Detail label={t('fields.cashier')}>{people.data?.get(sale.cashier_id) ?? '—'}</Detail>
        <Detail label={t('fields.customer')}>
          {sale.customer_id ? (
            <Link to="/customers/$customerId" params={{ customerId: sale.customer_id }} className={link}>
              {customer.data?.name ?? t('detail.customerLink')}
            </Link>
          ) : (
            t('detail.noCustomer')
          )}
        </Detail>
        <Detail label={t('fields.origin')}>{t(`origin.${sale.origin}`)}</Detail>
        {sale.note ? <Detail label={t('fields.note')}>{sale.note}</Detail> : null}
      </dl>
    </Card>
  );
}

export function SalePayments({ sale }: { sale: Sale }) {
  const { t } = useTranslation('sales');
  const format = useFormat();
  return (
    <Card aria-labelledby="sale-payments-title">
      <CardTitle id="sale-payments-title">{t('detail.payments')}</CardTitle>
      <ul className="mt-2 divide-y divide-slate-100 text-sm">
        {sale.payments.map((payment) => (
          <li key={payment.id} className="py-1.5">
            <div className="flex justify-between gap-3">
              <span>{t(`method.${payment.method}`)}</span>
              <span className="tabular-nums">{format.money(payment.amount)}</span>
            </div>
            {payment.change ? <p className="text-xs text-slate-600">{t('detail.change', { amount: format.money(payment.change) })}</p> : null}
            {payment.reference ? <p className="text-xs text-slate-600">{t('detail.reference', { reference: payment.reference })}</p> : null}
          </li>
        ))}
      </ul>
      <dl className="mt-2 space-y-1 border-t border-slate-200 pt-2 text-sm">
        <Amount label={t('fields.paid')} value={format.money(sale.paid_total)} />
        {sale.change_total ? <Amount label={t('fields.change')} value={format.money(sale.change_total)} /> : null}
      </dl>
    </Card>
  );
}
