/**
 * Translations (Spanish and English) for every front end. One i18next instance per page; each
 * feature registers its own namespace next to its code (`registerTranslations`), so no file
 * holds every string of the product. The language is, in order: what the person chose (kept in
 * localStorage), the organization's locale, the browser's language; the formatting locale
 * (`localeFor`) keeps the organization's region (`es` + `es-CL` → `es-CL`).
 */
import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { common } from './common';
import { LANGUAGES, isLanguage, languageOf, type Language } from './languages';

export { LANGUAGES, isLanguage, languageOf, type Language };
export type Translations = Record<Language, Record<string, unknown>>;

const STORAGE_KEY = 'orbit.language';

function storedLanguage(): Language | null {
  try {
    const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
    return isLanguage(stored) ? stored : null;
  } catch {
    return null;
  }
}

export function initialLanguage(organizationLocale?: string | null): Language {
  return storedLanguage() ?? languageOf(organizationLocale) ?? languageOf(globalThis.navigator?.language) ?? 'es';
}

export const i18n: I18n = i18next.createInstance();

void i18n.use(initReactI18next).init({
  lng: initialLanguage(),
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  ns: ['common'],
  defaultNS: 'common',
  resources: { es: { common: common.es }, en: { common: common.en } },
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

i18n.on('languageChanged', (language) => {
  if (globalThis.document) globalThis.document.documentElement.lang = language;
});
if (globalThis.document) globalThis.document.documentElement.lang = i18n.language;

/** Add a feature's strings under its own namespace (idempotent). */
export function registerTranslations(namespace: string, translations: Translations): void {
  for (const language of LANGUAGES) {
    if (!i18n.hasResourceBundle(language, namespace)) {
      i18n.addResourceBundle(language, namespace, translations[language], true, false);
    }
  }
}

/** The person's explicit choice: kept for the next visit, on this device. */
export function chooseLanguage(language: Language): void {
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, language);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  void i18n.changeLanguage(language);
}

/** Follow the organization's locale, unless the person chose a language on this device. */
export function followOrganization(locale: string): void {
  const language = storedLanguage() ?? languageOf(locale);
  if (language && language !== i18n.language) void i18n.changeLanguage(language);
}

/**
 * The formatting locale: the interface language with the organization's region when they share
 * a language (`es` + `es-CL` → `es-CL`), else the bare language (`en` + `es-CL` → `en`).
 */
export function localeFor(language: string, organizationLocale: string): string {
  return languageOf(organizationLocale) === language ? organizationLocale : language;
}
