import { describe, expect, it } from 'vitest';
import { isCurrencyCode, isLocale, settingsPatch, timeZones, withCurrent, type SettingsDraft } from './settings-form';

const saved: SettingsDraft = { name: 'Almacén Demo', currency: 'CLP', locale: 'es-CL', time_zone: 'America/Santiago', tax_mode: 'inclusive', allow_negative_stock: false, tax_id: '76.123.456-7', address: '' };

describe('settings patch', () => {
  it('is empty when nothing changed (the locked currency is not sent again)', () => {
    expect(settingsPatch(saved, { ...saved, name: '  Almacén   Demo ' })).toEqual({});
  });

  it('carries only the changed fields', () => {
    expect(settingsPatch(saved, { ...saved, currency: 'eur', locale: 'es-ES', allow_negative_stock: true })).toEqual({ currency: 'EUR', locale: 'es-ES', allow_negative_stock: true });
    expect(settingsPatch(saved, { ...saved, time_zone: 'Europe/Madrid', tax_mode: 'exclusive', name: 'Bodega' })).toEqual({ name: 'Bodega', time_zone: 'Europe/Madrid', tax_mode: 'exclusive' });
  });

  it('sends the seller\'s tax id and address for invoices, spaces folded, and an emptied one as empty', () => {
    expect(settingsPatch(saved, { ...saved, tax_id: ' 76.123.456-7 ', address: '  Av. Providencia  1234 ' })).toEqual({ address: 'Av. Providencia 1234' });
    expect(settingsPatch(saved, { ...saved, tax_id: '' })).toEqual({ tax_id: '' });
  });
});

describe('choices', () => {
  it('accepts ISO 4217 codes only', () => {
    expect(isCurrencyCode('EUR')).toBe(true);
    expect(isCurrencyCode('KWD')).toBe(true);
    expect(isCurrencyCode('eur')).toBe(false);
    expect(isCurrencyCode('EURO')).toBe(false);
    expect(isCurrencyCode('XYZ')).toBe(false);
  });

  it('accepts the Spanish and English locales the server does', () => {
    expect(['es', 'en', 'es-CL', 'en-US', 'es-419'].every(isLocale)).toBe(true);
    expect(['fr', 'es-cl', 'es_CL', 'en-USA'].some(isLocale)).toBe(false);
  });

  it('keeps the current value among the options', () => {
    expect(withCurrent(['a', 'b'], 'c')).toEqual(['c', 'a', 'b']);
    expect(withCurrent(['a', 'b'], 'b')).toEqual(['a', 'b']);
    const zones = timeZones('America/Santiago');
    expect(zones).toContain('America/Santiago');
    expect(zones).toContain('UTC');
    expect(zones).toContain('Europe/Madrid');
  });
});
