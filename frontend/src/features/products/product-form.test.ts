import { describe, expect, it } from 'vitest';
import { NEW_PRODUCT, percentToBasisPoints, productBody, productFormValues, productUpdateBody } from './product-form';

describe('percentToBasisPoints', () => {
  it('reads percentages with up to two decimals, either separator', () => {
    expect(percentToBasisPoints('19')).toBe(1900);
    expect(percentToBasisPoints('19,5')).toBe(1950);
    expect(percentToBasisPoints('7.25 %')).toBe(725);
    expect(percentToBasisPoints('100')).toBe(10_000);
    expect(percentToBasisPoints('100.01')).toBeNull();
    expect(percentToBasisPoints('-1')).toBeNull();
    expect(percentToBasisPoints('1.234')).toBeNull();
  });
});

describe('productBody', () => {
  it('turns what was typed into the API body in minor units and basis points', () => {
    const result = productBody({ ...NEW_PRODUCT, name: ' Café ', sku: 'CAF-1', price: '12,50', cost: '8', tax_rate: '19', initial_stock: '4' }, 'USD');
    expect(result).toEqual({
      ok: true,
      body: expect.objectContaining({
        name: 'Café',
        sku: 'CAF-1',
        barcode: null,
        category_id: null,
        price: 1250,
        cost: 800,
        tax_rate_bp: 1900,
        initial_stock: 4,
      }),
    });
  });

  it('uses the currency’s decimals (CLP has none)', () => {
    const result = productBody({ ...NEW_PRODUCT, name: 'Pan', sku: 'P', price: '1990' }, 'CLP');
    expect(result.ok && result.body.price).toBe(1990);
  });

  it('names every field that is wrong, by its API name', () => {
    const result = productBody({ ...NEW_PRODUCT, price: 'abc', barcode: 'has space', tax_rate: '150', lead_time_days: '400', reorder_point: '-1' }, 'USD');
    expect(result).toEqual({
      ok: false,
      problems: {
        name: 'required',
        sku: 'required',
        price: 'money',
        barcode: 'barcode',
        tax_rate_bp: 'percent',
        lead_time_days: 'leadTime',
        reorder_point: 'wholeNumber',
      },
    });
  });

  it('round-trips a product through the form, and the update body has no initial stock', () => {
    const product = {
      id: 'p',
      sku: 'S-1',
      barcode: '123',
      name: 'Té',
      description: 'Negro',
      category_id: 'c',
      price: 2490,
      cost: 1000,
      tax_rate_bp: 1950,
      unit: 'box',
      stock: 3,
      reorder_point: 2,
      lead_time_days: 5,
      is_active: true,
      created_at: '',
      updated_at: '',
      image: null,
    };
    const values = productFormValues(product, 'USD');
    expect(values.price).toBe('24.90');
    expect(values.tax_rate).toBe('19.5');
    const result = productBody(values, 'USD');
    expect(result.ok).toBe(true);
    if (result.ok) {
      const update = productUpdateBody(result.body);
      expect(update).not.toHaveProperty('initial_stock');
      expect(update).toMatchObject({ price: 2490, tax_rate_bp: 1950, category_id: 'c', barcode: '123', unit: 'box' });
    }
  });
});
