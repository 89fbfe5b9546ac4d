/**
 * The languages every front end speaks, without loading any translation machinery: the landing
 * site's pages are built per language, and its scripts must stay small.
 */
export const LANGUAGES = ['es', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The language part of a locale (`es-CL` → `es`), or null when it is not one we translate. */
export function languageOf(locale: string | null | undefined): Language | null {
  const language = locale?.toLowerCase().split(/[-_]/)[0];
  return isLanguage(language) ? language : null;
}
