/** A product's status at a glance: archived or active, and low when its stock is at or below the reorder point. */
import { useTranslation } from 'react-i18next';
import { Badge } from '@orbit/shared/ui/surfaces';
import type { Product } from '../api';

/** Low as the API's low-stock list says it: active, and stock at or below the reorder point. */
export function isLow(product: Pick<Product, 'stock' | 'reorder_point' | 'is_active'>): boolean {
  return product.is_active && product.stock <= product.reorder_point;
}

export function ProductStatusBadges({ product }: { product: Pick<Product, 'stock' | 'reorder_point' | 'is_active'> }) {
  const { t } = useTranslation('products');
  return (
    <span className="flex flex-wrap gap-1">
      {product.is_active ? <Badge tone="ok">{t('status.active')}</Badge> : <Badge>{t('status.archived')}</Badge>}
      {isLow(product) ? <Badge tone="warn">{t('status.low')}</Badge> : null}
    </span>
  );
}
