/**
 * What an import did or would do: the counts (rows, new, updated, unchanged, skipped) and a
 * table with one line per bad row: its number as a spreadsheet shows it, each bad column and
 * the problem, in the person's language where the server's message is one we know.
 */
import type { ColumnDef } from '@tanstack/react-table';
import { useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { DataTable } from '@orbit/shared/ui/data-table';
import { errorsByRow, knownImportProblem, type ImportCellError, type ImportRowErrors } from '../csv-import';
import type { ImportReport } from '../api';

export function useImportProblemText(): (message: string) => string {
  const { t } = useTranslation('products');
  return useCallback(
    (message: string) => {
      const known = knownImportProblem(message);
      return known ? t(`import.problemText.${known.key}`, known.values) : message;
    },
    [t],
  );
}

export function ImportCounts({ report }: { report: ImportReport }) {
  const { t } = useTranslation('products');
  const format = useFormat();
  const counts = [
    ['rows', report.rows],
    ['created', report.created],
    ['updated', report.updated],
    ['unchanged', report.unchanged],
    ['skipped', report.skipped],
  ] as const;
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-5">
      {counts.map(([key, value]) => (
        <div key={key} className="rounded-md border border-slate-200 bg-white p-3">
          <dt className="text-xs text-slate-600">{t(`import.${key}`)}</dt>
          <dd
            data-testid={`import-${key}`}
            className={key === 'skipped' && value > 0 ? 'text-xl font-semibold text-red-700 tabular-nums' : 'text-xl font-semibold tabular-nums'}
          >
            {format.number(value)}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function ImportErrorsTable({ errors }: { errors: readonly ImportCellError[] }) {
  const { t } = useTranslation('products');
  const problemText = useImportProblemText();
  const rows = useMemo(() => errorsByRow(errors), [errors]);
  const columns = useMemo<ColumnDef<ImportRowErrors, unknown>[]>(
    () => [
      { id: 'row', header: t('import.row'), cell: ({ row }) => <span className="font-medium tabular-nums">{row.original.row}</span> },
      {
        id: 'problems',
        header: t('import.problem'),
        cell: ({ row }) => (
          <ul className="space-y-0.5">
            {row.original.cells.map((cell, index) => (
              <li key={index}>
                <code className="rounded bg-slate-100 px-1 text-xs">{cell.column}</code> {problemText(cell.message)}
              </li>
            ))}
          </ul>
        ),
      },
    ],
    [t, problemText],
  );
  return <DataTable caption={t('import.errorsCaption')} columns={columns} rows={rows} rowKey={(row) => String(row.row)} />;
}
