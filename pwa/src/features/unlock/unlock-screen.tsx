/**
 * PIN unlock, checked on the till against the pulled verifier (`offline/pin.ts`), online or not.
 * Only active people with a PIN are listed. Wrong PINs count towards a lockout kept in IndexedDB
 * (a reload does not reset it). Typing works as well as tapping: digits, Backspace, Enter.
 */
import { Delete, LockKeyhole } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { Card } from '@orbit/shared/ui/surfaces';
import { unlock } from '../../lib/cashier';
import { ConnectionBadge } from '../../lib/connection-badge';
import { useLive, useRuntime } from '../../lib/hooks';
import { runtime } from '../../lib/runtime';
import type { Cashier } from '../../offline/db';
import { FREE_ATTEMPTS, NO_LOCKOUT, afterFailure, lockedFor, verifyPin } from '../../offline/pin';
import './i18n';

const MAX_PIN = 8;

function useNow(intervalMs: number, active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, active]);
  return now;
}

function PinPad({ cashier, onBack }: { cashier: Cashier; onBack: () => void }) {
  const { t } = useTranslation('unlock');
  const [pin, setPin] = useState('');
  const [checking, setChecking] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const lockout = useLive(() => runtime.db.getMeta('lockout'), []) ?? NO_LOCKOUT;
  const now = useNow(1_000, lockout.locked_until > Date.now());
  const wait = lockedFor(lockout, now);

  const submit = async () => {
    if (checking || !pin || lockedFor(lockout, Date.now())) return;
    setChecking(true);
    const ok = await verifyPin(pin, cashier.offline_pin);
    setChecking(false);
    setPin('');
    if (ok) {
      await runtime.db.setMeta('lockout', NO_LOCKOUT);
      unlock({ id: cashier.id, full_name: cashier.full_name, role: cashier.role });
      return;
    }
    const next = afterFailure(lockout, Date.now());
    await runtime.db.setMeta('lockout', next);
    setMessage(next.locked_until ? null : t('wrong', { count: FREE_ATTEMPTS - next.failures }));
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (/^[0-9]$/.test(event.key)) setPin((value) => (value + event.key).slice(0, MAX_PIN));
      else if (event.key === 'Backspace') setPin((value) => value.slice(0, -1));
      else if (event.key === 'Enter') void submit();
      else if (event.key === 'Escape') onBack();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  return (
    <div className="mx-auto max-w-xs space-y-4">
      <h2 className="text-center text-lg font-semibold">{t('pin', { name: cashier.full_name })}</h2>
      <output aria-label={t('pinLabel')} aria-live="polite" className="flex h-14 items-center justify-center gap-3 rounded-lg border border-slate-300 bg-white text-3xl">
        {pin ? '•'.repeat(pin.length) : <span className="text-base text-slate-500">····</span>}
      </output>
      {wait ? (
        <p role="alert" className="text-center text-sm font-medium text-red-700">
          {t('locked', { seconds: Math.ceil(wait / 1000) })}
        </p>
      ) : message ? (
        <p role="alert" className="text-center text-sm font-medium text-red-700">
          {message}
        </p>
      ) : null}
      <div className="grid grid-cols-3 gap-2">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((digit) => (
          <Button
            key={digit}
            variant="secondary"
            className="h-16 text-2xl"
            aria-label={t('digit', { digit })}
            disabled={Boolean(wait)}
            onClick={() => setPin((value) => (value + digit).slice(0, MAX_PIN))}
          >
            {digit}
          </Button>
        ))}
        <Button variant="ghost" className="h-16" aria-label={t('erase')} onClick={() => setPin((value) => value.slice(0, -1))}>
          <Delete aria-hidden="true" className="size-6" />
        </Button>
        <Button
          variant="secondary"
          className="h-16 text-2xl"
          aria-label={t('digit', { digit: '0' })}
          disabled={Boolean(wait)}
          onClick={() => setPin((value) => (value + '0').slice(0, MAX_PIN))}
        >
          0
        </Button>
        <Button className="h-16" disabled={!pin || checking || Boolean(wait)} onClick={() => void submit()}>
          {checking ? t('checking') : t('unlock')}
        </Button>
      </div>
      <Button variant="link" className="w-full" onClick={onBack}>
        {t('back')}
      </Button>
    </div>
  );
}

export function UnlockScreen() {
  const { t } = useTranslation('unlock');
  const state = useRuntime();
  const cashiers = useLive(() => runtime.db.cashiers.filter((person) => person.is_active && Boolean(person.offline_pin)).sortBy('full_name'), []);
  const [chosen, setChosen] = useState<Cashier | null>(null);
  return (
    <main className="mx-auto max-w-3xl p-4 sm:py-8">
      <div className="mb-6 flex flex-wrap items-center justify-between gap-3">
        <div className="flex items-center gap-3">
          <LockKeyhole aria-hidden="true" className="size-8 text-brand-600" />
          <div>
            <h1 className="text-2xl font-semibold">{t('title')}</h1>
            <p className="text-sm text-slate-600">
              {state.organization?.name} · {state.device?.register_code}
            </p>
          </div>
        </div>
        <div className="flex items-center gap-2">
          {state.unsynced ? <span className="text-xs text-slate-600">{t('queue', { count: state.unsynced })}</span> : null}
          <ConnectionBadge />
        </div>
      </div>
      <Card>
        {chosen ? (
          <PinPad cashier={chosen} onBack={() => setChosen(null)} />
        ) : cashiers && !cashiers.length ? (
          <p className="text-sm text-slate-700">{t('nobody')}</p>
        ) : (
          <>
            <p className="mb-3 text-sm text-slate-600">{t('choose')}</p>
            <ul className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
              {(cashiers ?? []).map((person) => (
                <li key={person.id}>
                  <Button variant="secondary" className="h-16 w-full justify-start text-base" onClick={() => setChosen(person)}>
                    <span className="grid size-10 place-items-center rounded-full bg-brand-100 font-semibold text-brand-700" aria-hidden="true">
                      {person.full_name.slice(0, 1)}
                    </span>
                    {person.full_name}
                  </Button>
                </li>
              ))}
            </ul>
          </>
        )}
      </Card>
    </main>
  );
}
