/**
 * Receipts of sales and refunds, in the shop's language and currency (the organization's locale,
 * whatever language the till's screen is in), laid out for 80 mm paper. The same component shows
 * on screen and in the print area.
 */
import { useTranslation } from 'react-i18next';
import { formatDateTime, formatMoney } from '@orbit/shared/format/format';
import { languageOf } from '@orbit/shared/i18n/i18n';
import type { JournalRefund, JournalSale, OrganizationSettings } from '../offline/db';
import './receipt-i18n';

function useShopWords(organization: OrganizationSettings) {
  const { i18n } = useTranslation();
  const t = i18n.getFixedT(languageOf(organization.locale) ?? 'es', 'receipt');
  const money = (minor: number) => formatMoney(minor, { locale: organization.locale, currency: organization.currency });
  const when = (value: string) => formatDateTime(value, { locale: organization.locale, timeZone: organization.time_zone });
  return { t, money, when };
}

function Row({ label, value, strong = false }: { label: string; value: string; strong?: boolean }) {
  return (
    <div className={`flex justify-between gap-2 ${strong ? 'text-base font-bold' : ''}`}>
      <span>{label}</span>
      <span className="tabular-nums">{value}</span>
    </div>
  );
}

export function SaleReceipt({ sale, organization, pending }: { sale: JournalSale; organization: OrganizationSettings; pending: boolean }) {
  const { t, money, when } = useShopWords(organization);
  const lang = languageOf(organization.locale) ?? 'es';
  return (
    <article lang={lang} className="receipt mx-auto max-w-[20rem] space-y-2 font-mono text-xs leading-snug text-slate-900" data-testid="receipt">
      <header className="text-center">
        <p className="text-sm font-bold">{organization.name}</p>
        <p>
          {t('invoice')} {sale.invoice_number}
        </p>
        {sale.server_invoice_number ? <p>{t('renumbered', { number: sale.server_invoice_number })}</p> : null}
        <p>{when(sale.sold_at)}</p>
        <p>
          {t('register')} {sale.register_code} · {t('cashier')} {sale.cashier_name}
        </p>
        {sale.customer_name ? (
          <p>
            {t('customer')}: {sale.customer_name}
          </p>
        ) : null}
      </header>
      <table className="w-full border-y border-dashed border-slate-400">
        <thead>
          <tr>
            <th className="text-left font-normal">{t('item')}</th>
            <th className="text-right font-normal">{t('amount')}</th>
          </tr>
        </thead>
        <tbody>
          {sale.lines.map((line) => (
            <tr key={line.position} className="align-top">
              <td>
                {line.name}
                <br />
                {line.quantity} × {money(line.unit_price)}
                {line.discount ? ` − ${money(line.discount)}` : ''}
              </td>
              <td className="text-right tabular-nums">{money(line.total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="space-y-0.5">
        <Row label={t('subtotal')} value={money(sale.subtotal)} />
        {sale.discount_total ? <Row label={t('discounts')} value={`− ${money(sale.discount_total)}`} /> : null}
        <Row label={sale.tax_mode === 'inclusive' ? t('taxIncluded') : t('tax')} value={money(sale.tax_total)} />
        <Row label={t('total')} value={money(sale.total)} strong />
        {sale.payments.map((payment, index) => (
          <Row key={index} label={t(`methods.${payment.method}`)} value={money(payment.amount)} />
        ))}
        {sale.change_total ? <Row label={t('change')} value={money(sale.change_total)} /> : null}
      </div>
      <footer className="pt-1 text-center">
        <p>{t('thanks')}</p>
        {pending ? <p>{t('offline')}</p> : null}
      </footer>
    </article>
  );
}

export function RefundReceipt({
  refund,
  organization,
  registerCode,
  cashierName,
}: {
  refund: JournalRefund;
  organization: OrganizationSettings;
  registerCode: string;
  cashierName: string;
}) {
  const { t, money, when } = useShopWords(organization);
  return (
    <article lang={languageOf(organization.locale) ?? 'es'} className="receipt mx-auto max-w-[20rem] space-y-2 font-mono text-xs leading-snug" data-testid="refund-receipt">
      <header className="text-center">
        <p className="text-sm font-bold">{organization.name}</p>
        <p className="font-bold">{t('refundOf', { invoice: refund.invoice_number })}</p>
        <p>{when(refund.refunded_at)}</p>
        <p>
          {t('register')} {registerCode} · {t('cashier')} {cashierName}
        </p>
      </header>
      <table className="w-full border-y border-dashed border-slate-400">
        <tbody>
          {refund.lines.map((line) => (
            <tr key={line.position}>
              <td>
                {line.quantity} × {line.name}
              </td>
              <td className="text-right tabular-nums">{money(line.amount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Row label={t('refunded')} value={money(refund.total)} strong />
      <Row label={t('method')} value={t(`methods.${refund.method}`)} />
      <p>
        {t('reason')}: {refund.reason}
      </p>
    </article>
  );
}
