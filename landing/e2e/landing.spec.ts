/**
 * The landing site against the real system: a shop signs up at the apex and lands on its own
 * subdomain's dashboard signed in (with JavaScript and without), a taken subdomain is refused
 * before anything is posted, a hand-over code works once, sign-in finds a shop's address, and
 * every page exists in both languages, linked to each other, accessible.
 */
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible } from '../../frontend/e2e/fixtures';

const PASSWORD = 'correct horse battery staple';
const PAGES = ['', 'features/', 'pricing/', 'sign-up/', 'sign-in/', 'privacy/', 'terms/'] as const;

function unique(prefix: string): { company: string; email: string } {
  const stamp = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  return { company: `${prefix} ${stamp}`, email: `owner-${stamp}@example.com` };
}

/** The apex's host and port (`orbitengine.localhost:8765`), from the project's base URL. */
function apexOf(page: Page): URL {
  return new URL(page.url());
}

async function fillSignUp(page: Page, company: string, email: string): Promise<void> {
  await page.getByLabel(/company name|nombre de la empresa/i).fill(company);
  await page.getByLabel(/^(your name|tu nombre)$/i).fill('Ada Owner');
  await page.getByLabel(/^(email|correo electrónico)$/i).fill(email);
  await page.getByLabel(/^(password|contraseña)$/i).fill(PASSWORD);
}

test('a shop signs up at the apex and lands on its dashboard signed in, and stays signed in', async ({ page }) => {
  const { company, email } = unique('Ferretería Prueba');
  await page.goto('/en/sign-up/');
  await expect(page.getByRole('heading', { level: 1, name: 'Create your shop' })).toBeVisible();
  await fillSignUp(page, company, email);
  const subdomain = page.getByLabel('Your shop’s address');
  await expect(subdomain).toHaveValue(/^ferreteria-prueba-\d+$/);
  await expect(page.getByText('It is free!')).toBeVisible();
  await expect(page.getByText(/Password strength: (Good|Excellent)/)).toBeVisible();
  await page.getByLabel('Currency').selectOption('CLP');
  await page.getByLabel('Language and region').selectOption('es-CL');
  await page.getByLabel('Time zone').selectOption('America/Santiago');
  await expectAccessible(page);
  const wanted = await subdomain.inputValue();

  const handoff = page.waitForRequest((request) => request.isNavigationRequest() && request.url().includes('/auth/handoff?code='));
  await page.getByRole('button', { name: 'Create my shop' }).click();
  const handoffUrl = new URL((await handoff).url());
  expect(handoffUrl.hostname).toBe(`${wanted}.${apexOf(page).hostname.replace(`${wanted}.`, '')}`);

  await expect(page.getByRole('heading', { level: 1, name: /dashboard|panel/i })).toBeVisible({ timeout: 15_000 });
  const shopUrl = new URL(page.url());
  expect(shopUrl.hostname.startsWith(`${wanted}.`)).toBe(true);
  expect(shopUrl.pathname).toBe('/');
  expect(shopUrl.search).not.toContain('code');

  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: /dashboard|panel/i })).toBeVisible({ timeout: 15_000 });
  expect(new URL(page.url()).pathname).toBe('/');

  // The same code again, in this browser or any other: refused, with a way to sign in.
  const replay = await page.context().browser()!.newContext();
  try {
    const other = await replay.newPage();
    await other.goto(handoffUrl.href);
    await expect(other.getByRole('heading', { name: /this sign-up link no longer works|este enlace de registro ya no sirve/i })).toBeVisible();
    expect(new URL(other.url()).search).not.toContain('code');
    await expect(other.getByRole('link', { name: /sign in|iniciar sesión/i })).toHaveAttribute('href', '/sign-in');
    await expectAccessible(other);
  } finally {
    await replay.close();
  }
});

test('the hand-over page is sent without referrer and never cached', async ({ page }) => {
  const { company, email } = unique('Kiosko Cabeceras');
  const registered = await page.request.post('/api/v1/auth/register', {
    data: { company_name: company, admin_name: 'Ada Owner', email, password: PASSWORD },
  });
  expect(registered.status()).toBe(201);
  const { handoff_url: handoffUrl } = (await registered.json()) as { handoff_url: string };
  const response = await page.goto(handoffUrl);
  expect(response?.headers()['referrer-policy']).toBe('no-referrer');
  expect(response?.headers()['cache-control']).toBe('no-store');
  await expect(page.getByRole('heading', { level: 1, name: /dashboard|panel/i })).toBeVisible({ timeout: 15_000 });
});

test('a taken subdomain is refused before anything is posted', async ({ page }) => {
  const registrations: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') registrations.push(request.url());
  });
  await page.goto('/sign-up/');
  await fillSignUp(page, unique('Almacén').company, unique('x').email);
  const subdomain = page.getByLabel('Dirección de tu tienda');
  await subdomain.fill('demo');
  const refusal = page.getByText('Esa dirección ya está en uso; prueba otra.');
  await expect(refusal).toBeVisible();
  await expect(subdomain).toHaveAttribute('aria-invalid', 'true');
  await page.getByRole('button', { name: 'Crear mi tienda' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'No pudimos crear tu tienda' })).toBeVisible();
  await expect(subdomain).toBeFocused();
  expect(new URL(page.url()).pathname).toBe('/sign-up/');
  expect(registrations).toEqual([]);
  await expectAccessible(page);

  await subdomain.fill('');
  await expect(refusal).toBeHidden();
});

