/**
 * Stock (/stock): one tab per task, the tab in the URL (`tab`). Receipts, adjustments and counts
 * are documents written line by line; their drafts live here, so switching tabs loses nothing.
 * The ledger's filters and page are in the URL too; `product_id` on the receipts tab (a link from
 * a product or the low-stock list) starts a receipt of that product.
 *
 * Live: `stock.changed` keeps the stock shown on the lines (a count's expected quantity) and every
 * cached product current, and refreshes the ledger and the low-stock list.
 */
import { useQueryClient } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '@orbit/shared/ui/surfaces';
import { Tabs } from '@orbit/shared/ui/tabs';
import { stockChanges, useLiveProductStock } from '../../lib/live-stock';
import { useRealtimeEvent } from '../../lib/realtime';
import { stockKey, useProductById } from './api';
import { LowStockTable } from './components/low-stock-table';
import { MovementsLedger, type LedgerSearch } from './components/movements-ledger';
import { StockDocumentForm } from './components/stock-document-form';
import { useStockDocument } from './use-stock-document';
import './i18n';

const route = getRouteApi('/app/stock');

export const STOCK_TABS = ['receipts', 'adjustments', 'counts', 'movements', 'low-stock'] as const;
export type StockTab = (typeof STOCK_TABS)[number];

function stockTab(value: string | undefined): StockTab {
  return STOCK_TABS.find((tab) => tab === value) ?? 'receipts';
}

export function StockPage() {
  const { t } = useTranslation('stock');
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const queryClient = useQueryClient();
  const tab = stockTab(search.tab);
  const receipt = useStockDocument('receipt');
  const adjustment = useStockDocument('adjustment');
  const count = useStockDocument('count');

  useLiveProductStock();
  useRealtimeEvent('stock', (event) => {
    const changes = stockChanges(event);
    if (changes.length === 0) return;
    const stock = new Map(changes.map((change) => [change.product_id, change.stock]));
    for (const document of [receipt, adjustment, count]) document.dispatch({ type: 'stock', stock });
    void queryClient.invalidateQueries({ queryKey: stockKey });
  });

  // A receipt asked for by link: add the product once, then drop it from the URL.
  const receiveId = tab === 'receipts' ? search.product_id : undefined;
  const toReceive = useProductById(receiveId);
  const received = useRef<string | null>(null);
  useEffect(() => {
    if (!receiveId) received.current = null;
    if (!receiveId || !toReceive.data || received.current === toReceive.data.id) return;
    received.current = toReceive.data.id;
    receipt.add(toReceive.data);
    void navigate({ search: (previous) => ({ ...previous, product_id: undefined }), replace: true });
  }, [receiveId, toReceive.data, receipt, navigate]);

  const changeLedger = (patch: Partial<LedgerSearch>) => void navigate({ search: (previous) => ({ ...previous, ...patch }) });
  const tabs = [
    { value: 'receipts', label: t('tabs.receipts'), content: <StockDocumentForm document={receipt} /> },
    { value: 'adjustments', label: t('tabs.adjustments'), content: <StockDocumentForm document={adjustment} /> },
    { value: 'counts', label: t('tabs.counts'), content: <StockDocumentForm document={count} /> },
    { value: 'movements', label: t('tabs.movements'), content: <MovementsLedger search={search} onChange={changeLedger} /> },
    {
      value: 'low-stock',
      label: t('tabs.lowStock'),
      content: (
        <LowStockTable
          offset={search.offset ?? 0}
          onOffset={(offset) => changeLedger({ offset: offset || undefined })}
          onReceive={(productId) => void navigate({ search: { tab: 'receipts', product_id: productId } })}
        />
      ),
    },
  ];

  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <Tabs label={t('tabs.label')} tabs={tabs} value={tab} onValueChange={(value) => void navigate({ search: { tab: stockTab(value) } })} />
    </>
  );
}
