/**
 * The frame around every signed-in screen: navigation for the role, the live connection's
 * state, language, account. On a phone the navigation folds into a drawer.
 */
import * as DialogPrimitive from '@radix-ui/react-dialog';
import { Link, Outlet, useNavigate, useRouterState } from '@tanstack/react-router';
import {
  Activity,
  BarChart3,
  Boxes,
  ClipboardList,
  Clock,
  FolderTree,
  LayoutDashboard,
  LogOut,
  Menu as MenuIcon,
  MonitorSmartphone,
  Package,
  Receipt,
  Settings,
  TrendingUp,
  UserCog,
  Users,
  type LucideIcon,
} from 'lucide-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { chooseLanguage, followOrganization, localeFor, LANGUAGES, type Language } from '@orbit/shared/i18n/i18n';
import { LocalityProvider } from '@orbit/shared/format/locality';
import { signOut, useSession } from '@orbit/shared/session/session';
import { Button } from '@orbit/shared/ui/button';
import { cn } from '@orbit/shared/ui/cn';
import { Menu } from '@orbit/shared/ui/menu';
import { ErrorState, Loading } from '@orbit/shared/ui/states';
import { Toaster } from '@orbit/shared/ui/toast';
import { canOpen, useMe, type Role } from '../lib/me';
import { RealtimeProvider, useConnectionState } from '../lib/realtime';
import { queryClient } from '../lib/query';
import './i18n';

interface NavItem {
  area: string;
  to: string;
  icon: LucideIcon;
}

const NAV: { group: string; items: NavItem[] }[] = [
  {
    group: 'sell',
    items: [
      { area: 'dashboard', to: '/', icon: LayoutDashboard },
      { area: 'sales', to: '/sales', icon: Receipt },
      { area: 'reports', to: '/reports', icon: BarChart3 },
      { area: 'shifts', to: '/shifts', icon: Clock },
      { area: 'forecasts', to: '/forecasts', icon: TrendingUp },
    ],
  },
  {
    group: 'catalog',
    items: [
      { area: 'products', to: '/products', icon: Package },
      { area: 'categories', to: '/categories', icon: FolderTree },
      { area: 'stock', to: '/stock', icon: Boxes },
      { area: 'customers', to: '/customers', icon: Users },
    ],
  },
  {
    group: 'admin',
    items: [
      { area: 'registers', to: '/registers', icon: MonitorSmartphone },
      { area: 'users', to: '/users', icon: UserCog },
      { area: 'settings', to: '/settings', icon: Settings },
      { area: 'audit', to: '/audit', icon: ClipboardList },
    ],
  },
];

