/**
 * The landing site's Lighthouse check: accessibility, best practices and SEO are 100 on home
 * and sign-up in both languages (these scores do not depend on the machine's speed; performance
 * does, so it is the benchmark's, `bench/landing`). Prints the scores as JSON and exits 1 with
 * the failing audits otherwise.
 *
 *   node landing/lighthouse/check.mjs [landing URL, default http://orbitengine.localhost:8765]
 *
 * The browser suite runs it against the server Playwright starts (`landing/e2e/lighthouse.spec.ts`).
 */
import { audit, landingPages } from './audit.mjs';

const CATEGORIES = ['accessibility', 'best-practices', 'seo'];
const base = process.argv[2] ?? 'http://orbitengine.localhost:8765';

const results = await audit(landingPages(base), { categories: CATEGORIES });
let failed = false;
for (const { url, scores, failing } of results) {
  const [last] = scores;
  const below = CATEGORIES.filter((id) => last[id] < 100);
  console.log(JSON.stringify({ url, ...last }));
  if (below.length > 0) {
    failed = true;
    console.error(`${url}: below 100 in ${below.join(', ')}\n  ${failing.join('\n  ')}`);
  }
}
process.exit(failed ? 1 : 0);
