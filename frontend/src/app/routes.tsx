/**
 * Every screen of the SPA and who may open it. Route definitions stay thin: a path, the area
 * (for the role check), the shape of its URL search parameters, and the feature component,
 * loaded on demand so the first screen downloads only what it shows.
 */
import { createRootRoute, createRoute, createRouter, lazyRouteComponent, Outlet, redirect } from '@tanstack/react-router';
import { restoreSession, session } from '@orbit/shared/session/session';
import { canOpen } from '../lib/me';
import { searchSchema } from '../lib/search';
import { AppShell } from './shell';
import { NotFound } from './not-found';
import { SignInPage } from '../features/auth/sign-in-page';

const rootRoute = createRootRoute({ component: Outlet, notFoundComponent: NotFound });

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-in',
  validateSearch: searchSchema({ redirect: 'string' }),
  component: SignInPage,
});

/** The landing site's sign-up hands the new shop over here with a one-time code. */
const handoffRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/auth/handoff',
  validateSearch: searchSchema({ code: 'string' }),
  component: lazyRouteComponent(() => import('../features/auth/handoff-page'), 'HandoffPage'),
});

/** The signed-in frame: restores the session from its cookie, sends cashiers to the POS. */
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: 'app',
  beforeLoad: async ({ location }) => {
    const tokens = await restoreSession().catch(() => null);
    if (!tokens) throw redirect({ to: '/sign-in', search: { redirect: location.href } });
    if (tokens.user.role === 'cashier') {
      window.location.replace('/pos/');
      throw redirect({ to: '/sign-in', search: {} });
    }
  },
  component: AppShell,
});

function screen<TPath extends string, S>(
  path: TPath,
  area: string,
  component: ReturnType<typeof lazyRouteComponent>,
  validateSearch?: (raw: Record<string, unknown>) => S,
) {
  return createRoute({
    getParentRoute: () => appRoute,
    path,
    beforeLoad: () => {
      if (!canOpen(session.current?.user.role, area)) throw redirect({ to: '/forbidden' });
    },
    validateSearch,
    component,
  });
}

const listSearch = { q: 'string', offset: 'number' } as const;

export const routes = {
  dashboard: screen('/', 'dashboard', lazyRouteComponent(() => import('../features/dashboard/dashboard-page'), 'DashboardPage')),
  sales: screen(
    '/sales',
    'sales',
    lazyRouteComponent(() => import('../features/sales/sales-page'), 'SalesPage'),
    searchSchema({ ...listSearch, from: 'string', to: 'string', register_id: 'string', cashier_id: 'string', customer_id: 'string', status: 'string' }),
  ),
  sale: screen('/sales/$saleId', 'sales', lazyRouteComponent(() => import('../features/sales/sale-page'), 'SalePage')),
  reports: screen(
    '/reports',
    'reports',
    lazyRouteComponent(() => import('../features/reports/reports-page'), 'ReportsPage'),
    searchSchema({ report: 'string', from: 'string', to: 'string', by: 'string' }),
  ),
  shifts: screen('/shifts', 'shifts', lazyRouteComponent(() => import('../features/shifts/shifts-page'), 'ShiftsPage'), searchSchema({ ...listSearch, register_id: 'string', status: 'string' })),
  shift: screen('/shifts/$shiftId', 'shifts', lazyRouteComponent(() => import('../features/shifts/shift-page'), 'ShiftPage')),
  forecasts: screen(
    '/forecasts',
    'forecasts',
    lazyRouteComponent(() => import('../features/forecasts/forecasts-page'), 'ForecastsPage'),
    searchSchema({ tab: 'string', product_id: 'string', q: 'string', alert: 'boolean', offset: 'number' }),
  ),
  products: screen(
    '/products',
    'products',
    lazyRouteComponent(() => import('../features/products/products-page'), 'ProductsPage'),
    searchSchema({ ...listSearch, category_id: 'string', active: 'boolean' }),
  ),
  product: screen('/products/$productId', 'products', lazyRouteComponent(() => import('../features/products/product-page'), 'ProductPage')),
  productImport: screen('/products/import', 'products', lazyRouteComponent(() => import('../features/products/import-page'), 'ImportPage')),
  categories: screen('/categories', 'categories', lazyRouteComponent(() => import('../features/categories/categories-page'), 'CategoriesPage')),
  stock: screen(
    '/stock',
    'stock',
    lazyRouteComponent(() => import('../features/stock/stock-page'), 'StockPage'),
    searchSchema({ tab: 'string', product_id: 'string', offset: 'number', kind: 'string', from: 'string', to: 'string' }),
  ),
  customers: screen('/customers', 'customers', lazyRouteComponent(() => import('../features/customers/customers-page'), 'CustomersPage'), searchSchema(listSearch)),
  customer: screen('/customers/$customerId', 'customers', lazyRouteComponent(() => import('../features/customers/customer-page'), 'CustomerPage')),
  registers: screen('/registers', 'registers', lazyRouteComponent(() => import('../features/registers/registers-page'), 'RegistersPage')),
  users: screen('/users', 'users', lazyRouteComponent(() => import('../features/users/users-page'), 'UsersPage'), searchSchema({ ...listSearch, role: 'string' })),
  settings: screen('/settings', 'settings', lazyRouteComponent(() => import('../features/settings/settings-page'), 'SettingsPage')),
  audit: screen(
    '/audit',
    'audit',
    lazyRouteComponent(() => import('../features/audit/audit-page'), 'AuditPage'),
    searchSchema({ offset: 'number', actor_id: 'string', entity_type: 'string', entity_id: 'string', from: 'string', to: 'string' }),
  ),
};

const forbiddenRoute = createRoute({ getParentRoute: () => appRoute, path: '/forbidden', component: lazyRouteComponent(() => import('./forbidden'), 'Forbidden') });

const routeTree = rootRoute.addChildren([signInRoute, handoffRoute, appRoute.addChildren([...Object.values(routes), forbiddenRoute])]);

export const router = createRouter({ routeTree, defaultPreload: 'intent', scrollRestoration: true });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
