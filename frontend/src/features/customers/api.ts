/**
 * Customers' server state. Keys start with `['customers']`: a change to one customer refreshes
 * the lists and the detail. "Deleting" a customer deactivates them (`DELETE` keeps their sales
 * and history); `PATCH is_active` brings them back.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, download, unwrap, type Schemas, type paths } from '@orbit/shared/api/client';

export type Customer = Schemas['CustomerRead'];
export type CustomerCreate = Schemas['CustomerCreate'];
export type CustomerUpdate = Schemas['CustomerUpdate'];
export type CustomerSale = Schemas['CustomerSaleRead'];
export type CustomerQuery = NonNullable<paths['/api/v1/customers']['get']['parameters']['query']>;

export const CUSTOMERS_PAGE_SIZE = 25;
export const HISTORY_PAGE_SIZE = 20;

export function useCustomers(query: CustomerQuery) {
  return useQuery({
    queryKey: ['customers', 'list', query],
    queryFn: () => unwrap(api.GET('/api/v1/customers', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export function useCustomer(customerId: string) {
  return useQuery({
    queryKey: ['customers', 'detail', customerId],
    queryFn: () => unwrap(api.GET('/api/v1/customers/{customer_id}', { params: { path: { customer_id: customerId } } })),
  });
}

export function useCustomerSales(customerId: string, offset: number) {
  return useQuery({
    queryKey: ['customers', 'sales', customerId, offset],
    queryFn: () => unwrap(api.GET('/api/v1/customers/{customer_id}/sales', { params: { path: { customer_id: customerId }, query: { limit: HISTORY_PAGE_SIZE, offset } } })),
    placeholderData: keepPreviousData,
  });
}

function useInvalidateCustomers() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: ['customers'] });
}

export function useCreateCustomer() {
  const invalidate = useInvalidateCustomers();
  return useMutation({ mutationFn: (body: CustomerCreate) => unwrap(api.POST('/api/v1/customers', { body })), onSuccess: invalidate });
}

export function useUpdateCustomer(customerId: string) {
  const invalidate = useInvalidateCustomers();
  return useMutation({
    mutationFn: (body: CustomerUpdate) => unwrap(api.PATCH('/api/v1/customers/{customer_id}', { params: { path: { customer_id: customerId } }, body })),
    onSuccess: invalidate,
  });
}

export function useDeactivateCustomer(customerId: string) {
  const invalidate = useInvalidateCustomers();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/customers/{customer_id}', { params: { path: { customer_id: customerId } } })),
    onSuccess: invalidate,
  });
}

/** The customers matching the list's search, as the server's CSV. */
export function exportCustomers(search: string | undefined): Promise<void> {
  return download('/api/v1/customers/export.csv', { search });
}
