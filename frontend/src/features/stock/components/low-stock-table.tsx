/** Products at or below their reorder point, the most short first, each with a shortcut to receive it. */
import { Link } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { PackagePlus } from 'lucide-react';
import { useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { DataTable, Pager } from '@orbit/shared/ui/data-table';
import { Empty, ErrorState, Loading } from '@orbit/shared/ui/states';
import { LOW_STOCK_PAGE_SIZE, useLowStock, type LowStockItem } from '../api';

const right = (content: ReactNode) => <span className="block text-right tabular-nums">{content}</span>;

export function LowStockTable({ offset, onOffset, onReceive }: { offset: number; onOffset: (offset: number) => void; onReceive: (productId: string) => void }) {
  const { t } = useTranslation('stock');
  const format = useFormat();
  const low = useLowStock(offset);
  const columns = useMemo<ColumnDef<LowStockItem, unknown>[]>(
    () => [
      {
        id: 'product',
        header: t('low.product'),
        cell: ({ row }) => (
          <Link
            to="/products/$productId"
            params={{ productId: row.original.product_id }}
            className="block max-w-40 truncate font-medium text-brand-700 hover:underline sm:max-w-none"
          >
            {row.original.name}
          </Link>
        ),
      },
      { id: 'sku', header: t('low.sku'), cell: ({ row }) => <span className="font-mono text-xs">{row.original.sku}</span> },
      { id: 'stock', header: () => right(t('low.stock')), cell: ({ row }) => right(format.number(row.original.stock)) },
      { id: 'reorder', header: () => right(t('low.reorderPoint')), cell: ({ row }) => right(format.number(row.original.reorder_point)) },
      {
        id: 'shortfall',
        header: () => right(t('low.shortfall')),
        cell: ({ row }) => right(<span className="font-medium text-amber-800">{format.number(row.original.shortfall)}</span>),
      },
      {
        id: 'receive',
        header: () => <span className="sr-only">{t('common:actions')}</span>,
        cell: ({ row }) => (
          <Button variant="secondary" size="sm" aria-label={t('low.receive', { name: row.original.name })} onClick={() => onReceive(row.original.product_id)}>
            <PackagePlus aria-hidden="true" />
            {t('low.receiveShort')}
          </Button>
        ),
      },
    ],
    [t, format, onReceive],
  );
  if (low.isPending) return <Loading />;
  if (low.isError) return <ErrorState error={low.error} onRetry={() => void low.refetch()} />;
  return (
    <div aria-busy={low.isPlaceholderData}>
      <DataTable
        caption={t('low.caption')}
        columns={columns}
        rows={low.data.items}
        rowKey={(item) => item.product_id}
        empty={<Empty title={t('low.empty')}>{t('low.emptyHint')}</Empty>}
      />
      <Pager offset={low.data.offset} count={low.data.items.length} nextOffset={low.data.next_offset} limit={LOW_STOCK_PAGE_SIZE} onOffset={onOffset} />
    </div>
  );
}
