/**
 * The register's cash shift on this till: open it with a float (or continue one opened
 * elsewhere), pay cash in and out, close it with the counted amounts — refused while anything is
 * unsynced, so that the server's Z report can follow at once — and the X/Z report.
 */
import { ArrowDownToLine, ArrowUpFromLine, Lock, Printer } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '@orbit/shared/api/client';
import { parseMoney } from '@orbit/shared/format/format';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { Dialog } from '@orbit/shared/ui/dialog';
import { Field, Input, Textarea } from '@orbit/shared/ui/field';
import { FormError } from '@orbit/shared/ui/states';
import { Card } from '@orbit/shared/ui/surfaces';
import { toast } from '@orbit/shared/ui/toast';
import { useLive, useOpenShift, useRuntime, useTill } from '../../lib/hooks';
import { PrintArea } from '../../lib/print';
import { runtime } from '../../lib/runtime';
import type { PaymentMethod, ShiftRow } from '../../offline/db';
import { closeShift, openShift, recordCashMovement } from '../../offline/journal';
import { PAYMENT_METHODS } from '../../offline/shift-report';
import { tillFetch } from '../../offline/transport';
import { ZReport } from './z-report';
import './i18n';

function OpenShiftForm() {
  const { t } = useTranslation('shift');
  const till = useTill();
  const format = useFormat();
  const [text, setText] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const amount = parseMoney(text || '0', format.locality.currency);
    if (amount === null || amount < 0 || !till) {
      setError(t('amountInvalid'));
      return;
    }
    setPending(true);
    await openShift(till, amount);
    runtime.kick('document');
    toast(t('opened'));
  };
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-3">
      <Field label={t('float')} error={error ?? undefined} className="min-w-56 flex-1">
        {(control) => <Input {...control} autoFocus inputMode="decimal" value={text} onChange={(event) => setText(event.target.value)} className="h-12 text-lg" />}
      </Field>
      <Button type="submit" size="lg" disabled={pending}>
        {pending ? t('opening') : t('open')}
      </Button>
    </form>
  );
}

/** A shift the server says is open on this register but this till never saw: continue it. */
function OpenElsewhere({ shiftId }: { shiftId: string }) {
  const { t } = useTranslation('shift');
  const { device } = useRuntime();
  const till = useTill();
  const adopt = async () => {
    if (!device || !till) return;
    const { data } = await api.GET('/api/v1/shifts/{shift_id}', { params: { path: { shift_id: shiftId } }, fetch: tillFetch }).catch(() => ({ data: undefined }));
    const shift: ShiftRow = {
      id: shiftId,
      register_id: device.register_id,
      status: 'open',
      opening_float: data?.opening_float ?? 0,
      opened_by: data?.opened_by ?? till.cashier.id,
      opened_at: data?.opened_at ?? new Date().toISOString(),
      closed_by: null,
      closed_at: null,
      counts: [],
      note: '',
      adopted: true,
    };
    await runtime.db.shifts.put(shift);
  };
  return (
    <div className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3">
      <p className="text-sm">{t('elsewhere')}</p>
      <Button variant="secondary" onClick={() => void adopt()}>
        {t('continue')}
      </Button>
    </div>
  );
}

function CashMovementDialog({ shift, movement, onClose }: { shift: ShiftRow; movement: 'pay_in' | 'pay_out' | null; onClose: () => void }) {
  const { t } = useTranslation('shift');
  const { t: common } = useTranslation();
  const till = useTill();
  const format = useFormat();
  const [text, setText] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<{ amount?: string; reason?: string }>({});
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const amount = parseMoney(text, format.locality.currency);
    const problems = { amount: amount === null || amount <= 0 ? t('amountInvalid') : undefined, reason: reason.trim().length < 3 ? t('reasonShort') : undefined };
    setErrors(problems);
    if (problems.amount || problems.reason || !till || !movement || amount === null) return;
    await recordCashMovement(till, shift, movement, amount, reason.trim().slice(0, 500));
    runtime.kick('document');
    toast(t('recorded'));
    setText('');
    setReason('');
    onClose();
  };
  return (
    <Dialog open={movement !== null} onOpenChange={(open) => !open && onClose()} title={movement === 'pay_in' ? t('payInTitle') : t('payOutTitle')} closeLabel={common('close')}>
      <form onSubmit={submit} className="space-y-3" noValidate>
        <Field label={t('amount')} error={errors.amount}>
          {(control) => <Input {...control} autoFocus inputMode="decimal" value={text} onChange={(event) => setText(event.target.value)} className="h-12 text-lg" />}
        </Field>
        <Field label={t('reason')} hint={t('reasonHint')} error={errors.reason}>
          {(control) => <Input {...control} value={reason} maxLength={500} onChange={(event) => setReason(event.target.value)} className="h-12" />}
        </Field>
        <Button type="submit" size="lg" className="w-full">
          {t('record')}
        </Button>
      </form>
    </Dialog>
  );
}

