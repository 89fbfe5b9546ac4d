/**
 * The sales list (/sales): filters and the search by invoice number live in the URL (a filtered
 * list is a link), dates are local days of the shop's time zone, pages are the API's offsets.
 */
import { getRouteApi } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { useLocality } from '@orbit/shared/format/locality';
import { Pager } from '@orbit/shared/ui/data-table';
import { ErrorState, Loading } from '@orbit/shared/ui/states';
import { PageHeader } from '@orbit/shared/ui/surfaces';
import { localDaysAsInstants } from '../../lib/local-days';
import { SALES_PAGE_SIZE, useSales, type SaleQuery } from './api';
import { SalesFilters, type SalesSearch } from './components/sales-filters';
import { SalesTable } from './components/sales-table';
import './i18n';

const route = getRouteApi('/app/sales');

const STATUSES = ['completed', 'voided'] as const;

/** The API query of the URL's search parameters. */
function saleQuery(search: SalesSearch, timeZone: string): SaleQuery {
  const status = STATUSES.find((value) => value === search.status);
  const number = search.q?.trim().toUpperCase();
  return {
    limit: SALES_PAGE_SIZE,
    offset: search.offset ?? 0,
    register_id: search.register_id,
    cashier_id: search.cashier_id,
    customer_id: search.customer_id,
    status,
    invoice_number: number || undefined,
    ...localDaysAsInstants(search.from, search.to, timeZone),
  };
}

export function SalesPage() {
  const { t } = useTranslation('sales');
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const { timeZone } = useLocality();
  const sales = useSales(saleQuery(search, timeZone));

  const changeSearch = (patch: Partial<SalesSearch>) => void navigate({ search: (previous) => ({ ...previous, ...patch }) });

  return (
    <>
      <PageHeader title={t('list.title')} description={t('list.description')} />
      <SalesFilters search={search} onChange={(patch) => changeSearch({ ...patch, offset: undefined })} />
      {sales.isPending ? (
        <Loading />
      ) : sales.isError ? (
        <ErrorState error={sales.error} onRetry={() => void sales.refetch()} />
      ) : (
        <>
          <SalesTable sales={sales.data.items} />
          <Pager
            offset={sales.data.offset}
            count={sales.data.items.length}
            nextOffset={sales.data.next_offset}
            limit={SALES_PAGE_SIZE}
            onOffset={(offset) => changeSearch({ offset: offset || undefined })}
          />
        </>
      )}
    </>
  );
}
