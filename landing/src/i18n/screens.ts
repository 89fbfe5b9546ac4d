/** The product's screenshots (`scripts/capture-screenshots.mjs`), in each page language. */
import type { ImageMetadata } from 'astro';
import dashboardEn from '../assets/screens/dashboard-en.webp';
import dashboardEs from '../assets/screens/dashboard-es.webp';
import forecastsEn from '../assets/screens/forecasts-en.webp';
import forecastsEs from '../assets/screens/forecasts-es.webp';
import productsEn from '../assets/screens/products-en.webp';
import productsEs from '../assets/screens/products-es.webp';
import type { Language } from './pages';

export const SCREENS: Record<Language, Record<'dashboard' | 'forecasts' | 'products', ImageMetadata>> = {
  es: { dashboard: dashboardEs, forecasts: forecastsEs, products: productsEs },
  en: { dashboard: dashboardEn, forecasts: forecastsEn, products: productsEn },
};
