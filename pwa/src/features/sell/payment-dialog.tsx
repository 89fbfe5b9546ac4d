/**
 * Taking payment: one or more tenders (cash, card, transfer, other), what is still due, the change
 * to give (from cash only, as the server settles it). "Complete sale" stores the sale durably and
 * only then hands it back for the receipt. Enter adds the typed amount, or completes when the
 * total is covered.
 */
import { Banknote, CreditCard, Landmark, Wallet, X } from 'lucide-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { moneyInputValue, parseMoney } from '@orbit/shared/format/format';
import { useFormat } from '@orbit/shared/format/locality';
import { Button, buttonVariants } from '@orbit/shared/ui/button';
import { Dialog } from '@orbit/shared/ui/dialog';
import { FormError } from '@orbit/shared/ui/states';
import { cn } from '@orbit/shared/ui/cn';
import type { PaymentMethod } from '../../offline/db';
import { amountDue } from '../../offline/money';
import type { TenderInput } from '../../offline/journal';
import './i18n';

const METHODS: { method: PaymentMethod; icon: typeof Banknote }[] = [
  { method: 'cash', icon: Banknote },
  { method: 'card', icon: CreditCard },
  { method: 'transfer', icon: Landmark },
  { method: 'other', icon: Wallet },
];

export interface PaymentDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  total: number;
  /** Stores the sale; the dialog closes when it resolves. */
  onComplete: (tenders: TenderInput[], startedAt: number) => Promise<void>;
}

