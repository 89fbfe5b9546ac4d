/**
 * The frame of an unlocked till: the register and cashier, the four views (sell, shift, refunds,
 * queue — also on F1–F4), the connection and the queue's badge, the till session's menu, and the
 * banners that must not be missed (a wrong clock, storage not persistent, a stuck queue, a new
 * version waiting). Large touch targets; everything reachable from the keyboard.
 */
import { Clock, Inbox, Lock, LogIn, Menu as MenuIcon, RotateCcw, ShoppingCart } from 'lucide-react';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { chooseLanguage, LANGUAGES, type Language } from '@orbit/shared/i18n/i18n';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { cn } from '@orbit/shared/ui/cn';
import { Menu } from '@orbit/shared/ui/menu';
import { toast } from '@orbit/shared/ui/toast';
import { TillSignInDialog } from '../features/setup/till-sign-in';
import { lock, useCashier } from '../lib/cashier';
import { ConnectionBadge } from '../lib/connection-badge';
import { useRuntime } from '../lib/hooks';
import { runtime } from '../lib/runtime';
import { useTicketOpen } from '../lib/ticket-open';
import { RefusalNotice } from './refused-screen';

export type View = 'sell' | 'shift' | 'refunds' | 'queue';

const VIEWS: { view: View; icon: typeof ShoppingCart; key: string }[] = [
  { view: 'sell', icon: ShoppingCart, key: 'F1' },
  { view: 'shift', icon: Clock, key: 'F2' },
  { view: 'refunds', icon: RotateCcw, key: 'F3' },
  { view: 'queue', icon: Inbox, key: 'F4' },
];

function Banner({ tone, children }: { tone: 'warn' | 'danger' | 'info'; children: ReactNode }) {
  const tones = { warn: 'border-amber-300 bg-amber-50 text-amber-950', danger: 'border-red-300 bg-red-50 text-red-900', info: 'border-brand-100 bg-brand-50 text-brand-700' };
  return <div className={cn('flex flex-wrap items-center gap-3 border-b px-4 py-2 text-sm', tones[tone])}>{children}</div>;
}

function Banners() {
  const { t } = useTranslation('pos');
  const format = useFormat();
  const state = useRuntime();
  const ticketOpen = useTicketOpen();
  const [signingIn, setSigningIn] = useState(false);
  return (
    <div role="region" aria-label={t('title')}>
      {state.update_ready ? (
        <Banner tone="info">
          <span>{t('update.ready')}</span>
          {ticketOpen ? <span className="text-xs">{t('update.later')}</span> : null}
          <Button size="sm" disabled={ticketOpen} onClick={() => void runtime.applyUpdate()}>
            {t('update.apply')}
          </Button>
        </Banner>
      ) : null}
      {runtime.clockWrong() ? <Banner tone="warn">{t('warnings.clock', { minutes: Math.round(Math.abs(state.skew_ms ?? 0) / 60_000) })}</Banner> : null}
      {state.persistence === 'denied' ? <Banner tone="warn">{t('warnings.persistence')}</Banner> : null}
      {state.sync.phase === 'blocked' ? <Banner tone="danger">{t('warnings.blocked', { message: state.sync.message })}</Banner> : null}
      {state.session === 'none' && state.online ? (
        <Banner tone="warn">
          <span>{state.unsynced ? t('warnings.signedOutSync') : t('session.notSignedIn')}</span>
          <Button size="sm" variant="secondary" onClick={() => setSigningIn(true)}>
            <LogIn aria-hidden="true" />
            {t('session.signIn')}
          </Button>
        </Banner>
      ) : null}
      {state.sync.phase === 'waiting' && state.sync.next_attempt_at && state.unsynced ? (
        <Banner tone="info">{t('warnings.retrying', { time: format.time(state.sync.next_attempt_at) })}</Banner>
      ) : null}
      <TillSignInDialog open={signingIn} onOpenChange={setSigningIn} />
    </div>
  );
}

