/**
 * A discount on a line or on the whole ticket, as an amount of money or a percentage of what it
 * applies to (rounded half up to the minor unit), never more than that.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { moneyInputValue, parseMoney } from '@orbit/shared/format/format';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { Dialog } from '@orbit/shared/ui/dialog';
import { Field, Input } from '@orbit/shared/ui/field';
import { percentOf } from '../../offline/money';
import './i18n';

export interface DiscountDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  /** The most the discount may be (what it applies to). */
  max: number;
  current: number;
  onApply: (amount: number) => void;
}

export function DiscountDialog({ open, onOpenChange, title, max, current, onApply }: DiscountDialogProps) {
  const { t } = useTranslation('sell');
  const { t: common } = useTranslation();
  const format = useFormat();
  const currency = format.locality.currency;
  const [kind, setKind] = useState<'amount' | 'percent'>('percent');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return;
    setKind(current ? 'amount' : 'percent');
    setText(current ? moneyInputValue(current, currency) : '');
    setError(null);
  }, [open, current, currency]);

  const amountOf = (): number | null => {
    if (kind === 'amount') return parseMoney(text, currency);
    const percent = Number(text.replace(',', '.'));
    return Number.isFinite(percent) && percent >= 0 && percent <= 100 ? percentOf(max, Math.round(percent * 100)) : null;
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const amount = amountOf();
    if (amount === null || amount < 0 || amount > max) {
      setError(t('discount.tooMuch', { max: format.money(max) }));
      return;
    }
    onApply(amount);
    onOpenChange(false);
  };

  const preview = amountOf();
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={title} closeLabel={common('close')}>
      <form onSubmit={submit} className="space-y-4">
        <fieldset className="flex gap-2">
          <legend className="sr-only">{t('discount.kind')}</legend>
          {(['percent', 'amount'] as const).map((option) => (
            <label
              key={option}
              className="flex h-12 flex-1 cursor-pointer items-center justify-center gap-2 rounded-md border border-slate-300 has-[:checked]:border-brand-600 has-[:checked]:bg-brand-50"
            >
              <input type="radio" name="discount-kind" value={option} checked={kind === option} onChange={() => setKind(option)} className="accent-brand-600" />
              {t(`discount.${option}`)}
            </label>
          ))}
        </fieldset>
        <Field label={t('discount.value')} error={error ?? undefined} hint={preview !== null && preview <= max ? `− ${format.money(preview)}` : undefined}>
          {(control) => <Input {...control} autoFocus inputMode="decimal" value={text} onChange={(event) => setText(event.target.value)} className="h-12 text-lg" />}
        </Field>
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button
            variant="secondary"
            size="lg"
            onClick={() => {
              onApply(0);
              onOpenChange(false);
            }}
          >
            {t('discount.remove')}
          </Button>
          <Button type="submit" size="lg">
            {t('discount.apply')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
