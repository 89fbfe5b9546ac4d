/** A product's stock ledger, newest first, a page at a time (the page stays while the next loads). */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Pager } from '@orbit/shared/ui/data-table';
import { Empty, ErrorState, Loading } from '@orbit/shared/ui/states';
import { Card, CardTitle } from '@orbit/shared/ui/surfaces';
import { MovementsTable } from '../../../lib/stock-movements';
import { MOVEMENTS_PAGE_SIZE, useProductMovements } from '../api';

export function ProductMovements({ productId }: { productId: string }) {
  const { t } = useTranslation('products');
  const [offset, setOffset] = useState(0);
  const movements = useProductMovements(productId, offset);
  return (
    <Card className="mt-4 p-0 sm:p-0" aria-labelledby="product-movements-title">
      <CardTitle id="product-movements-title" className="px-4 pt-4">
        {t('detail.movements')}
      </CardTitle>
      <div className="p-4" aria-busy={movements.isFetching}>
        {movements.isPending ? (
          <Loading />
        ) : movements.isError ? (
          <ErrorState error={movements.error} onRetry={() => void movements.refetch()} />
        ) : (
          <>
            <MovementsTable
              movements={movements.data.items}
              showProduct={false}
              caption={t('detail.movementsCaption')}
              empty={<Empty title={t('inventory:movements.empty')} />}
            />
            <Pager
              offset={movements.data.offset}
              count={movements.data.items.length}
              nextOffset={movements.data.next_offset}
              limit={MOVEMENTS_PAGE_SIZE}
              onOffset={setOffset}
            />
          </>
        )}
      </div>
    </Card>
  );
}
