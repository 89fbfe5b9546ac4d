/**
 * Refunds, online or not: find the sale by its invoice number (this till's journal first, then
 * the server when online) or pick a recent one, choose units per line (never more than is left),
 * the method, a reason and whether the units go back to stock. The refund is a document of the
 * queue, stored before its receipt shows.
 */
import { Printer, Search } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { Checkbox, Field, Input } from '@orbit/shared/ui/field';
import { FormError, Loading } from '@orbit/shared/ui/states';
import { Badge, Card } from '@orbit/shared/ui/surfaces';
import { useLive, useOpenShift, useTill } from '../../lib/hooks';
import { PrintArea } from '../../lib/print';
import { RefundReceipt, SaleReceipt } from '../../lib/receipt';
import { SaleDocumentButtons } from '../../lib/sale-documents';
import { runtime } from '../../lib/runtime';
import type { JournalRefund, JournalSale, PaymentMethod } from '../../offline/db';
import { recordRefund, refundAmounts } from '../../offline/journal';
import '../../lib/receipt-i18n';
import './i18n';

const METHODS: PaymentMethod[] = ['cash', 'card', 'transfer', 'other'];

function SalePicker({ onChoose }: { onChoose: (sale: JournalSale) => void }) {
  const { t } = useTranslation('refunds');
  const format = useFormat();
  const [invoice, setInvoice] = useState('');
  const [searching, setSearching] = useState(false);
  const [missing, setMissing] = useState<string | null>(null);
  const recent = useLive(() => runtime.db.sales.orderBy('sold_at').reverse().limit(12).toArray(), []);
  const find = async (event: FormEvent) => {
    event.preventDefault();
    const wanted = invoice.trim();
    if (!wanted) return;
    setSearching(true);
    setMissing(null);
    const sale = await runtime.findSale(wanted);
    setSearching(false);
    if (sale) onChoose(sale);
    else setMissing(wanted);
  };
  return (
    <div className="space-y-4">
      <form onSubmit={find} className="flex flex-wrap items-end gap-2">
        <Field label={t('find')} hint={t('findHint')} error={missing ? t('notFound', { invoice: missing }) : undefined} className="min-w-56 flex-1">
          {(control) => (
            <Input
              {...control}
              autoFocus
              value={invoice}
              autoCapitalize="characters"
              onChange={(event) => setInvoice(event.target.value.toUpperCase())}
              className="h-12 font-mono"
            />
          )}
        </Field>
        <Button type="submit" size="lg" disabled={searching || !invoice.trim()}>
          <Search aria-hidden="true" />
          {t('search')}
        </Button>
      </form>
      <section aria-labelledby="recent-sales">
        <h2 id="recent-sales" className="mb-2 font-semibold">
          {t('recent')}
        </h2>
        {recent === undefined ? <Loading /> : !recent.length ? <p className="text-sm text-slate-600">{t('noRecent')}</p> : null}
        <ul className="grid gap-2 sm:grid-cols-2">
          {(recent ?? []).map((sale) => (
            <li key={sale.id}>
              <Button
                variant="secondary"
                className="h-auto min-h-14 w-full justify-between py-2 text-left"
                aria-label={t('choose', { invoice: sale.invoice_number })}
                onClick={() => onChoose(sale)}
              >
                <span>
                  <span className="block font-mono font-semibold">{sale.invoice_number}</span>
                  <span className="block text-xs text-slate-600">{format.dateTime(sale.sold_at)}</span>
                </span>
                <span className="flex flex-col items-end gap-1">
                  <span className="tabular-nums">{format.money(sale.total)}</span>
                  <Badge>{t(`from.${sale.origin}`)}</Badge>
                </span>
              </Button>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

function RefundForm({ sale, onDone, onBack }: { sale: JournalSale; onDone: (refund: JournalRefund) => void; onBack: () => void }) {
  const { t } = useTranslation('refunds');
  const { t: receipt } = useTranslation('receipt');
  const format = useFormat();
  const till = useTill();
  const shift = useOpenShift();
  const current = useLive(() => runtime.db.sales.get(sale.id), [sale.id]) ?? sale;
  const [quantities, setQuantities] = useState<Record<number, number>>({});
  const [method, setMethod] = useState<PaymentMethod>('cash');
  const [reason, setReason] = useState('');
  const [restock, setRestock] = useState(true);
  const [tried, setTried] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const lines = Object.entries(quantities)
    .filter(([, quantity]) => quantity > 0)
    .map(([position, quantity]) => ({ position: Number(position), quantity }));
  let total = 0;
  try {
    total = lines.length ? refundAmounts(current, lines).reduce((sum, line) => sum + line.amount, 0) : 0;
  } catch {
    total = 0;
  }
  const left = current.lines.reduce((sum, line) => sum + line.quantity - line.refunded_quantity, 0);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!till || !lines.length || reason.trim().length < 3) return;
    setPending(true);
    try {
      const refund = await recordRefund(till, { sale: current, lines, method, reason: reason.trim().slice(0, 500), restock }, shift?.id ?? null);
      runtime.kick('document');
      onDone(refund);
    } catch (failure) {
      setError(failure);
      setPending(false);
    }
  };
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="font-semibold">{t('sale', { invoice: current.invoice_number, date: format.dateTime(current.sold_at), total: format.money(current.total) })}</h2>
        <Button variant="link" onClick={onBack}>
          {t('back')}
        </Button>
      </div>
      <div className="flex flex-wrap gap-2">
        <SaleDocumentButtons saleId={current.id} size="md" />
      </div>
      {till ? (
        <PrintArea>
          <SaleReceipt sale={current} organization={till.organization} pending={false} />
        </PrintArea>
      ) : null}
      {!left ? <p className="text-sm text-slate-700">{t('fullyRefunded')}</p> : null}
      <ul className="space-y-2">
        {current.lines.map((line) => {
          const max = line.quantity - line.refunded_quantity;
          return (
            <li key={line.position} className="flex flex-wrap items-center justify-between gap-2 rounded-md border border-slate-200 px-3 py-2">
              <span className="min-w-0 text-sm">{t('line', { name: line.name, sold: line.quantity, refunded: line.refunded_quantity })}</span>
              <label className="flex items-center gap-2">
                <span className="sr-only">{t('quantity', { name: line.name })}</span>
                <input
                  type="number"
                  min={0}
                  max={max}
                  disabled={!max}
                  inputMode="numeric"
                  value={quantities[line.position] ?? 0}
                  onChange={(event) => setQuantities({ ...quantities, [line.position]: Math.min(max, Math.max(0, Math.floor(Number(event.target.value) || 0))) })}
                  className="h-12 w-20 rounded-md border border-slate-300 text-center tabular-nums disabled:bg-slate-100"
                />
                <span className="text-xs text-slate-500">/ {max}</span>
              </label>
            </li>
          );
        })}
      </ul>
      {tried && !lines.length ? (
        <p role="alert" className="text-sm text-danger">
          {t('nothing')}
        </p>
      ) : null}
      <fieldset>
        <legend className="mb-1 text-sm font-medium text-slate-700">{t('method')}</legend>
        <div className="grid grid-cols-2 gap-2 sm:grid-cols-4">
          {METHODS.map((option) => (
            <label
              key={option}
              className="flex h-12 cursor-pointer items-center justify-center gap-2 rounded-md border border-slate-300 has-[:checked]:border-brand-600 has-[:checked]:bg-brand-50"
            >
              <input type="radio" name="refund-method" checked={method === option} onChange={() => setMethod(option)} className="accent-brand-600" />
              {receipt(`methods.${option}`)}
            </label>
          ))}
        </div>
      </fieldset>
      <Field label={t('reason')} error={tried && reason.trim().length < 3 ? t('reasonShort') : undefined}>
        {(control) => <Input {...control} value={reason} maxLength={500} onChange={(event) => setReason(event.target.value)} className="h-12" />}
      </Field>
      <Checkbox label={t('restock')} checked={restock} onChange={(event) => setRestock(event.target.checked)} />
      <FormError error={error} />
      <Button type="submit" size="lg" className="w-full" disabled={pending || !left}>
        {pending ? t('saving') : t('submit', { amount: format.money(total) })}
      </Button>
    </form>
  );
}

export function RefundsScreen() {
  const { t } = useTranslation('refunds');
  const till = useTill();
  const [sale, setSale] = useState<JournalSale | null>(null);
  const [done, setDone] = useState<JournalRefund | null>(null);
  if (!till) return null;
  return (
    <div className="mx-auto max-w-4xl space-y-4">
      <h1 className="text-xl font-semibold">{t('title')}</h1>
      <Card>
        {done ? (
          <div className="space-y-4">
            <p role="status" className="font-medium text-emerald-800">
              {t('done', { invoice: done.invoice_number })}
            </p>
            <div className="rounded-md border border-slate-200 p-3">
              <RefundReceipt refund={done} organization={till.organization} registerCode={till.device.register_code} cashierName={till.cashier.full_name} />
            </div>
            <div className="flex flex-wrap gap-2">
              <Button variant="secondary" size="lg" onClick={() => window.print()}>
                <Printer aria-hidden="true" />
                {t('print')}
              </Button>
              <Button
                size="lg"
                onClick={() => {
                  setDone(null);
                  setSale(null);
                }}
              >
                {t('another')}
              </Button>
            </div>
            <PrintArea>
              <RefundReceipt refund={done} organization={till.organization} registerCode={till.device.register_code} cashierName={till.cashier.full_name} />
            </PrintArea>
          </div>
        ) : sale ? (
          <RefundForm sale={sale} onDone={setDone} onBack={() => setSale(null)} />
        ) : (
          <SalePicker onChoose={setSale} />
        )}
      </Card>
    </div>
  );
}