export function PaymentDialog({ open, onOpenChange, total, onComplete }: PaymentDialogProps) {
  const { t } = useTranslation('sell');
  const { t: common } = useTranslation();
  const format = useFormat();
  const currency = format.locality.currency;
  const [tenders, setTenders] = useState<TenderInput[]>([]);
  const [method, setMethod] = useState<PaymentMethod>('cash');
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const amountRef = useRef<HTMLInputElement>(null);
  const completeRef = useRef<HTMLButtonElement>(null);
  const due = amountDue(total, tenders);
  const paid = tenders.reduce((sum, tender) => sum + tender.amount, 0);
  const change = Math.max(0, paid - total);

  useEffect(() => {
    if (!open) return;
    setTenders([]);
    setMethod('cash');
    setText(moneyInputValue(total, currency));
    setError(null);
    setPending(false);
    completing.current = false;
  }, [open, total, currency]);

  useEffect(() => {
    if (open) requestAnimationFrame(() => (due > 0 ? amountRef.current?.select() : completeRef.current?.focus()));
  }, [open, tenders.length, due]);

  const completing = useRef(false);
  const complete = async (all: TenderInput[]) => {
    if (completing.current) return;
    completing.current = true;
    const startedAt = performance.now();
    // Saving takes a few milliseconds: "Saving…" only shows if it takes long, so that the usual
    // sale does not pay for an extra render before its receipt.
    const slow = setTimeout(() => setPending(true), 150);
    try {
      await onComplete(all, startedAt);
    } catch (failure) {
      setError(failure);
      setPending(false);
    } finally {
      clearTimeout(slow);
      completing.current = false;
    }
  };

  const addTender = (): TenderInput[] | null => {
    const amount = parseMoney(text, currency);
    if (amount === null || amount <= 0) return null;
    if (method !== 'cash' && amount > due) {
      setError(new Error(t('pay.nonCashTooMuch')));
      return null;
    }
    const next = [...tenders, { method, amount }];
    setTenders(next);
    setError(null);
    setText(moneyInputValue(amountDue(total, next), currency));
    return next;
  };

  /** Enter in the amount: add it as a tender, and complete at once when that covers the total. */
  const enter = () => {
    if (pending) return;
    const amount = parseMoney(text, currency);
    if (amount !== null && amount > 0 && (method === 'cash' || amount <= due) && amountDue(total, [...tenders, { method, amount }]) === 0) {
      void complete([...tenders, { method, amount }]);
      return;
    }
    addTender();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!pending && due === 0) void complete(tenders);
  };

  return (
    <Dialog open={open} onOpenChange={(value) => !pending && onOpenChange(value)} title={t('pay.title')} closeLabel={common('close')} className="max-w-xl">
      <form onSubmit={submit} className="space-y-4">
        <dl className="grid grid-cols-3 gap-2 text-center">
          <div className="rounded-md bg-slate-100 p-2">
            <dt className="text-xs text-slate-600">{t('pay.due')}</dt>
            <dd className="text-xl font-bold tabular-nums" data-testid="pay-total">
              {format.money(total)}
            </dd>
          </div>
          <div className="rounded-md bg-amber-50 p-2">
            <dt className="text-xs text-slate-600">{t('pay.remaining')}</dt>
            <dd className="text-xl font-bold tabular-nums" data-testid="pay-remaining">
              {format.money(due)}
            </dd>
          </div>
          <div className="rounded-md bg-emerald-50 p-2">
            <dt className="text-xs text-slate-600">{t('pay.change')}</dt>
            <dd className="text-xl font-bold tabular-nums" data-testid="pay-change">
              {format.money(change)}
            </dd>
          </div>
        </dl>
        {tenders.length ? (
          <div>
            <h3 className="mb-1 text-sm font-medium text-slate-700">{t('pay.tenders')}</h3>
            <ul className="space-y-1">
              {tenders.map((tender, index) => (
                <li key={index} className="flex items-center justify-between rounded-md border border-slate-200 px-3 py-1">
                  <span>{t(`pay.${tender.method}`)}</span>
                  <span className="flex items-center gap-2 tabular-nums">
                    {format.money(tender.amount)}
                    <Button variant="ghost" size="icon" aria-label={t('pay.removeTender')} onClick={() => setTenders(tenders.filter((_, i) => i !== index))}>
                      <X aria-hidden="true" />
                    </Button>
                  </span>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {due > 0 ? (
          <>
            <fieldset>
              <legend className="mb-1 text-sm font-medium text-slate-700">{t('pay.method')}</legend>
              <div className="grid grid-cols-2 gap-2 sm:grid-cols-4">
                {METHODS.map(({ method: option, icon: Icon }) => (
                  <label
                    key={option}
                    className={cn(
                      'flex h-14 cursor-pointer items-center justify-center gap-2 rounded-md border border-slate-300 font-medium',
                      method === option && 'border-brand-600 bg-brand-50 text-brand-700',
                    )}
                  >
                    <input type="radio" name="method" value={option} checked={method === option} onChange={() => setMethod(option)} className="sr-only" />
                    <Icon aria-hidden="true" className="size-5" />
                    {t(`pay.${option}`)}
                  </label>
                ))}
              </div>
            </fieldset>
            <div className="flex flex-wrap items-end gap-2">
              <label className="min-w-full flex-1 sm:min-w-40">
                <span className="text-sm font-medium text-slate-700">{t('pay.amount')}</span>
                <input
                  ref={amountRef}
                  inputMode="decimal"
                  value={text}
                  onChange={(event) => setText(event.target.value)}
                  onKeyDown={(event) => {
                    if (event.key !== 'Enter') return;
                    event.preventDefault();
                    enter();
                  }}
                  className="mt-1 block h-14 w-full rounded-md border border-slate-300 px-3 text-right text-2xl tabular-nums"
                />
              </label>
              <Button variant="secondary" className="h-14" onClick={() => setText(moneyInputValue(due, currency))}>
                {t('pay.exact')}
              </Button>
              <Button variant="secondary" className="h-14" onClick={() => addTender()}>
                {t('pay.add')}
              </Button>
            </div>
          </>
        ) : null}
        <FormError error={error} />
        <button ref={completeRef} type="submit" className={cn(buttonVariants({ size: 'lg' }), 'h-14 w-full text-lg')} disabled={pending || due > 0}>
          {pending ? t('pay.completing') : t('pay.complete')}
        </button>
      </form>
    </Dialog>
  );
}