function TillMenu() {
  const { t, i18n } = useTranslation('pos');
  const state = useRuntime();
  const [signingIn, setSigningIn] = useState(false);
  const signedIn = typeof state.session === 'object';
  const items = [
    ...LANGUAGES.map((language: Language) => ({
      label: `${t('language')}: ${language === 'es' ? 'Español' : 'English'}${i18n.language === language ? ' ✓' : ''}`,
      onSelect: () => chooseLanguage(language),
    })),
    signedIn
      ? {
          label: t('session.signOut'),
          onSelect: async () => {
            if (await runtime.signOutTill()) toast(t('session.signedOut'));
            else toast(t('session.signOutRefused', { count: runtime.getState().unsynced }), { tone: 'error' });
          },
        }
      : { label: t('session.signIn'), onSelect: () => setSigningIn(true) },
  ];
  return (
    <>
      <Menu
        trigger={
          <Button variant="ghost" size="icon" aria-label={t('session.menu')} className="size-12">
            <MenuIcon aria-hidden="true" className="size-5" />
          </Button>
        }
        items={items}
        modal={false}
      />
      <TillSignInDialog open={signingIn} onOpenChange={setSigningIn} />
    </>
  );
}

export function Frame({ view, onView, children }: { view: View; onView: (view: View) => void; children: ReactNode }) {
  const { t } = useTranslation('pos');
  const state = useRuntime();
  const cashier = useCashier();
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const index = ['F1', 'F2', 'F3', 'F4'].indexOf(event.key);
      if (index < 0) return;
      event.preventDefault();
      onView(VIEWS[index].view);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onView]);
  const signedIn = typeof state.session === 'object' ? state.session.user.full_name : null;
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-white px-3 py-2">
        <div className="mr-2 min-w-0">
          <p className="text-base leading-tight font-semibold">{state.organization?.name}</p>
          <p className="text-xs text-slate-600">
            {t('register', { code: state.device?.register_code })} · {cashier ? t('cashierNow', { name: cashier.full_name }) : null}
          </p>
        </div>
        <nav aria-label={t('nav.label')} className="order-last flex w-full gap-1 overflow-x-auto">
          {VIEWS.map(({ view: name, icon: Icon, key }) => (
            <Button
              key={name}
              variant={view === name ? 'primary' : 'ghost'}
              className="h-12 min-w-24 flex-1"
              aria-current={view === name ? 'page' : undefined}
              aria-keyshortcuts={key}
              onClick={() => onView(name)}
            >
              <Icon aria-hidden="true" />
              {t(`nav.${name}`)}
              {name === 'queue' && state.unsynced ? (
                <span className="rounded-full bg-amber-400 px-1.5 text-xs font-bold text-amber-950" data-testid="queue-count">
                  {state.unsynced}
                </span>
              ) : null}
            </Button>
          ))}
        </nav>
        <div className="ml-auto flex items-center gap-2">
          <ConnectionBadge />
          <span
            className={cn('hidden rounded-full px-2.5 py-1 text-xs font-semibold md:inline-flex', state.unsynced ? 'bg-amber-100 text-amber-900' : 'bg-slate-100 text-slate-700')}
          >
            {state.unsynced ? t('queueBadge', { count: state.unsynced }) : t('allSent')}
          </span>
          {signedIn ? <span className="hidden text-xs text-slate-600 lg:inline">{t('session.signedInAs', { name: signedIn })}</span> : null}
          <Button variant="secondary" className="h-12" onClick={lock} title={t('lockHint')}>
            <Lock aria-hidden="true" />
            {t('lock')}
          </Button>
          <TillMenu />
        </div>
      </header>
      <Banners />
      <main className="flex-1 space-y-3 p-3 sm:p-4">
        {state.device_refused ? <RefusalNotice /> : null}
        {children}
      </main>
    </div>
  );
}
