/** The till's product search: words in any order, accents ignored, codes first, fast on 25,000 products. */
import { describe, expect, it } from 'vitest';
import { ProductIndex, normalize } from './search';
import { product } from './test-support';

describe('ProductIndex', () => {
  const leche = product({ name: 'Leche Colun entera 1 L', sku: 'LEC-001', barcode: '7801234567890' });
  const cafe = product({ name: 'Café Nescafé tradición 170 g', sku: 'CAF-010', barcode: null });
  const galletas = product({ name: 'Galletas de leche McKay', sku: 'GAL-003' });
  const archived = product({ name: 'Leche vieja', is_active: false });

  function index() {
    const built = new ProductIndex();
    built.replaceAll([leche, cafe, galletas, archived]);
    return built;
  }

  it('finds by every word, in any order, ignoring accents and case; names starting with the query first', () => {
    expect(
      index()
        .search('leche')
        .map((p) => p.id),
    ).toEqual([leche.id, galletas.id]);
    expect(
      index()
        .search('entera col')
        .map((p) => p.id),
    ).toEqual([leche.id]);
    expect(
      index()
        .search('CAFE trad')
        .map((p) => p.id),
    ).toEqual([cafe.id]);
    expect(index().search('   ')).toEqual([]);
  });

  it('puts an exact SKU or barcode first and resolves scans by code', () => {
    expect(index().search('gal-003')[0].id).toBe(galletas.id);
    expect(index().byCode('7801234567890')?.id).toBe(leche.id);
    expect(index().byCode('LEC-001')?.id).toBe(leche.id);
    expect(index().byCode('nope')).toBeUndefined();
  });

  it('follows updates and removals', () => {
    const built = index();
    built.upsert([{ ...leche, name: 'Leche descremada', barcode: '7800000000001' }]);
    expect(built.byCode('7801234567890')).toBeUndefined();
    expect(built.byCode('7800000000001')?.name).toBe('Leche descremada');
    built.remove([cafe.id]);
    expect(built.search('cafe')).toEqual([]);
    expect(built.size).toBe(3);
  });

  it('searches 25,000 products (timings are the benchmark’s, bench/pos)', () => {
    const built = new ProductIndex();
    const words = ['Leche', 'Yogur', 'Queso', 'Galletas', 'Café', 'Arroz', 'Fideos', 'Aceite', 'Azúcar', 'Harina'];
    built.replaceAll(Array.from({ length: 25_000 }, (_, i) => product({ name: `${words[i % 10]} marca ${i % 97} ${i} g`, sku: `B-${i}` })));
    const found = built.search('leche marca 4', 500);
    expect(found.length).toBeGreaterThan(100);
    expect(found.every((p) => p.name.startsWith('Leche marca') && `${p.name} ${p.sku}`.includes('4'))).toBe(true);
    expect(built.search('B-24999')[0].sku).toBe('B-24999');
    expect(normalize('Azúcar')).toBe('azucar');
  });
});

describe('narrowing while typing', () => {
  it('gives the same results as a fresh search, key after key, and forgets them on change', () => {
    const products = ['Leche Colun', 'Leche Soprole', 'Lechuga', 'Café Colombia', 'Colun queso'].map((name) => product({ name }));
    const typed = new ProductIndex();
    typed.replaceAll(products);
    for (const query of ['l', 'le', 'lec', 'lech', 'leche', 'leche ', 'leche c', 'leche co', 'leche col']) {
      const fresh = new ProductIndex();
      fresh.replaceAll(products);
      expect(typed.search(query).map((p) => p.name)).toEqual(fresh.search(query).map((p) => p.name));
    }
    expect(typed.search('leche col').map((p) => p.name)).toEqual(['Leche Colun']);
    typed.upsert([product({ name: 'Leche Colun descremada' })]);
    expect(typed.search('leche col').map((p) => p.name)).toEqual(['Leche Colun', 'Leche Colun descremada']);
    expect(typed.search('col').map((p) => p.name)).toEqual(['Colun queso', 'Café Colombia', 'Leche Colun', 'Leche Colun descremada']);
  });
});
