/**
 * Pair a POS device with a register through a one-time code: make the code, show it big with a
 * copy button and a countdown, and watch the devices list (polled while the dialog is open) for
 * the device that uses it. The code lives only in this dialog's state: closing it forgets it.
 */
import { CheckCircle2, Copy } from 'lucide-react';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { Button } from '@orbit/shared/ui/button';
import { Dialog } from '@orbit/shared/ui/dialog';
import { Field, Input } from '@orbit/shared/ui/field';
import { ErrorState, FormError, Loading } from '@orbit/shared/ui/states';
import { toast } from '@orbit/shared/ui/toast';
import { formErrors } from '../../../lib/form-errors';
import { registersKey, type Register } from '../../../lib/registers';
import { activeDeviceOf, useCreatePairingCode, useDevices, type Device, type PairingCode } from '../api';
import { formatCountdown, newDeviceOn, pairingDeadline } from '../pairing';

const POLL_MS = 2_000;

interface Issued {
  code: PairingCode;
  deadline: number;
  knownDeviceIds: ReadonlySet<string>;
}

export function PairingDialog({ register, onClose }: { register: Register; onClose: () => void }) {
  const { t } = useTranslation('registers');
  const [issued, setIssued] = useState<Issued | null>(null);
  const devices = useDevices(issued ? POLL_MS : undefined);
  const paired = issued ? newDeviceOn(devices.data, register.id, issued.knownDeviceIds) : undefined;

  return (
    <Dialog open onOpenChange={(open) => !open && onClose()} title={t('pairing.title', { code: register.code })} description={t('pairing.description')} closeLabel={t('common:close')}>
      {paired ? (
        <Paired device={paired} register={register} onDone={onClose} />
      ) : issued ? (
        <IssuedCode issued={issued} onAgain={() => setIssued(null)} />
      ) : devices.isPending ? (
        <Loading />
      ) : devices.isError ? (
        <ErrorState error={devices.error} onRetry={() => void devices.refetch()} />
      ) : (
        <MakeCodeForm register={register} devices={devices.data} onIssued={setIssued} onCancel={onClose} />
      )}
    </Dialog>
  );
}

function MakeCodeForm({ register, devices, onIssued, onCancel }: { register: Register; devices: Device[]; onIssued: (issued: Issued) => void; onCancel: () => void }) {
  const { t } = useTranslation('registers');
  const current = activeDeviceOf(devices, register.id);
  const create = useCreatePairingCode();
  const [name, setName] = useState('');
  const { fields, banner } = formErrors(create.error, ['device_name']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { register_id: register.id, device_name: name.trim() || null, replace: current !== undefined },
      {
        onSuccess: ({ code, receivedAt }) =>
          onIssued({ code, deadline: pairingDeadline(code.expires_at, receivedAt), knownDeviceIds: new Set(devices.map((device) => device.id)) }),
      },
    );
  };
  return (
    <form onSubmit={submit} className="space-y-4">
      {current ? <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">{t('pairing.replaces', { name: current.name })}</p> : null}
      <Field label={t('pairing.deviceName')} hint={t('pairing.deviceNameHint')} error={fields.device_name}>
        {(control) => <Input {...control} autoComplete="off" maxLength={200} value={name} onChange={(event) => setName(event.target.value)} />}
      </Field>
      <FormError error={banner} />
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button variant="secondary" onClick={onCancel}>
          {t('common:cancel')}
        </Button>
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? t('pairing.making') : t('pairing.make')}
        </Button>
      </div>
    </form>
  );
}

/** Now, once a second, while mounted. */
function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function IssuedCode({ issued, onAgain }: { issued: Issued; onAgain: () => void }) {
  const { t } = useTranslation('registers');
  const now = useNow();
  const left = issued.deadline - now;
  const posUrl = useMemo(() => `${window.location.origin}/pos/`, []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(issued.code.code);
      toast(t('pairing.copied'), { tone: 'info' });
    } catch {
      window.getSelection()?.selectAllChildren(document.getElementById('pairing-code') as Node);
    }
  };

  if (left <= 0) {
    return (
      <div className="space-y-4">
        <p role="alert" className="text-sm text-slate-700">
          {t('pairing.expired')}
        </p>
        <div className="flex justify-end">
          <Button onClick={onAgain}>{t('pairing.again')}</Button>
        </div>
      </div>
    );
  }
  return (
    <div className="space-y-4 text-center">
      <p id="pairing-code-label" className="text-sm font-medium text-slate-700">
        {t('pairing.codeLabel')}
      </p>
      <p id="pairing-code" aria-labelledby="pairing-code-label" className="font-mono text-4xl font-semibold tracking-[0.2em] text-slate-900 select-all sm:text-5xl">
        {issued.code.code}
      </p>
      <Button variant="secondary" onClick={() => void copy()}>
        <Copy aria-hidden="true" />
        {t('pairing.copy')}
      </Button>
      <p role="timer" className="text-sm text-slate-600 tabular-nums">
        {t('pairing.expiresIn', { time: formatCountdown(left) })}
      </p>
      <div>
        <p className="text-sm text-slate-700">{t('pairing.instructions')}</p>
        <p className="mt-1 font-mono text-sm break-all text-slate-900">{posUrl}</p>
      </div>
      <p role="status" className="text-sm text-slate-500">
        {t('pairing.waiting')}
      </p>
    </div>
  );
}

function Paired({ device, register, onDone }: { device: Device; register: Register; onDone: () => void }) {
  const { t } = useTranslation('registers');
  const client = useQueryClient();
  useEffect(() => void client.invalidateQueries({ queryKey: registersKey }), [client]);
  return (
    <div className="space-y-4">
      <p role="status" className="flex items-center gap-2 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
        <CheckCircle2 aria-hidden="true" className="size-5 shrink-0 text-ok" />
        {t('pairing.paired', { name: device.name, code: register.code })}
      </p>
      <div className="flex justify-end">
        <Button onClick={onDone}>{t('pairing.done')}</Button>
      </div>
    </div>
  );
}
