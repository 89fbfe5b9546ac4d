/**
 * The landing site's benchmark: Lighthouse performance (median of 3, Lighthouse's default mobile
 * emulation and simulated throttling) on home and sign-up in both languages; the home page's
 * weight as transferred (HTML, CSS, JS, fonts and images, scrolled to the end so every lazy
 * image counts) on a desktop and a phone; and sign-up submit → the new shop's dashboard
 * visible (with when the registration answered, the hand-over page was requested and the
 * code was exchanged, from the click). The baseline, measured in the same run, is the SPA's sign-in page (a shop's first
 * screen, a React app): its performance score and weight.
 *
 *   node bench/landing/run.mjs [landing URL, default http://orbitengine.localhost:8765] [runs, default 3]
 *
 * Needs a running system with the demo shop and room for a few sign-ups from this address
 * (the browser suites' server raises REGISTRATIONS_PER_IP). Prints one JSON document.
 */
import { chromium } from '@playwright/test';
import { audit, landingPages, median } from '../../landing/lighthouse/audit.mjs';

const base = process.argv[2] ?? 'http://orbitengine.localhost:8765';
const runs = Number(process.argv[3] ?? 3);
const apex = new URL(base);
const shopSignIn = `${apex.protocol}//demo.${apex.host}/sign-in`;
const KIND = { Document: 'html', Stylesheet: 'css', Script: 'js', Font: 'fonts', Image: 'images' };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});

/** Bytes transferred per kind while loading `url` and scrolling to its end (a fresh cache). */
async function weight(url, viewport, deviceScaleFactor) {
  const context = await browser.newContext({ viewport, deviceScaleFactor });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const kinds = new Map();
  const bytes = { html: 0, css: 0, js: 0, fonts: 0, images: 0, other: 0 };
  cdp.on('Network.responseReceived', (event) => kinds.set(event.requestId, KIND[event.type] ?? 'other'));
  cdp.on('Network.loadingFinished', (event) => {
    bytes[kinds.get(event.requestId) ?? 'other'] += event.encodedDataLength;
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  await page.evaluate(async () => {
    for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight / 2) {
      window.scrollTo(0, y);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  await page.waitForLoadState('networkidle');
  await context.close();
  const total = Object.values(bytes).reduce((sum, value) => sum + value, 0);
  return { totalKB: Math.round(total / 102.4) / 10, byKind: Object.fromEntries(Object.entries(bytes).map(([kind, value]) => [kind, Math.round(value / 102.4) / 10])) };
}

/** Milliseconds from clicking "create" on a filled sign-up form to the new shop's dashboard heading. */
async function signUpToDashboard() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const stamp = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  await page.goto(new URL('/en/sign-up/', base).href);
  await page.getByLabel('Company name').fill(`Bench Shop ${stamp}`);
  await page.getByLabel('Your name').fill('Bench Owner');
  await page.getByLabel('Email', { exact: true }).fill(`bench-${stamp}@example.com`);
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
  await page.getByText('It is free!').waitFor();
  const marks = {};
  const since = () => Math.round(performance.now() - started);
  page.on('requestfinished', (request) => {
    if (request.url().endsWith('/api/v1/auth/register')) marks.registeredMs = since();
    if (request.url().endsWith('/api/v1/auth/session/handoff')) marks.exchangedMs = since();
  });
  page.on('request', (request) => {
    if (request.isNavigationRequest() && request.url().includes('/auth/handoff')) marks.handoffPageMs = since();
  });
  const started = performance.now();
  await page.getByRole('button', { name: 'Create my shop' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor({ timeout: 30_000 });
  const elapsed = since();
  await context.close();
  return { totalMs: elapsed, ...marks };
}

try {
  const signUps = [];
  for (let run = 0; run < runs; run += 1) signUps.push(await signUpToDashboard());
  const home = new URL('/', base).href;
  const weights = {
    homeDesktop: await weight(home, { width: 1280, height: 800 }, 1),
    homePhone: await weight(home, { width: 375, height: 800 }, 2),
    baselineSpaSignInDesktop: await weight(shopSignIn, { width: 1280, height: 800 }, 1),
  };
  const lighthouse = await audit([...landingPages(base), shopSignIn], { categories: ['performance'], runs });
  const performanceScores = Object.fromEntries(
    lighthouse.map(({ url, scores, figures }) => [
      url,
      { median: median(scores.map((score) => score.performance)), runs: scores.map((score) => score.performance), lighthouseTotalKB: Math.round((figures.totalBytes ?? 0) / 102.4) / 10, lcpMs: Math.round(figures.lcpMs ?? 0) },
    ]),
  );
  const baseline = performanceScores[shopSignIn];
  const landingMedians = landingPages(base).map((url) => performanceScores[url].median);
  console.log(
    JSON.stringify(
      {
        benchmark: 'landing',
        base,
        runs,
        lighthousePerformance: performanceScores,
        worstLandingMedian: Math.min(...landingMedians),
        weightKB: weights,
        homeWeightRatioToBaseline: Math.round((weights.homeDesktop.totalKB / weights.baselineSpaSignInDesktop.totalKB) * 100) / 100,
        signUpToDashboardMs: { median: median(signUps.map((run) => run.totalMs)), runs: signUps },
        baseline: { page: 'the SPA sign-in page', performanceMedian: baseline.median },
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
}
