import { describe, expect, it } from 'vitest';
import { csvLine, errorsByRow, IMPORT_COLUMNS, knownImportProblem, problemImportErrors, templateCsv } from './csv-import';

describe('templateCsv', () => {
  it('has the server’s columns and an example in the currency’s decimals', () => {
    const [header, example] = templateCsv('USD', { name: 'Example, large', category: 'Drinks', unit: 'unit' }).replace('\ufeff', '').trim().split('\r\n');
    expect(header).toBe(IMPORT_COLUMNS.join(','));
    expect(example).toContain('"Example, large"');
    expect(example).toContain(',19.90,12.50,19,');
    const clp = templateCsv('CLP', { name: 'Ejemplo', category: 'Bebidas', unit: 'unidad' });
    expect(clp).toContain(',20,13,19,');
  });

  it('quotes cells with separators and quotes', () => {
    expect(csvLine(['a', 'b"c', 'd\ne'])).toBe('a,"b""c","d\ne"');
  });
});

describe('import errors', () => {
  it('groups cell errors by row, in row order', () => {
    expect(
      errorsByRow([
        { row: 6, column: 'stock', message: 'x' },
        { row: 3, column: 'name', message: 'y' },
        { row: 6, column: 'tax_rate', message: 'z' },
      ]),
    ).toEqual([
      { row: 3, cells: [{ column: 'name', message: 'y' }] },
      {
        row: 6,
        cells: [
          { column: 'stock', message: 'x' },
          { column: 'tax_rate', message: 'z' },
        ],
      },
    ]);
  });

  it('reads a refused file’s problem: cells by row and column, file-level messages apart', () => {
    const problem = {
      status: 422,
      errors: [
        { loc: ['body', 'row', 4, 'price'], msg: "'1.990' has more than 0 decimals" },
        { loc: ['body', 'header'], msg: 'missing price' },
      ],
    };
    expect(problemImportErrors(problem)).toEqual({
      cells: [{ row: 4, column: 'price', message: "'1.990' has more than 0 decimals" }],
      file: ['missing price'],
    });
  });

  it('recognises the server’s messages it can translate', () => {
    expect(knownImportProblem('repeats row 2')).toEqual({ key: 'repeats', values: { row: '2' } });
    expect(knownImportProblem('already used by SKU A-1')).toEqual({ key: 'taken', values: { sku: 'A-1' } });
    expect(knownImportProblem('required, at most 200 characters')?.key).toBe('required');
    expect(knownImportProblem("'1.990' has more than 0 decimals")).toEqual({ key: 'decimals', values: { digits: '0' } });
    expect(knownImportProblem('something new')).toBeNull();
  });
});
