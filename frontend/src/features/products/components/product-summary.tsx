/** A product's facts: stock against its reorder point, then codes, category, money and replenishment. */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Card, CardTitle, Stat } from '@orbit/shared/ui/surfaces';
import { categoryPaths, useCategories } from '../../../lib/categories';
import type { Product } from '../api';
import { basisPointsToPercent } from '../product-form';
import { isLow, ProductStatusBadges } from './product-status';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-slate-600">{label}</dt>
      <dd className="mt-0.5 text-sm break-words text-slate-900">{children}</dd>
    </div>
  );
}

export function ProductSummary({ product }: { product: Product }) {
  const { t } = useTranslation('products');
  const format = useFormat();
  const categories = useCategories();
  const category = product.category_id ? (categoryPaths(categories.data).get(product.category_id) ?? '…') : t('fields.noCategory');
  const margin = product.price - product.cost;
  const low = isLow(product);
  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
      <Stat
        label={t('detail.stock')}
        value={
          <span data-testid="product-stock" className={low ? 'text-amber-700' : undefined}>
            {format.number(product.stock)} <span className="text-base font-normal text-slate-600">{product.unit}</span>
          </span>
        }
        hint={t(low ? 'detail.lowHint' : 'detail.okHint', { point: format.number(product.reorder_point) })}
      />
      <Card className="lg:col-span-2">
        <CardTitle>{t('detail.details')}</CardTitle>
        <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-3 sm:grid-cols-3">
          <Fact label={t('fields.sku')}>
            <span className="font-mono">{product.sku}</span>
          </Fact>
          <Fact label={t('fields.barcode')}>
            <span className="font-mono">{product.barcode ?? '—'}</span>
          </Fact>
          <Fact label={t('fields.category')}>{category}</Fact>
          <Fact label={t('fields.price')}>
            <span data-testid="product-price">{format.money(product.price)}</span>
          </Fact>
          <Fact label={t('fields.cost')}>{format.money(product.cost)}</Fact>
          <Fact label={t('fields.margin')}>
            {format.money(margin)}
            {product.price > 0 ? <span className="text-slate-600"> · {format.percent(margin / product.price)}</span> : null}
          </Fact>
          <Fact label={t('fields.tax')}>{`${basisPointsToPercent(product.tax_rate_bp)} %`}</Fact>
          <Fact label={t('fields.unit')}>{product.unit}</Fact>
          <Fact label={t('fields.reorderPoint')}>{format.number(product.reorder_point)}</Fact>
          <Fact label={t('fields.leadTimeShort')}>{t('days', { count: product.lead_time_days })}</Fact>
          <Fact label={t('fields.status')}>
            <ProductStatusBadges product={product} />
          </Fact>
          <Fact label={t('fields.updatedAt')}>{format.dateTime(product.updated_at)}</Fact>
          {product.description ? (
            <div className="col-span-2 sm:col-span-3">
              <Fact label={t('fields.description')}>{product.description}</Fact>
            </div>
          ) : null}
        </dl>
      </Card>
    </div>
  );
}
