/** The sitemap: every listed page in every language, each with its alternates (hreflang). */
import type { APIRoute } from 'astro';
import { alternates, LISTED_PAGES } from '../i18n/pages';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

export const GET: APIRoute = ({ site }) => {
  if (!site) throw new Error('the sitemap needs the site URL (astro.config `site`)');
  const entries = LISTED_PAGES.flatMap((page) => {
    const links = alternates(page, site);
    const alternateLinks = links
      .map((link) => `    <xhtml:link rel="alternate" hreflang="${link.language}" href="${escape(link.href)}"/>`)
      .join('\n');
    return links.map((link) => `  <url>\n    <loc>${escape(link.href)}</loc>\n${alternateLinks}\n  </url>`);
  });
  const body = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ...entries,
    '</urlset>',
    '',
  ].join('\n');
  return new Response(body, { headers: { 'Content-Type': 'application/xml; charset=utf-8' } });
};
