/**
 * The sales feature's server state: TanStack Query hooks over the generated client. Keys:
 * `['sales', 'list', query]`, `['sales', 'detail', id]`, `['sales', 'refunds', id]`,
 * `['audit', {entity, entity_id}]`; a refund or a void invalidates every `['sales']` key and
 * the figures that depend on sales (shifts, reports, the dashboard).
 */
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas, type paths } from '@orbit/shared/api/client';

export type SaleQuery = NonNullable<paths['/api/v1/sales']['get']['parameters']['query']>;
export type SaleSummary = Schemas['SaleSummary'];
export type Sale = Schemas['SaleRead'];
export type Refund = Schemas['RefundRead'];
export type RefundCreate = Schemas['RefundCreate'];
export type AuditEntry = Schemas['AuditEntryRead'];
export type Customer = Schemas['CustomerRead'];

export const SALES_PAGE_SIZE = 25;

export function useSales(query: SaleQuery) {
  return useQuery({
    queryKey: ['sales', 'list', query],
    queryFn: () => unwrap(api.GET('/api/v1/sales', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export function useSale(saleId: string) {
  return useQuery({
    queryKey: ['sales', 'detail', saleId],
    queryFn: () => unwrap(api.GET('/api/v1/sales/{sale_id}', { params: { path: { sale_id: saleId } } })),
  });
}

export function useSaleRefunds(saleId: string) {
  return useQuery({
    queryKey: ['sales', 'refunds', saleId],
    queryFn: () => unwrap(api.GET('/api/v1/sales/{sale_id}/refunds', { params: { path: { sale_id: saleId } } })),
  });
}

/** The sale's audit trail. Only admins may read the audit log: the page asks for it only for them. */
export function useSaleAudit(saleId: string) {
  const query = { entity: 'sale', entity_id: saleId, limit: 100 };
  return useQuery({
    queryKey: ['audit', query],
    queryFn: () => unwrap(api.GET('/api/v1/audit', { params: { query } })),
  });
}

/** The names of the products of a sale's lines (one request per distinct product, cached). */
export function useProductNames(productIds: string[]): Map<string, string> {
  const results = useQueries({
    queries: [...new Set(productIds)].map((productId) => ({
      queryKey: ['products', 'detail', productId],
      queryFn: () => unwrap(api.GET('/api/v1/products/{product_id}', { params: { path: { product_id: productId } } })),
      staleTime: 5 * 60_000,
    })),
  });
  return new Map(results.flatMap((result) => (result.data ? [[result.data.id, `${result.data.name} (${result.data.sku})`] as const] : [])));
}

export function useCustomer(customerId: string | null | undefined) {
  return useQuery({
    queryKey: ['customers', 'detail', customerId],
    queryFn: () => unwrap(api.GET('/api/v1/customers/{customer_id}', { params: { path: { customer_id: customerId! } } })),
    enabled: Boolean(customerId),
    staleTime: 5 * 60_000,
  });
}

export function useCustomerSearch(search: string) {
  const query = { search, limit: 8 };
  return useQuery({
    queryKey: ['customers', 'list', query],
    queryFn: () => unwrap(api.GET('/api/v1/customers', { params: { query } })),
    enabled: search.trim().length > 0,
    placeholderData: keepPreviousData,
  });
}


/** Everything a sale's refund or void changes: the sale, lists, shifts, reports, stock, audit. */
function useSaleChanged() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all(
      [['sales'], ['shifts'], ['reports'], ['dashboard'], ['audit'], ['customers'], ['products'], ['stock']].map((queryKey) =>
        queryClient.invalidateQueries({ queryKey }),
      ),
    );
}

export function useRefundSale(saleId: string) {
  const changed = useSaleChanged();
  return useMutation({
    mutationFn: ({ body, key }: { body: RefundCreate; key: string }) =>
      unwrap(api.POST('/api/v1/sales/{sale_id}/refunds', { params: { path: { sale_id: saleId }, header: { 'Idempotency-Key': key } }, body })),
    onSuccess: changed,
  });
}

export function useVoidSale(saleId: string) {
  const changed = useSaleChanged();
  return useMutation({
    mutationFn: ({ reason, key }: { reason: string; key: string }) =>
      unwrap(api.POST('/api/v1/sales/{sale_id}/void', { params: { path: { sale_id: saleId }, header: { 'Idempotency-Key': key } }, body: { reason } })),
    onSuccess: changed,
  });
}
