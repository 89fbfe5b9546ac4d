import { describe, expect, it } from 'vitest';
import { guessRegion, passwordScore, slugify, subdomainProblem, suggestSubdomain } from './signup-rules';

describe('the subdomain suggestion', () => {
  it('is the slug the server derives', () => {
    expect(slugify('Panadería Ñandú & Co.')).toBe('panaderia-nandu-co');
    expect(slugify('  --Mi   Almacén-- ')).toBe('mi-almacen');
    expect(slugify('日本')).toBe('');
    expect(slugify('a'.repeat(39) + ' bc')).toBe('a'.repeat(39));
  });

  it('lengthens short names like the server', () => {
    expect(suggestSubdomain('Yo')).toBe('yo-shop');
    expect(suggestSubdomain('!!')).toBe('');
    expect(suggestSubdomain('Kiosko Luz')).toBe('kiosko-luz');
  });
});

describe('the subdomain form', () => {
  it('takes 3–63 lower-case letters, digits and inner hyphens', () => {
    expect(subdomainProblem('mi-tienda')).toBeNull();
    expect(subdomainProblem('ab')).toBe('format');
    expect(subdomainProblem('-shop')).toBe('format');
    expect(subdomainProblem('Shop')).toBe('format');
    expect(subdomainProblem('a'.repeat(64))).toBe('format');
    expect(subdomainProblem('mi--tienda')).toBe('hyphens');
  });
});

describe('the password strength', () => {
  it('is 0 for what the server refuses', () => {
    expect(passwordScore('short')).toBe(0);
    expect(passwordScore('aaaaaaaaaaaa')).toBe(0);
    expect(passwordScore('rosaperez12', ['Rosa Pérez'])).toBe(0);
  });

  it('grows with length and variety', () => {
    expect(passwordScore('tienda2026x')).toBe(1);
    expect(passwordScore('Tienda-del-2026')).toBe(2);
    expect(passwordScore('correct horse battery staple')).toBe(4);
  });
});

describe('the region guess', () => {
  const locales = ['es', 'es-CL', 'es-MX', 'en', 'en-US'];
  const currencies = ['USD', 'CLP', 'MXN', 'EUR'];

  it('takes the regional locale and its currency', () => {
    expect(guessRegion(['es-CL', 'en'], locales, currencies)).toEqual({ locale: 'es-CL', currency: 'CLP' });
  });

  it('falls back to the bare language and the next region', () => {
    expect(guessRegion(['es-PE', 'en-US'], locales, currencies)).toEqual({ locale: 'es', currency: 'USD' });
    expect(guessRegion(['fr-FR'], locales, currencies)).toEqual({ locale: null, currency: null });
  });
});