test('the form works without JavaScript: refusals at their fields, then the hand-over', async ({ browser, baseURL }) => {
  const { company, email } = unique('Librería Sin Script');
  const noScript = await browser.newContext({ javaScriptEnabled: false, baseURL });
  const withScript = await browser.newContext();
  try {
    const page = await noScript.newPage();
    await page.goto('/sign-up/');
    await fillSignUp(page, company, email);
    await page.getByLabel('Dirección de tu tienda').fill('demo');
    await page.getByRole('button', { name: 'Crear mi tienda' }).click();
    await expect(page.getByText('Esa dirección ya está en uso; prueba otra.')).toBeVisible();
    await expect(page.getByRole('alert').filter({ hasText: 'revisa los campos marcados' })).toBeVisible();
    await expect(page.getByLabel('Nombre de la empresa')).toHaveValue(company);
    await expect(page.getByLabel('Contraseña')).toHaveValue('');

    await page.getByLabel('Dirección de tu tienda').fill('');
    await page.getByLabel('Contraseña').fill(PASSWORD);
    await page.getByRole('button', { name: 'Crear mi tienda' }).click();
    await page.waitForURL(/\/auth\/handoff\?code=/);
    const handoffUrl = page.url();
    expect(new URL(handoffUrl).hostname).toMatch(/^libreria-sin-script-\d+\./);

    // The shop's page needs JavaScript; the code it was handed works there, once.
    const shop = await withScript.newPage();
    await shop.goto(handoffUrl);
    await expect(shop.getByRole('heading', { level: 1, name: /dashboard|panel/i })).toBeVisible({ timeout: 15_000 });
  } finally {
    await noScript.close();
    await withScript.close();
  }
});

test('the page the server answers a refused form with is accessible', async ({ page }) => {
  // axe needs scripts, so this browser runs them but never gets the page's own: the form posts natively.
  await page.route('**/_astro/**/*.js', (route) => route.abort());
  await page.goto('/en/sign-up/');
  const { company, email } = unique('Refused');
  await fillSignUp(page, company, email);
  await page.getByLabel('Your shop’s address').fill('demo');
  await page.getByRole('button', { name: 'Create my shop' }).click();
  await expect(page.getByText('That address is taken; try another.')).toBeVisible();
  expect(new URL(page.url()).pathname).toBe('/signup');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expectAccessible(page);
});

test('sign-in sends a person to their shop’s own sign-in page', async ({ page }) => {
  await page.goto('/en/sign-in/');
  const shop = page.getByLabel('Your shop’s address');
  await shop.fill('no-such-shop-anywhere');
  await page.getByRole('button', { name: 'Go to my shop' }).click();
  await expect(page.getByText('We found no shop at that address.')).toBeVisible();
  await expectAccessible(page);
  await shop.fill('Demo');
  await page.getByRole('button', { name: 'Go to my shop' }).click();
  await page.waitForURL((url) => url.hostname.startsWith('demo.') && url.pathname === '/sign-in');
  expect(new URL(page.url()).port).toBe(new URL(test.info().project.use.baseURL!).port);
});

for (const language of ['es', 'en'] as const) {
  test(`every page in ${language === 'es' ? 'Spanish' : 'English'}: its language, alternates, switch, and accessible`, async ({ page }) => {
    const prefix = language === 'es' ? '/' : '/en/';
    const other = language === 'es' ? '/en/' : '/';
    for (const slug of PAGES) {
      const response = await page.goto(prefix + slug);
      expect(response?.status(), slug).toBe(200);
      await expect(page.locator('html')).toHaveAttribute('lang', language);
      await expect(page).toHaveTitle(/OrbitEngine/);
      await expect(page.locator('meta[name="description"]')).toHaveAttribute('content', /.{50,}/);
      await expect(page.locator('meta[property="og:image"]')).toHaveAttribute('content', /^https?:\/\/.+\.jpe?g$/);
      await expect(page.locator('link[rel="alternate"][hreflang="es"]')).toHaveAttribute('href', new RegExp(`/${slug}$`));
      await expect(page.locator('link[rel="alternate"][hreflang="en"]')).toHaveAttribute('href', new RegExp(`/en/${slug}$`));
      await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);
      const switchLink = page.getByRole('banner').locator(`a[hreflang="${language === 'es' ? 'en' : 'es'}"]`);
      await expect(switchLink).toHaveAttribute('href', other + slug);
      if (slug === 'privacy/' || slug === 'terms/') {
        await expect(page.getByRole('note')).toContainText(language === 'es' ? 'provisional' : 'placeholder');
        await expect(page.locator('meta[name="robots"]')).toHaveAttribute('content', 'noindex');
      }
      await expectAccessible(page);
    }
  });
}

test('a phone’s width: the pages fit, the sign-up form stacks', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  for (const path of ['/', '/en/pricing/', '/sign-up/', '/en/sign-in/']) {
    await page.goto(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
  }
  await expectAccessible(page);
});

test('unknown pages, robots.txt and the sitemap', async ({ page, request }) => {
  const missing = await page.goto('/no-such-page/');
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('No encontramos esta página');
  await expectAccessible(page);
  const robots = await request.get('/robots.txt');
  expect(await robots.text()).toMatch(/Sitemap: https?:\/\/.+\/sitemap\.xml/);
  const sitemap = await (await request.get('/sitemap.xml')).text();
  expect(sitemap).toContain('hreflang="en"');
  expect(sitemap.match(/<url>/g)).toHaveLength(10);
});
