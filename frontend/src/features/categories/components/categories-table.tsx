/** The categories as a tree: each under its parent, indented by depth, with its edit and delete actions. */
import type { ColumnDef } from '@tanstack/react-table';
import { Pencil, Trash2 } from 'lucide-react';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { DataTable } from '@orbit/shared/ui/data-table';
import { Empty } from '@orbit/shared/ui/states';
import { categoryPaths, categoryTree, type Category, type CategoryNode } from '../../../lib/categories';

export function CategoriesTable({
  categories,
  onEdit,
  onDelete,
}: {
  categories: readonly Category[];
  onEdit: (category: Category) => void;
  onDelete: (category: Category) => void;
}) {
  const { t } = useTranslation('categories');
  const nodes = useMemo(() => categoryTree(categories), [categories]);
  const paths = useMemo(() => categoryPaths(categories), [categories]);
  const columns = useMemo<ColumnDef<CategoryNode, unknown>[]>(
    () => [
      {
        id: 'name',
        header: t('name'),
        cell: ({ row }) => (
          <span className="flex items-center gap-2 font-medium" style={{ paddingLeft: `${row.original.depth * 1.25}rem` }} data-testid="category-name">
            {row.original.depth > 0 ? (
              <span aria-hidden="true" className="text-slate-400">
                └
              </span>
            ) : null}
            <span>{row.original.category.name}</span>
          </span>
        ),
      },
      {
        id: 'parent',
        header: t('parent'),
        cell: ({ row }) => (row.original.category.parent_id ? (paths.get(row.original.category.parent_id) ?? '—') : <span className="text-slate-500">—</span>),
      },
      {
        id: 'actions',
        header: () => <span className="sr-only">{t('actions')}</span>,
        cell: ({ row }) => (
          <span className="flex justify-end gap-1">
            <Button variant="ghost" size="sm" aria-label={t('edit.action', { name: row.original.category.name })} onClick={() => onEdit(row.original.category)}>
              <Pencil aria-hidden="true" />
              <span className="hidden sm:inline">{t('common:edit')}</span>
            </Button>
            <Button
              variant="ghost"
              size="sm"
              className="text-danger"
              aria-label={t('remove.action', { name: row.original.category.name })}
              onClick={() => onDelete(row.original.category)}
            >
              <Trash2 aria-hidden="true" />
              <span className="hidden sm:inline">{t('common:delete')}</span>
            </Button>
          </span>
        ),
      },
    ],
    [t, paths, onEdit, onDelete],
  );
  return (
    <DataTable
      caption={t('caption')}
      columns={columns}
      rows={nodes}
      rowKey={(node) => node.category.id}
      empty={<Empty title={t('empty')}>{t('emptyHint')}</Empty>}
    />
  );
}
