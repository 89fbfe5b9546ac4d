/**
 * A page of stock movements (the API's ledger, newest first): when (in the shop's zone), the
 * product (on the shop-wide ledger), kind, signed change, the stock right after it, the note,
 * and the sale it came from. Shared by a product's page and the stock screen's ledger.
 */
import { Link } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '@orbit/shared/api/client';
import { useFormat } from '@orbit/shared/format/locality';
import { DataTable } from '@orbit/shared/ui/data-table';
import { Badge } from '@orbit/shared/ui/surfaces';
import './inventory-i18n';

export type Movement = Schemas['MovementRead'];
export type MovementKind = Movement['kind'];

export const MOVEMENT_KINDS: readonly MovementKind[] = ['receipt', 'adjustment', 'count', 'sale', 'refund', 'void'];

const KIND_TONES: Record<MovementKind, 'ok' | 'warn' | 'brand' | 'neutral'> = {
  receipt: 'ok',
  adjustment: 'warn',
  count: 'brand',
  sale: 'neutral',
  refund: 'brand',
  void: 'neutral',
};

export function MovementKindBadge({ kind }: { kind: MovementKind }) {
  const { t } = useTranslation('inventory');
  return <Badge tone={KIND_TONES[kind]}>{t(`kind.${kind}`)}</Badge>;
}

/** A signed quantity, "+5" or "−3" (a true minus sign), green or red. */
export function SignedQuantity({ value }: { value: number }) {
  const format = useFormat();
  const text = value > 0 ? `+${format.number(value)}` : value < 0 ? `−${format.number(-value)}` : format.number(0);
  return <span className={value > 0 ? 'text-emerald-700' : value < 0 ? 'text-red-700' : 'text-slate-600'}>{text}</span>;
}

/** Where a movement came from: its sale (a link), or the refund's number for refunds and voids. */
function MovementReference({ movement }: { movement: Movement }) {
  const { t } = useTranslation('inventory');
  if (!movement.reference_id) return <span className="text-slate-500">—</span>;
  if (movement.kind === 'sale') {
    return (
      <Link to="/sales/$saleId" params={{ saleId: movement.reference_id }} className="text-brand-700 hover:underline">
        {t('movements.sale')}
      </Link>
    );
  }
  return (
    <span className="font-mono text-xs text-slate-600" title={movement.reference_id}>
      {movement.reference_id.slice(0, 8)}
    </span>
  );
}

const right = (content: ReactNode) => <span className="block text-right tabular-nums">{content}</span>;

export function MovementsTable({ movements, showProduct, caption, empty }: { movements: Movement[]; showProduct: boolean; caption: string; empty: ReactNode }) {
  const { t } = useTranslation('inventory');
  const format = useFormat();
  const columns = useMemo<ColumnDef<Movement, unknown>[]>(
    () => [
      { id: 'at', header: t('movements.at'), cell: ({ row }) => <span className="whitespace-nowrap">{format.dateTime(row.original.occurred_at)}</span> },
      ...(showProduct
        ? [
            {
              id: 'product',
              header: t('movements.product'),
              cell: ({ row }) => (
                <Link
                  to="/products/$productId"
                  params={{ productId: row.original.product_id }}
                  className="block max-w-40 truncate font-medium text-brand-700 hover:underline sm:max-w-64"
                >
                  {row.original.product_name}
                  <span className="block text-xs font-normal text-slate-600">{row.original.product_sku}</span>
                </Link>
              ),
            } satisfies ColumnDef<Movement, unknown>,
          ]
        : []),
      { id: 'kind', header: t('movements.kind'), cell: ({ row }) => <MovementKindBadge kind={row.original.kind} /> },
      { id: 'delta', header: () => right(t('movements.delta')), cell: ({ row }) => right(<SignedQuantity value={row.original.delta} />) },
      { id: 'balance', header: () => right(t('movements.balance')), cell: ({ row }) => right(format.number(row.original.balance_after)) },
      {
        id: 'reason',
        header: t('movements.reason'),
        cell: ({ row }) => (
          <span className="block max-w-64 truncate" title={row.original.reason || undefined}>
            {row.original.reason || '—'}
          </span>
        ),
      },
      { id: 'reference', header: t('movements.reference'), cell: ({ row }) => <MovementReference movement={row.original} /> },
    ],
    [t, format, showProduct],
  );
  return <DataTable caption={caption} columns={columns} rows={movements} rowKey={(movement) => movement.id} empty={empty} />;
}
