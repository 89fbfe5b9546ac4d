/**
 * What every browser test of the SPA needs: the demo logins, signing in through the real form,
 * a bearer token for acting through the API like another device would, and the axe check.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import dns from 'node:dns';

/**
 * `*.localhost` is loopback (RFC 6761): Chromium resolves the shop's host itself, but Node's
 * resolver (which API calls from tests go through) may not, so send those names to 127.0.0.1.
 */
const systemLookup = dns.promises.lookup.bind(dns.promises);
dns.promises.lookup = ((hostname: string, options?: unknown) =>
  systemLookup(hostname.endsWith('.localhost') ? '127.0.0.1' : hostname, options as dns.LookupAllOptions)) as typeof dns.promises.lookup;

export const LOGINS = {
  admin: { email: 'admin@demo.example', password: 'demo-admin-2026' },
  manager: { email: 'manager@demo.example', password: 'demo-manager-2026' },
  cashier: { email: 'cashier@demo.example', password: 'demo-cashier-2026' },
} as const;

export type Role = keyof typeof LOGINS;

/** Sign in through the form and wait until the app shows its frame. */
export async function signIn(page: Page, role: Role, path = '/'): Promise<void> {
  await page.goto(path === '/' ? '/sign-in' : `/sign-in?redirect=${encodeURIComponent(path)}`);
  await page.getByLabel(/email|correo/i).fill(LOGINS[role].email);
  await page.getByLabel(/password|contraseña/i).fill(LOGINS[role].password);
  await page.getByRole('button', { name: /sign in|entrar/i }).click();
  if (role !== 'cashier') await expect(page.getByRole('navigation', { name: /main|principal/i }).first()).toBeAttached();
}

/** An access token for calling the API directly (JSON token flow, as a device would). */
export async function apiToken(request: APIRequestContext, role: Role): Promise<string> {
  const response = await request.post('/api/v1/auth/login', { data: LOGINS[role] });
  expect(response.ok()).toBeTruthy();
  return (await response.json()).access_token as string;
}

/** Headers for an API call with a token (and an idempotency key for money and stock facts). */
export function bearer(token: string, idempotent = false): Record<string, string> {
  return { authorization: `Bearer ${token}`, ...(idempotent ? { 'idempotency-key': crypto.randomUUID() } : {}) };
}

/** No serious or critical accessibility violation on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  expect(serious.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`)).toEqual([]);
}
