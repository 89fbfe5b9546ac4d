/**
 * The pages of the landing site and their addresses: Spanish (the default) at `/…`, English
 * at `/en/…`, the same slugs in both. Every page exists in both languages; `alternates` gives
 * the hreflang links and the language switch. The server's no-JavaScript sign-up form knows the
 * sign-up page's two addresses (`server/tenancy/signup_form.py`): keep them in step.
 */
import { LANGUAGES, type Language } from '@orbit/shared/i18n/languages';

export { LANGUAGES, type Language };
export const DEFAULT_LANGUAGE: Language = 'es';

const SLUGS = {
  home: '',
  features: 'features/',
  pricing: 'pricing/',
  signUp: 'sign-up/',
  signIn: 'sign-in/',
  privacy: 'privacy/',
  terms: 'terms/',
} as const;

export type PageId = keyof typeof SLUGS;

/** The path of a page in a language, with its trailing slash (`/en/pricing/`). */
export function pathOf(page: PageId, language: Language): string {
  return (language === DEFAULT_LANGUAGE ? '/' : `/${language}/`) + SLUGS[page];
}

/** The pages a crawler should find (the sitemap): all but the placeholders. */
export const LISTED_PAGES: readonly PageId[] = ['home', 'features', 'pricing', 'signUp', 'signIn'];

/** `getStaticPaths` of a `[...lang]` page: the default language at the root, the others under their code. */
export function languagePaths() {
  return LANGUAGES.map((language) => ({
    params: { lang: language === DEFAULT_LANGUAGE ? undefined : language },
    props: { language },
  }));
}

export interface Alternate {
  language: Language;
  href: string;
}

/** The page in every language, as absolute URLs of the site. */
export function alternates(page: PageId, site: URL): Alternate[] {
  return LANGUAGES.map((language) => ({ language, href: new URL(pathOf(page, language), site).href }));
}
