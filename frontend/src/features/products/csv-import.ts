/**
 * The CSV import's format and its errors, as the server defines them (server/catalog/service.py:
 * `CSV_COLUMNS`, `_parse_row`). The export writes the same columns, so an exported file imports
 * back unchanged; only `sku`, `name` and `price` are required. Amounts are plain decimals in
 * major units ("19.90", "19,90"), `tax_rate` a percentage, `active` yes/no.
 *
 * Rows are numbered as a spreadsheet shows them: the header is row 1, the first product row 2.
 */
import { minorDigits, moneyInputValue } from '@orbit/shared/format/format';
import type { Problem } from '@orbit/shared/api/problem';

export const IMPORT_COLUMNS = [
  'sku',
  'barcode',
  'name',
  'description',
  'category',
  'price',
  'cost',
  'tax_rate',
  'unit',
  'stock',
  'reorder_point',
  'lead_time_days',
  'active',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
export const REQUIRED_COLUMNS: readonly ImportColumn[] = ['sku', 'name', 'price'];

/** One cell as CSV: quoted when it holds a comma, a quote or a line break. */
function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvLine(cells: readonly string[]): string {
  return cells.map(csvCell).join(',');
}

/**
 * A template to fill in: the header and one example row, its amounts written with the decimals
 * of the tenant's currency. Starts with a byte order mark so spreadsheet programs read UTF-8.
 */
/** An amount in major units as the file should hold it in this currency (19.9 → "19.90" in USD, "20" in CLP). */
export function exampleAmount(major: number, currency: string): string {
  return moneyInputValue(Math.round(major * 10 ** minorDigits(currency)), currency);
}

export function templateCsv(currency: string, example: { name: string; category: string; unit: string }): string {
  const major = (amount: number) => exampleAmount(amount, currency);
  const row: Record<ImportColumn, string> = {
    sku: 'SKU-0001',
    barcode: '7801234567890',
    name: example.name,
    description: '',
    category: example.category,
    price: major(19.9),
    cost: major(12.5),
    tax_rate: '19',
    unit: example.unit,
    stock: '10',
    reorder_point: '5',
    lead_time_days: '7',
    active: 'yes',
  };
  return `\ufeff${csvLine(IMPORT_COLUMNS)}\r\n${csvLine(IMPORT_COLUMNS.map((column) => row[column]))}\r\n`;
}

export interface ImportCellError {
  row: number;
  column: string;
  message: string;
}

export interface ImportRowErrors {
  row: number;
  cells: { column: string; message: string }[];
}

/** Errors grouped by row, rows in order, for a table with one line per bad row. */
export function errorsByRow(errors: readonly ImportCellError[]): ImportRowErrors[] {
  const rows = new Map<number, ImportRowErrors>();
  for (const error of [...errors].sort((a, b) => a.row - b.row)) {
    const entry = rows.get(error.row) ?? { row: error.row, cells: [] };
    entry.cells.push({ column: error.column, message: error.message });
    rows.set(error.row, entry);
  }
  return [...rows.values()];
}

/**
 * The cell errors of a refused import (422 `invalid_rows`: `loc: ["body", "row", n, column]`),
 * and the file-level ones (`missing_columns`: `loc: ["body", "header"]`) as plain messages.
 */
export function problemImportErrors(problem: Problem): { cells: ImportCellError[]; file: string[] } {
  const cells: ImportCellError[] = [];
  const file: string[] = [];
  for (const error of problem.errors ?? []) {
    const [, where, row, column] = error.loc;
    if (where === 'row' && typeof row === 'number' && typeof column === 'string') cells.push({ row, column, message: error.msg });
    else file.push(error.msg);
  }
  return { cells, file };
}

/** A server message the interface can say in the person's language: a key of `import.problem` and its values. */
export interface KnownImportProblem {
  key: 'required' | 'repeats' | 'taken' | 'notNumber' | 'decimals' | 'negative' | 'wholeNumber' | 'percent' | 'yesNo' | 'barcode' | 'missing';
  values: Record<string, string>;
}

const KNOWN: [RegExp, KnownImportProblem['key']][] = [
  [/^required(,|$)/, 'required'],
  [/^repeats row (?<row>\d+)$/, 'repeats'],
  [/^already used by SKU (?<sku>.+)$/, 'taken'],
  [/is not a plain number$/, 'notNumber'],
  [/has more than (?<digits>\d+) decimals$/, 'decimals'],
  [/^amounts can't be negative$/, 'negative'],
  [/^a whole number/, 'wholeNumber'],
  [/^a percentage between/, 'percent'],
  [/^yes or no$/, 'yesNo'],
  [/^letters, digits/, 'barcode'],
  [/^missing (?<column>\w+)$/, 'missing'],
];

export function knownImportProblem(message: string): KnownImportProblem | null {
  for (const [pattern, key] of KNOWN) {
    const match = pattern.exec(message);
    if (match) return { key, values: { ...match.groups } };
  }
  return null;
}
