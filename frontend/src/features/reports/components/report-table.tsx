/**
 * A report's rows as a table with its totals row; numbers right-aligned, every value written by
 * `useCellFormat`. The totals row is named in the column just before its first total (so a
 * narrow first column such as a rank does not widen to hold the label).
 */
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable } from '@orbit/shared/ui/data-table';
import { cn } from '@orbit/shared/ui/cn';
import type { ReportRow, ShapedReport } from '../report-shapes';
import { NUMERIC_KINDS, useCellFormat } from './use-cell-format';

export function ReportTable({ report, caption, totalsLabel }: { report: ShapedReport; caption: string; totalsLabel: string }) {
  const { t } = useTranslation('reports');
  const write = useCellFormat();
  const columns = useMemo<ColumnDef<ReportRow, unknown>[]>(() => {
    const firstTotal = report.columns.findIndex((column) => report.totals?.[column.key] !== undefined);
    const labelIndex = Math.max(0, firstTotal - 1);
    return report.columns.map((column, index) => {
      const numeric = NUMERIC_KINDS.has(column.kind);
      const align = cn(numeric && 'block text-right tabular-nums');
      const total = report.totals?.[column.key];
      return {
        id: column.key,
        header: () => <span className={align}>{t(`columns.${column.key}`)}</span>,
        cell: ({ row }) => <span className={align}>{write(column.kind, row.original.cells[column.key] ?? null)}</span>,
        footer: report.totals
          ? () =>
              total !== undefined ? (
                <span className={align}>{write(column.kind, total)}</span>
              ) : index === labelIndex ? (
                <span>{totalsLabel}</span>
              ) : null
          : undefined,
      };
    });
  }, [report, t, write, totalsLabel]);
  return <DataTable columns={columns} rows={report.rows} rowKey={(row) => row.id} caption={caption} />;
}
