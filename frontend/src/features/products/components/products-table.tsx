/** One page of products: photo and name (a link), SKU, barcode, category, price, live stock and status. */
import { Link, useNavigate } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { DataTable } from '@orbit/shared/ui/data-table';
import { categoryPaths, useCategories } from '../../../lib/categories';
import type { Product } from '../api';
import { ProductThumb } from './product-image';
import { ProductStatusBadges } from './product-status';

const right = (content: ReactNode) => <span className="block text-right tabular-nums">{content}</span>;

export function ProductsTable({ products, empty }: { products: Product[]; empty: ReactNode }) {
  const { t } = useTranslation('products');
  const format = useFormat();
  const navigate = useNavigate();
  const categories = useCategories();
  const paths = useMemo(() => categoryPaths(categories.data), [categories.data]);

  const columns = useMemo<ColumnDef<Product, unknown>[]>(
    () => [
      {
        id: 'name',
        header: t('fields.name'),
        cell: ({ row }) => (
          <span className="flex items-center gap-3">
            <ProductThumb product={row.original} />
            <Link
              to="/products/$productId"
              params={{ productId: row.original.id }}
              className="block max-w-36 truncate font-medium text-brand-700 hover:underline sm:max-w-72"
              onClick={(event) => event.stopPropagation()}
            >
              {row.original.name}
            </Link>
          </span>
        ),
      },
      { id: 'sku', header: t('fields.sku'), cell: ({ row }) => <span className="font-mono text-xs">{row.original.sku}</span> },
      { id: 'barcode', header: t('fields.barcode'), cell: ({ row }) => <span className="font-mono text-xs">{row.original.barcode ?? '—'}</span> },
      {
        id: 'category',
        header: t('fields.category'),
        cell: ({ row }) => (row.original.category_id ? (paths.get(row.original.category_id) ?? '…') : <span className="text-slate-500">—</span>),
      },
      { id: 'price', header: () => right(t('fields.price')), cell: ({ row }) => right(format.money(row.original.price)) },
      {
        id: 'stock',
        header: () => right(t('fields.stock')),
        cell: ({ row }) => right(<span data-stock={row.original.stock}>{format.number(row.original.stock)}</span>),
      },
      { id: 'status', header: t('fields.status'), cell: ({ row }) => <ProductStatusBadges product={row.original} /> },
    ],
    [t, format, paths],
  );

  return (
    <DataTable
      caption={t('list.caption')}
      columns={columns}
      rows={products}
      rowKey={(product) => product.id}
      onRowClick={(product) => void navigate({ to: '/products/$productId', params: { productId: product.id } })}
      empty={empty}
    />
  );
}
