import { defineConfig, devices } from '@playwright/test';

/**
 * The browser suites: Debian's Chromium (never a downloaded browser) against the real system
 * (`tests/web/serve.py`: `orbit dev` on a fresh database with the demo shop). Each front end is
 * a project with its own test folder. In CI a missing Chromium fails the run; it never skips.
 */
const PORT = Number(process.env.WEB_TEST_PORT ?? 8765);
export const SHOP_URL = `http://demo.orbitengine.localhost:${PORT}`;
/** The landing site, at the apex. */
export const LANDING_URL = `http://orbitengine.localhost:${PORT}`;
/** One output folder per run (workers inherit it), so runs side by side never delete each other's traces. */
process.env.ORBIT_E2E_RUN ??= String(process.pid);

export default defineConfig({
  testDir: '.',
  testMatch: ['frontend/e2e/**/*.spec.ts'],
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list']] : [['list']],
  outputDir: `test-results/${process.env.ORBIT_E2E_RUN}`,
  use: {
    baseURL: SHOP_URL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    },
  },
  projects: [
    { name: 'frontend', use: { ...devices['Desktop Chrome'] }, testMatch: 'frontend/e2e/**/*.spec.ts' },
    { name: 'landing', use: { ...devices['Desktop Chrome'], baseURL: LANDING_URL }, testMatch: 'landing/e2e/**/*.spec.ts' },
    { name: 'pos', use: { ...devices['Desktop Chrome'], serviceWorkers: 'allow' }, testMatch: 'pwa/e2e/**/*.spec.ts' },
  ],
  webServer: {
    command: `.venv/bin/python -m tests.web.serve --port ${PORT}`,
    url: `http://127.0.0.1:${PORT}/ready`,
    timeout: 240_000,
    reuseExistingServer: !process.env.CI,
    stdout: 'pipe',
    stderr: 'pipe',
    // SIGTERM lets `orbit dev` stop what it started (embedded PostgreSQL and Redis run in their
    // own process groups, so the default SIGKILL of this group would leave them running).
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
  },
});