function CloseShiftDialog({ shift, open, onOpenChange, onQueue }: { shift: ShiftRow; open: boolean; onOpenChange: (open: boolean) => void; onQueue: () => void }) {
  const { t } = useTranslation('shift');
  const { t: common } = useTranslation();
  const till = useTill();
  const format = useFormat();
  const { unsynced } = useRuntime();
  const [counts, setCounts] = useState<Partial<Record<PaymentMethod, string>>>({});
  const [note, setNote] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!till || unsynced) return;
    const counted = PAYMENT_METHODS.flatMap((method) => {
      const text = counts[method]?.trim();
      const amount = text ? parseMoney(text, format.locality.currency) : null;
      return amount === null ? [] : [{ method, counted: amount }];
    });
    setPending(true);
    try {
      await closeShift(till, shift, counted, note.trim().slice(0, 1000));
      runtime.kick('document');
      toast(t('closed'));
      onOpenChange(false);
    } catch (failure) {
      setError(failure);
    } finally {
      setPending(false);
    }
  };
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('closeTitle')} description={t('closeIntro')} closeLabel={common('close')}>
      {unsynced ? (
        <div className="space-y-3">
          <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950">
            {t('closeRefused', { count: unsynced })}
          </p>
          <Button
            variant="secondary"
            onClick={() => {
              onOpenChange(false);
              onQueue();
            }}
          >
            {t('toQueue')}
          </Button>
        </div>
      ) : (
        <form onSubmit={submit} className="space-y-3">
          <div className="grid gap-3 sm:grid-cols-2">
            {PAYMENT_METHODS.map((method) => (
              <Field key={method} label={t('counted', { method: t(`methods.${method}`) })}>
                {(control) => (
                  <Input
                    {...control}
                    autoFocus={method === 'cash'}
                    inputMode="decimal"
                    value={counts[method] ?? ''}
                    onChange={(event) => setCounts({ ...counts, [method]: event.target.value })}
                    className="h-12"
                  />
                )}
              </Field>
            ))}
          </div>
          <Field label={t('note')}>{(control) => <Textarea {...control} rows={2} maxLength={1000} value={note} onChange={(event) => setNote(event.target.value)} />}</Field>
          <FormError error={error} />
          <Button type="submit" size="lg" variant="danger" className="w-full" disabled={pending}>
            {pending ? t('closing') : t('close')}
          </Button>
        </form>
      )}
    </Dialog>
  );
}

export function ShiftScreen({ onQueue }: { onQueue: () => void }) {
  const { t } = useTranslation('shift');
  const format = useFormat();
  const { device } = useRuntime();
  const shift = useOpenShift();
  const register = useLive(() => (device ? runtime.db.registers.get(device.register_id) : undefined), [device?.register_id]);
  const known = useLive(() => (register?.open_shift_id ? runtime.db.shifts.get(register.open_shift_id) : undefined), [register?.open_shift_id]);
  const lastClosed = useLive(
    () =>
      runtime.db.shifts
        .where('status')
        .equals('closed')
        .filter((row) => row.register_id === device?.register_id)
        .reverse()
        .sortBy('closed_at'),
    [device?.register_id],
  );
  const [movement, setMovement] = useState<'pay_in' | 'pay_out' | null>(null);
  const [closing, setClosing] = useState(false);
  if (shift === undefined) return null;
  const last = lastClosed?.[0];
  return (
    <div className="mx-auto max-w-4xl space-y-4">
      <h1 className="text-xl font-semibold">{t('title')}</h1>
      {shift ? (
        <Card className="space-y-4">
          <div className="flex flex-wrap items-center justify-between gap-3">
            <p className="text-sm text-slate-600">{t('openSince', { time: format.dateTime(shift.opened_at), float: format.money(shift.opening_float) })}</p>
            <div className="flex flex-wrap gap-2">
              <Button variant="secondary" size="lg" onClick={() => setMovement('pay_in')}>
                <ArrowDownToLine aria-hidden="true" />
                {t('payIn')}
              </Button>
              <Button variant="secondary" size="lg" onClick={() => setMovement('pay_out')}>
                <ArrowUpFromLine aria-hidden="true" />
                {t('payOut')}
              </Button>
              <Button variant="danger" size="lg" onClick={() => setClosing(true)}>
                <Lock aria-hidden="true" />
                {t('close')}
              </Button>
            </div>
          </div>
          <ZReport shift={shift} title={t('xReport')} />
          <CashMovementDialog shift={shift} movement={movement} onClose={() => setMovement(null)} />
          <CloseShiftDialog shift={shift} open={closing} onOpenChange={setClosing} onQueue={onQueue} />
        </Card>
      ) : (
        <Card className="space-y-4">
          <p className="text-slate-700">{t('noShift')}</p>
          {register?.open_shift_id && !known ? <OpenElsewhere shiftId={register.open_shift_id} /> : null}
          <OpenShiftForm />
        </Card>
      )}
      {last ? (
        <Card className="space-y-3">
          <ZReport shift={last} title={`${t('zReport')} · ${t('lastShift')}`} />
          <Button variant="secondary" onClick={() => window.print()}>
            <Printer aria-hidden="true" />
            {t('print')}
          </Button>
          {shift ? null : (
            <PrintArea>
              <ZReport shift={last} title={t('zReport')} />
            </PrintArea>
          )}
        </Card>
      ) : null}
    </div>
  );
}
