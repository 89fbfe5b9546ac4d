/** Today's best sellers, by revenue (tax included, before refunds). */
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Empty } from '@orbit/shared/ui/states';
import { Card, CardTitle } from '@orbit/shared/ui/surfaces';
import type { BestSeller } from '../live-reducer';

export function BestSellers({ products }: { products: BestSeller[] }) {
  const { t } = useTranslation('dashboard');
  const format = useFormat();
  const top = products[0]?.revenue ?? 0;
  return (
    <Card aria-labelledby="best-sellers-title" className="min-w-0">
      <CardTitle id="best-sellers-title">{t('best.title')}</CardTitle>
      {products.length === 0 ? (
        <div className="mt-3">
          <Empty title={t('best.empty')} />
        </div>
      ) : (
        <ol className="mt-3 space-y-3">
          {products.map((product) => (
            <li key={product.product_id} className="text-sm">
              <div className="flex items-baseline justify-between gap-2">
                <span className="min-w-0 truncate font-medium">{product.name}</span>
                <span className="shrink-0 tabular-nums">{format.money(product.revenue)}</span>
              </div>
              <div className="mt-1 flex items-center gap-2">
                <div className="h-1.5 flex-1 rounded-full bg-slate-100" aria-hidden="true">
                  <div className="h-1.5 rounded-full bg-brand-500" style={{ width: `${top > 0 ? Math.max(4, (product.revenue / top) * 100) : 0}%` }} />
                </div>
                <span className="shrink-0 text-xs text-slate-600" data-units={product.units}>
                  {t('best.units', { count: product.units })}
                </span>
              </div>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
