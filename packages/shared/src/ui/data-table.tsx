import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from './button';
import { cn } from './cn';

export interface DataTableProps<Row> {
  columns: ColumnDef<Row, unknown>[];
  rows: Row[];
  /** The table's accessible name. */
  caption: string;
  rowKey: (row: Row) => string;
  onRowClick?: (row: Row) => void;
  empty?: ReactNode;
  className?: string;
}

/**
 * A table of server-paged rows (TanStack Table, manual paging: the server sorts and pages).
 * It scrolls sideways inside its card on a phone instead of breaking the page. Columns with a
 * `footer` get a totals row.
 */
export function DataTable<Row>({ columns, rows, caption, rowKey, onRowClick, empty, className }: DataTableProps<Row>) {
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), getRowId: rowKey, manualPagination: true });
  return (
    // Focusable and named, so keyboard users can scroll a table wider than the screen; positioned,
    // so visually hidden text in its cells (sr-only header labels) scrolls with it, not the page.
    <div role="region" aria-label={caption} tabIndex={0} className={cn('relative overflow-x-auto rounded-lg border border-slate-200 bg-white', className)}>
      <table className="w-full min-w-max text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs text-slate-600 uppercase">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col" className="px-3 py-2 font-medium">
                  {header.isPlaceholder ? null : flexRender(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr
              key={row.id}
              className={cn('border-b border-slate-100 last:border-0', onRowClick && 'cursor-pointer hover:bg-slate-50')}
              onClick={onRowClick ? () => onRowClick(row.original) : undefined}
            >
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id} className="px-3 py-2 align-middle">
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
        {columns.some((column) => column.footer !== undefined) && rows.length > 0 ? (
          <tfoot className="border-t border-slate-200 bg-slate-50 font-medium">
            {table.getFooterGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => (
                  <td key={header.id} className="px-3 py-2 align-middle">
                    {header.isPlaceholder ? null : flexRender(header.column.columnDef.footer, header.getContext())}
                  </td>
                ))}
              </tr>
            ))}
          </tfoot>
        ) : null}
      </table>
      {rows.length === 0 && empty ? <div className="p-4">{empty}</div> : null}
    </div>
  );
}

/** Previous/next paging over the API's `offset`/`limit`/`next_offset` pages. */
export function Pager({ offset, count, nextOffset, limit, onOffset }: { offset: number; count: number; nextOffset: number | null; limit: number; onOffset: (offset: number) => void }) {
  const { t } = useTranslation();
  return (
    <nav aria-label="pagination" className="mt-3 flex items-center justify-between gap-2 text-sm text-slate-600">
      <span>{count > 0 ? t('pageOf', { from: offset + 1, to: offset + count }) : null}</span>
      <div className="flex gap-2">
        <Button variant="secondary" size="sm" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - limit))}>
          {t('previous')}
        </Button>
        <Button variant="secondary" size="sm" disabled={nextOffset === null} onClick={() => nextOffset !== null && onOffset(nextOffset)}>
          {t('next')}
        </Button>
      </div>
    </nav>
  );
}
