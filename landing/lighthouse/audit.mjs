/**
 * Lighthouse (12.8, the last to run on Node 20) against the landing site in Debian's Chromium
 * (`CHROMIUM_PATH`, default /usr/bin/chromium), headless, one browser for all runs. Used by the
 * browser suite's check (accessibility, best practices, SEO must be 100) and by the benchmark
 * (performance, median of several runs).
 */
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

export const CHROME_FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'];

/** The pages both checks look at: home and sign-up, in each language. */
export function landingPages(base) {
  return ['/', '/sign-up/', '/en/', '/en/sign-up/'].map((path) => new URL(path, base).href);
}

/**
 * Run Lighthouse `runs` times on each URL for `categories`; returns, per URL, every run's
 * category scores (0–100) and the audits that failed in the last run.
 */
export async function audit(urls, { categories, runs = 1 }) {
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    chromeFlags: CHROME_FLAGS,
  });
  try {
    const results = [];
    for (const url of urls) {
      const scores = [];
      let failing = [];
      let figures = {};
      for (let run = 0; run < runs; run += 1) {
        const result = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: categories });
        const { lhr } = result;
        if (lhr.runtimeError) throw new Error(`${url}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
        scores.push(Object.fromEntries(categories.map((id) => [id, Math.round((lhr.categories[id]?.score ?? 0) * 100)])));
        failing = categories.flatMap((id) =>
          lhr.categories[id].auditRefs
            .filter((ref) => ref.weight > 0 && lhr.audits[ref.id].score !== null && lhr.audits[ref.id].score < 1)
            .map((ref) => `${id}/${ref.id}: ${lhr.audits[ref.id].title}`),
        );
        figures = {
          totalBytes: lhr.audits['total-byte-weight']?.numericValue,
          lcpMs: lhr.audits['largest-contentful-paint']?.numericValue,
        };
      }
      results.push({ url, scores, failing, figures });
    }
    return results;
  } finally {
    await chrome.kill();
  }
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
