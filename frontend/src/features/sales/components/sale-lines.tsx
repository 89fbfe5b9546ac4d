/** A sale's lines (with what was refunded of each), its taxes by rate and its totals. */
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Card, CardTitle } from '@orbit/shared/ui/surfaces';
import { useProductNames, type Sale } from '../api';
import { taxesByRate } from '../sale-math';

const cell = 'px-3 py-2 align-top';
const numeric = `${cell} text-right whitespace-nowrap tabular-nums`;

export function SaleLines({ sale }: { sale: Sale }) {
  const { t } = useTranslation('sales');
  const format = useFormat();
  const names = useProductNames(sale.lines.map((line) => line.product_id));
  const rate = (bp: number) => format.percent(bp / 10_000, 2);

  return (
    <Card aria-labelledby="sale-lines-title">
      <CardTitle id="sale-lines-title">{t('detail.lines')}</CardTitle>
      {/* A phone gets a list; wider screens the table. */}
      <ul className="mt-3 divide-y divide-slate-100 text-sm sm:hidden">
        {sale.lines.map((line) => (
          <li key={line.id} className="flex justify-between gap-3 py-2">
            <div className="min-w-0">
              <LineProduct line={line} name={names.get(line.product_id)} />
              <span className="block text-xs text-slate-600">
                {format.number(line.quantity)} × {format.money(line.unit_price)}
                {line.discount ? ` − ${format.money(line.discount)}` : ''} · {t('fields.tax')} {format.money(line.tax_amount)} ({rate(line.tax_rate_bp)})
              </span>
            </div>
            <span className="shrink-0 tabular-nums">{format.money(line.total)}</span>
          </li>
        ))}
      </ul>
      <div className="mt-3 hidden overflow-x-auto sm:block" tabIndex={0} role="region" aria-labelledby="sale-lines-title">
        <table className="w-full min-w-[36rem] text-sm">
          <thead className="border-b border-slate-200 text-left text-xs text-slate-600 uppercase">
            <tr>
              <th scope="col" className={cell}>{t('fields.product')}</th>
              <th scope="col" className={`${cell} text-right`}>{t('fields.quantity')}</th>
              <th scope="col" className={`${cell} text-right`}>{t('fields.unitPrice')}</th>
              <th scope="col" className={`${cell} text-right`}>{t('fields.discount')}</th>
              <th scope="col" className={`${cell} text-right`}>{t('fields.tax')}</th>
              <th scope="col" className={`${cell} text-right`}>{t('fields.total')}</th>
            </tr>
          </thead>
          <tbody>
            {sale.lines.map((line) => (
              <tr key={line.id} className="border-b border-slate-100 last:border-0">
                <td className={cell}>
                  <LineProduct line={line} name={names.get(line.product_id)} />
                </td>
                <td className={numeric}>{format.number(line.quantity)}</td>
                <td className={numeric}>{format.money(line.unit_price)}</td>
                <td className={numeric}>{line.discount ? format.money(line.discount) : '—'}</td>
                <td className={numeric}>
                  {format.money(line.tax_amount)}
                  <span className="block text-xs text-slate-600">{rate(line.tax_rate_bp)}</span>
                </td>
                <td className={numeric}>{format.money(line.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="mt-4 grid gap-4 border-t border-slate-200 pt-4 sm:grid-cols-2">
        <div>
          <h3 className="text-sm font-semibold text-slate-700">{t('detail.taxes')}</h3>
          <p className="text-xs text-slate-600">{t(`detail.taxMode.${sale.tax_mode}`)}</p>
          <dl className="mt-2 space-y-1 text-sm">
            {taxesByRate(sale.lines).map((row) => (
              <div key={row.rateBp} className="flex justify-between gap-3">
                <dt>{t('detail.taxRow', { rate: rate(row.rateBp), net: format.money(row.net) })}</dt>
                <dd className="tabular-nums">{format.money(row.tax)}</dd>
              </div>
            ))}
          </dl>
        </div>
        <dl className="space-y-1 text-sm">
          <Amount label={t('fields.subtotal')} value={format.money(sale.subtotal)} />
          {sale.discount_total ? <Amount label={t('fields.discounts')} value={`−${format.money(sale.discount_total)}`} /> : null}
          <Amount label={t('fields.taxTotal')} value={format.money(sale.tax_total)} />
          <Amount label={t('fields.total')} value={format.money(sale.total)} strong />
          {sale.refunded_total ? <Amount label={t('fields.refunded')} value={`−${format.money(sale.refunded_total)}`} /> : null}
        </dl>
      </div>
    </Card>
  );
}

function LineProduct({ line, name }: { line: Sale['lines'][number]; name: string | undefined }) {
  const { t } = useTranslation('sales');
  const format = useFormat();
  return (
    <>
      {name ?? t('detail.loadingProduct')}
      {line.refunded_quantity > 0 ? <span className="block text-xs text-amber-800">{t('detail.refundedUnits', { count: line.refunded_quantity })}</span> : null}
      {line.unit_price !== line.list_price ? <span className="block text-xs text-slate-600">{t('detail.listPrice', { price: format.money(line.list_price) })}</span> : null}
    </>
  );
}

export function Amount({ label, value, strong = false }: { label: string; value: string; strong?: boolean }) {
  return (
    <div className={`flex justify-between gap-3 ${strong ? 'border-t border-slate-200 pt-1 text-base font-semibold' : ''}`}>
      <dt>{label}</dt>
      <dd className="tabular-nums">{value}</dd>
    </div>
  );
}