function Navigation({ role, onNavigate }: { role: Role; onNavigate?: () => void }) {
  const { t } = useTranslation('app');
  return (
    <nav aria-label={t('nav.label')} className="space-y-5 p-3">
      {NAV.map(({ group, items }) => {
        const visible = items.filter((item) => canOpen(role, item.area));
        if (visible.length === 0) return null;
        return (
          <div key={group}>
            <p className="px-3 pb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">{t(`nav.${group}`)}</p>
            <ul className="space-y-0.5">
              {visible.map(({ area, to, icon: Icon }) => (
                <li key={area}>
                  <Link
                    to={to}
                    onClick={onNavigate}
                    activeOptions={{ exact: to === '/' }}
                    className="flex items-center gap-3 rounded-md px-3 py-2 text-sm text-slate-700 hover:bg-slate-100 data-[status=active]:bg-brand-50 data-[status=active]:font-medium data-[status=active]:text-brand-700"
                  >
                    <Icon aria-hidden="true" className="size-4" />
                    {t(`nav.${area}`)}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </nav>
  );
}

function ConnectionBadge() {
  const { t } = useTranslation('app');
  const state = useConnectionState();
  return (
    <span className="flex items-center gap-1.5 text-xs text-slate-600" role="status" aria-live="polite" data-connection={state}>
      <span
        aria-hidden="true"
        className={cn('size-2 rounded-full', state === 'live' ? 'bg-ok' : state === 'stopped' ? 'bg-danger' : 'animate-pulse bg-warn')}
      />
      <Activity aria-hidden="true" className="size-3.5" />
      {t(`connection.${state}`)}
    </span>
  );
}

export function LanguageSwitch({ className }: { className?: string }) {
  const { t, i18n } = useTranslation('app');
  return (
    <label className={cn('flex items-center gap-1 text-xs text-slate-600', className)}>
      <span className="sr-only">{t('common:language')}</span>
      <select
        value={i18n.language}
        onChange={(event) => chooseLanguage(event.target.value as Language)}
        className="rounded border border-slate-300 bg-white px-1.5 py-1 text-xs"
      >
        {LANGUAGES.map((language) => (
          <option key={language} value={language}>
            {language === 'es' ? 'Español' : 'English'}
          </option>
        ))}
      </select>
    </label>
  );
}

export function AppShell() {
  const { t, i18n } = useTranslation('app');
  const me = useMe();
  const tokens = useSession();
  const navigate = useNavigate();
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const [drawer, setDrawer] = useState(false);

  useEffect(() => {
    if (me.data) followOrganization(me.data.organization.locale);
  }, [me.data]);

  useEffect(() => {
    if (tokens === null) {
      queryClient.clear();
      void navigate({ to: '/sign-in', search: { redirect: pathname } });
    }
  }, [tokens, navigate, pathname]);

  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  const { user, organization } = me.data;
  const locality = { locale: localeFor(i18n.language, organization.locale), currency: organization.currency, timeZone: organization.time_zone };

  return (
    <LocalityProvider value={locality}>
      <RealtimeProvider onSignedOut={() => void signOut()}>
        <a href="#content" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:p-2">
          {t('skipToContent')}
        </a>
        <div className="flex min-h-dvh">
          <aside className="hidden w-60 shrink-0 border-r border-slate-200 bg-white lg:block print:hidden">
            <div className="flex h-14 items-center gap-2 border-b border-slate-200 px-4 font-semibold">
              <img src="/favicon.svg" alt="" className="size-6" />
              <span className="truncate">{organization.name}</span>
            </div>
            <Navigation role={user.role} />
          </aside>
          <div className="flex min-w-0 flex-1 flex-col">
            <header className="sticky top-0 z-30 flex h-14 items-center gap-3 border-b border-slate-200 bg-white/95 px-3 backdrop-blur sm:px-4 print:hidden">
              <DialogPrimitive.Root open={drawer} onOpenChange={setDrawer}>
                <DialogPrimitive.Trigger asChild>
                  <Button variant="ghost" size="icon" className="lg:hidden" aria-label={t('openMenu')}>
                    <MenuIcon aria-hidden="true" />
                  </Button>
                </DialogPrimitive.Trigger>
                <DialogPrimitive.Portal>
                  <DialogPrimitive.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
                  <DialogPrimitive.Content className="fixed inset-y-0 left-0 z-50 w-72 max-w-[85vw] overflow-y-auto bg-white shadow-xl" aria-describedby={undefined}>
                    <DialogPrimitive.Title className="flex h-14 items-center border-b border-slate-200 px-4 font-semibold">{organization.name}</DialogPrimitive.Title>
                    <Navigation role={user.role} onNavigate={() => setDrawer(false)} />
                  </DialogPrimitive.Content>
                </DialogPrimitive.Portal>
              </DialogPrimitive.Root>
              <span className="truncate font-semibold lg:hidden">{organization.name}</span>
              <div className="ml-auto flex items-center gap-3">
                <ConnectionBadge />
                <LanguageSwitch />
                <Menu
                  trigger={
                    <Button variant="ghost" size="sm" aria-label={t('account')}>
                      <span className="hidden max-w-40 truncate sm:inline">{user.full_name}</span>
                      <LogOut aria-hidden="true" className="sm:hidden" />
                    </Button>
                  }
                  items={[{ label: t('signOut'), onSelect: () => void signOut() }]}
                />
              </div>
            </header>
            <main id="content" className="mx-auto w-full max-w-7xl flex-1 p-3 sm:p-6 print:max-w-none print:p-0">
              <Outlet />
            </main>
          </div>
        </div>
        <Toaster closeLabel={t('common:close')} />
      </RealtimeProvider>
    </LocalityProvider>
  );
}
