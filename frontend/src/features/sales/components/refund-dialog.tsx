/**
 * Refund units of a sale's lines from the back office: how many of each line, to which payment
 * method, why, whether the goods go back to stock, and on which register (a refund is booked in
 * a register's open shift). One idempotency key per refund attempt (see `useActionKey`).
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { Dialog } from '@orbit/shared/ui/dialog';
import { Checkbox, Field, Input, NativeSelect, Textarea } from '@orbit/shared/ui/field';
import { FormError } from '@orbit/shared/ui/states';
import { toast } from '@orbit/shared/ui/toast';
import { formErrors } from '../../../lib/form-errors';
import { useRegisters } from '../../../lib/registers';
import { useProductNames, useRefundSale, type RefundCreate, type Sale } from '../api';
import { useActionKey } from '../../../lib/action-key';
import { refundable, refundTotal } from '../sale-math';

const METHODS = ['cash', 'card', 'transfer', 'other'] as const;

export function RefundDialog({ sale, open, onOpenChange }: { sale: Sale; open: boolean; onOpenChange: (open: boolean) => void }) {
  const { t } = useTranslation('sales');
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('refund.title', { number: sale.invoice_number })} description={t('refund.description')} closeLabel={t('common:close')}>
      <RefundForm sale={sale} onDone={() => onOpenChange(false)} />
    </Dialog>
  );
}

/** The payment method that took most of the sale: the usual way to give the money back. */
function mainMethod(sale: Sale): RefundCreate['method'] {
  const [first] = [...sale.payments].sort((a, b) => b.amount - b.change - (a.amount - a.change));
  return first?.method ?? 'cash';
}

function RefundForm({ sale, onDone }: { sale: Sale; onDone: () => void }) {
  const { t } = useTranslation('sales');
  const format = useFormat();
  const names = useProductNames(sale.lines.map((line) => line.product_id));
  const registers = useRegisters();
  const refund = useRefundSale(sale.id);
  const keys = useActionKey();
  const openRegisters = (registers.data ?? []).filter((register) => register.open_shift_id && register.is_active);
  const [quantities, setQuantities] = useState<Record<string, number>>({});
  const [method, setMethod] = useState(mainMethod(sale));
  const [reason, setReason] = useState('');
  const [restock, setRestock] = useState(true);
  const [registerId, setRegisterId] = useState<string>('');
  const [problems, setProblems] = useState<Record<string, string>>({});

  const chosenRegister = registerId || (openRegisters.find((register) => register.id === sale.register_id) ?? openRegisters[0])?.id || '';
  const server = formErrors(refund.error, ['lines', 'method', 'register_id', 'reason'] as const, { refund_exceeds_sale: 'lines' });
  const errors: Record<string, string | undefined> = { ...server.fields, ...problems };
  const amount = refundTotal(sale.lines, quantities);
  const lines = sale.lines.filter((line) => refundable(line) > 0);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const chosen = lines.filter((line) => (quantities[line.id] ?? 0) > 0).map((line) => ({ sale_line_id: line.id, quantity: quantities[line.id] }));
    const found: Record<string, string> = {};
    if (chosen.length === 0) found.lines = t('refund.noLines');
    if (reason.trim().length < 3) found.reason = t('refund.reasonTooShort');
    if (!chosenRegister) found.register_id = t('refund.noOpenRegister');
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    const body: RefundCreate = { register_id: chosenRegister, lines: chosen, method, reason: reason.trim(), restock };
    refund.mutate(
      { body, key: keys.for(body) },
      {
        onSuccess: (result) => {
          keys.done();
          toast(t('refund.done', { amount: format.money(result.total) }));
          onDone();
        },
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <fieldset className="space-y-2" aria-describedby={errors.lines ? 'refund-lines-error' : undefined}>
        <legend className="text-sm font-medium text-slate-700">{t('refund.lines')}</legend>
        {lines.map((line) => (
          <Field
            key={line.id}
            label={names.get(line.product_id) ?? t('detail.loadingProduct')}
            hint={t('refund.left', { count: refundable(line), total: format.money(line.total) })}
            className="rounded-md border border-slate-200 p-2"
          >
            {(control) => (
              <Input
                {...control}
                type="number"
                inputMode="numeric"
                min={0}
                max={refundable(line)}
                step={1}
                value={quantities[line.id] ?? 0}
                onChange={(event) => {
                  const value = Math.max(0, Math.min(refundable(line), Math.trunc(Number(event.target.value) || 0)));
                  setQuantities((previous) => ({ ...previous, [line.id]: value }));
                }}
                className="w-28"
              />
            )}
          </Field>
        ))}
        {errors.lines ? (
          <p id="refund-lines-error" role="alert" className="text-sm text-danger">
            {errors.lines}
          </p>
        ) : null}
      </fieldset>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label={t('refund.method')} error={errors.method}>
          {(control) => (
            <NativeSelect {...control} value={method} onChange={(event) => setMethod(event.target.value as RefundCreate['method'])}>
              {METHODS.map((value) => (
                <option key={value} value={value}>
                  {t(`method.${value}`)}
                </option>
              ))}
            </NativeSelect>
          )}
        </Field>
        <Field label={t('refund.register')} error={errors.register_id} hint={t('refund.registerHint')}>
          {(control) => (
            <NativeSelect {...control} value={chosenRegister} onChange={(event) => setRegisterId(event.target.value)}>
              {openRegisters.length === 0 ? <option value="">{t('refund.noOpenRegisterOption')}</option> : null}
              {openRegisters.map((register) => (
                <option key={register.id} value={register.id}>
                  {register.code} · {register.name}
                </option>
              ))}
            </NativeSelect>
          )}
        </Field>
      </div>
      <Field label={t('refund.reason')} error={errors.reason}>
        {(control) => <Textarea {...control} rows={2} value={reason} maxLength={500} onChange={(event) => setReason(event.target.value)} />}
      </Field>
      <Checkbox label={t('refund.restock')} checked={restock} onChange={(event) => setRestock(event.target.checked)} />
      <FormError error={server.banner} />
      <div className="flex flex-col-reverse gap-2 border-t border-slate-200 pt-4 sm:flex-row sm:items-center sm:justify-between">
        <p className="text-sm" aria-live="polite">
          {t('refund.amount')} <strong className="tabular-nums">{format.money(amount)}</strong>
        </p>
        <Button type="submit" disabled={refund.isPending}>
          {refund.isPending ? t('common:saving') : t('refund.submit')}
        </Button>
      </div>
    </form>
  );
}
