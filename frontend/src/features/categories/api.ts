/**
 * The categories feature's writes; the list itself is `useCategories` (lib), key `['categories']`.
 * Every change invalidates the categories and the product lists (which show category paths).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '@orbit/shared/api/client';
import { categoriesKey } from '../../lib/categories';
import { productsKey } from '../../lib/live-stock';

export type CategoryCreate = Schemas['CategoryCreate'];
export type CategoryUpdate = Schemas['CategoryUpdate'];

function useCategoryMutation<V, R>(mutationFn: (variables: V) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: categoriesKey });
      void queryClient.invalidateQueries({ queryKey: [...productsKey, 'list'] });
    },
  });
}

export function useCreateCategory() {
  return useCategoryMutation((body: CategoryCreate) => unwrap(api.POST('/api/v1/categories', { body })));
}

export function useUpdateCategory() {
  return useCategoryMutation(({ categoryId, body }: { categoryId: string; body: CategoryUpdate }) =>
    unwrap(api.PATCH('/api/v1/categories/{category_id}', { params: { path: { category_id: categoryId } }, body })),
  );
}

export function useDeleteCategory() {
  return useCategoryMutation((categoryId: string) => unwrap(api.DELETE('/api/v1/categories/{category_id}', { params: { path: { category_id: categoryId } } })));
}
