/**
 * Lighthouse on home and sign-up in both languages: accessibility, best practices and SEO are
 * 100 (`landing/lighthouse/check.mjs`, in its own Node process with its own headless Chromium,
 * against the server this suite runs on). Performance depends on the machine: it is measured
 * by the benchmark (`bench/landing`), not asserted here.
 */
import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

test('Lighthouse: accessibility, best practices and SEO are 100 on home and sign-up, both languages', async () => {
  test.setTimeout(300_000);
  const base = test.info().project.use.baseURL;
  expect(base).toBeTruthy();
  const run = await promisify(execFile)('node', ['landing/lighthouse/check.mjs', base!], { timeout: 280_000 }).then(
    ({ stdout }) => ({ ok: true, output: stdout }),
    (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout ?? ''}\n${error.stderr ?? ''}` }),
  );
  console.log(run.output.trim());
  expect(run.ok, run.output).toBe(true);
  expect(run.output.trim().split('\n')).toHaveLength(4);
});
