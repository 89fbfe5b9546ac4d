/**
 * First start of a till: a manager or admin signs in and picks the register, or a pairing code
 * from the web app is typed. Either way the device gets its credential (`offline/device.ts`) and
 * the catalog is pulled; the manager's sign-in is ended right after (it must not stay on a till).
 */
import { KeyRound, UserCog } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { ConfirmDialog } from '@orbit/shared/ui/confirm-dialog';
import { Field, Input } from '@orbit/shared/ui/field';
import { Card } from '@orbit/shared/ui/surfaces';
import { Tabs } from '@orbit/shared/ui/tabs';
import { ConnectionBadge } from '../../lib/connection-badge';
import { runtime } from '../../lib/runtime';
import {
  endManagerSession,
  installDevice,
  listRegisterChoices,
  pairWithCode,
  registerDevice,
  signInManager,
  suggestedDeviceName,
  type DeviceCredentials,
  type RegisterChoice,
  type TokenPair,
} from '../../offline/device';
import { useSetupError } from './errors';
import './i18n';

function ErrorLine({ error }: { error: unknown }) {
  const message = useSetupError()(error);
  return message ? (
    <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      {message}
    </p>
  ) : null;
}

/** Store the credential and pull the catalog (with the set-up token when there is one). */
async function finish(credentials: DeviceCredentials, tokens?: TokenPair): Promise<void> {
  const device = await installDevice(runtime.db, credentials);
  try {
    await runtime.deviceInstalled(device, tokens?.access_token);
  } finally {
    if (tokens) await endManagerSession(tokens.refresh_token);
  }
}

function RegisterPicker({ tokens, registers }: { tokens: TokenPair; registers: RegisterChoice[] }) {
  const { t } = useTranslation('setup');
  const [chosen, setChosen] = useState(registers.find((register) => !register.device_name)?.id ?? registers[0]?.id ?? '');
  const [name, setName] = useState(suggestedDeviceName());
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const register = registers.find((candidate) => candidate.id === chosen);
  const submit = async (replace: boolean) => {
    setPending(true);
    setError(null);
    try {
      await finish(await registerDevice(tokens.access_token, chosen, name.trim(), replace), tokens);
    } catch (failure) {
      setError(failure);
      setPending(false);
    }
  };
  if (!registers.length) return <p className="text-sm text-slate-700">{t('noRegisters')}</p>;
  return (
    <form
      className="space-y-4"
      onSubmit={(event) => {
        event.preventDefault();
        if (register?.device_name) setConfirming(true);
        else void submit(false);
      }}
    >
      <fieldset>
        <legend className="mb-2 text-sm font-medium text-slate-700">{t('chooseRegister')}</legend>
        <div className="grid gap-2 sm:grid-cols-2">
          {registers.map((option) => (
            <label
              key={option.id}
              className="flex min-h-14 cursor-pointer items-center gap-3 rounded-lg border border-slate-300 bg-white px-3 py-2 has-[:checked]:border-brand-600 has-[:checked]:bg-brand-50"
            >
              <input type="radio" name="register" value={option.id} checked={chosen === option.id} onChange={() => setChosen(option.id)} className="size-5 accent-brand-600" />
              <span>
                <span className="block font-semibold">
                  {option.code} · {option.name}
                </span>
                <span className="block text-xs text-slate-600">
                  {option.device_name ? t('served', { name: option.device_name }) : t('free')} · {t('lastNumber', { number: option.last_number })}
                </span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <Field label={t('deviceName')} hint={t('deviceNameHint')}>
        {(control) => <Input {...control} value={name} maxLength={120} onChange={(event) => setName(event.target.value)} className="h-12" required />}
      </Field>
      <ErrorLine error={error} />
      <Button type="submit" size="lg" className="w-full" disabled={pending || !chosen || !name.trim()}>
        {pending ? t('registering') : t('register')}
      </Button>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title={t('replaceTitle')}
        description={t('replaceBody', { code: register?.code, name: register?.device_name })}
        confirmLabel={t('replace')}
        pending={pending}
        onConfirm={() => {
          setConfirming(false);
          void submit(true);
        }}
      />
    </form>
  );
}

function ManagerSetup() {
  const { t } = useTranslation('setup');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [signedIn, setSignedIn] = useState<{ tokens: TokenPair; registers: RegisterChoice[] } | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const tokens = await signInManager(email.trim(), password);
      setSignedIn({ tokens, registers: await listRegisterChoices(tokens.access_token) });
    } catch (failure) {
      setError(failure);
    } finally {
      setPending(false);
    }
  };
  if (signedIn) return <RegisterPicker tokens={signedIn.tokens} registers={signedIn.registers} />;
  return (
    <form onSubmit={submit} className="space-y-3" noValidate>
      <Field label={t('email')}>
        {(control) => <Input {...control} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} className="h-12" />}
      </Field>
      <Field label={t('password')}>
        {(control) => <Input {...control} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} className="h-12" />}
      </Field>
      <ErrorLine error={error} />
      <Button type="submit" size="lg" className="w-full" disabled={pending || !email || !password}>
        {pending ? t('signingIn') : t('signIn')}
      </Button>
    </form>
  );
}

function PairingSetup() {
  const { t } = useTranslation('setup');
  const [code, setCode] = useState('');
  const [name, setName] = useState(suggestedDeviceName());
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      await finish(await pairWithCode(code, name.trim()));
    } catch (failure) {
      setError(failure);
      setPending(false);
    }
  };
  return (
    <form onSubmit={submit} className="space-y-3" noValidate>
      <Field label={t('code')} hint={t('codeHint')}>
        {(control) => (
          <Input
            {...control}
            value={code}
            autoComplete="one-time-code"
            autoCapitalize="characters"
            spellCheck={false}
            maxLength={32}
            onChange={(event) => setCode(event.target.value.toUpperCase())}
            className="h-14 text-center font-mono text-2xl tracking-widest"
          />
        )}
      </Field>
      <Field label={t('deviceName')} hint={t('deviceNameHint')}>
        {(control) => <Input {...control} value={name} maxLength={120} onChange={(event) => setName(event.target.value)} className="h-12" />}
      </Field>
      <ErrorLine error={error} />
      <Button type="submit" size="lg" className="w-full" disabled={pending || code.replace(/[^0-9A-Z]/gi, '').length < 8 || !name.trim()}>
        {pending ? t('pairing_') : t('pair')}
      </Button>
    </form>
  );
}

export function SetupScreen() {
  const { t } = useTranslation('setup');
  return (
    <main className="mx-auto max-w-xl p-4 sm:py-10">
      <div className="mb-4 flex items-start justify-between gap-3">
        <h1 className="text-2xl font-semibold">{t('title')}</h1>
        <ConnectionBadge />
      </div>
      <p className="mb-4 text-sm text-slate-700">{t('intro')}</p>
      <Card>
        <Tabs
          label={t('methods')}
          tabs={[
            {
              value: 'manager',
              label: (
                <span className="inline-flex items-center gap-2">
                  <UserCog aria-hidden="true" className="size-4" />
                  {t('manager')}
                </span>
              ),
              content: <ManagerSetup />,
            },
            {
              value: 'pairing',
              label: (
                <span className="inline-flex items-center gap-2">
                  <KeyRound aria-hidden="true" className="size-4" />
                  {t('pairing')}
                </span>
              ),
              content: <PairingSetup />,
            },
          ]}
        />
      </Card>
    </main>
  );
}
