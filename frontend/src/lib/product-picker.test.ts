import { describe, expect, it } from 'vitest';
import { exactProduct } from './product-picker';

describe('exactProduct', () => {
  const products = [
    { sku: 'CAF-001', barcode: '7801234567890' },
    { sku: '7801234567890X', barcode: null },
    { sku: 'te-002', barcode: '1234' },
  ];

  it('finds a scanned barcode exactly, before any SKU', () => {
    expect(exactProduct(products, ' 7801234567890 ')).toBe(products[0]);
  });

  it('finds a SKU in any case, and nothing for a part of a code', () => {
    expect(exactProduct(products, 'TE-002')).toBe(products[2]);
    expect(exactProduct(products, '780123')).toBeUndefined();
    expect(exactProduct(products, '')).toBeUndefined();
  });
});
