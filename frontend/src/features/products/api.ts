/**
 * The products feature's server state: TanStack Query hooks over the generated client. Keys:
 * `['products', 'list', query]`, `['products', 'detail', id]`, `['products', 'movements', id,
 * {offset}]` (every key starts with `productsKey`, which live stock patches). Saving, archiving
 * or importing invalidates every `['products']` key.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, authorizedFetch, download, unwrap, type Schemas, type paths } from '@orbit/shared/api/client';
import { ApiError, problemOf } from '@orbit/shared/api/problem';
import { categoriesKey } from '../../lib/categories';
import { productsKey } from '../../lib/live-stock';

export type Product = Schemas['ProductRead'];
export type ProductCreate = Schemas['ProductCreate'];
export type ProductUpdate = Schemas['ProductUpdate'];
export type ProductQuery = NonNullable<paths['/api/v1/products']['get']['parameters']['query']>;
export type ImportReport = Schemas['ImportReport'];

export const PRODUCTS_PAGE_SIZE = 25;
export const MOVEMENTS_PAGE_SIZE = 20;
/** The import endpoint's limit (`MAX_CSV_BYTES` on the server). */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

export const productKeys = {
  lists: [...productsKey, 'list'] as const,
  list: (query: ProductQuery) => [...productsKey, 'list', query] as const,
  detail: (productId: string) => [...productsKey, 'detail', productId] as const,
  movements: (productId: string, offset: number) => [...productsKey, 'movements', productId, { offset }] as const,
};

export function useProducts(query: ProductQuery) {
  return useQuery({
    queryKey: productKeys.list(query),
    queryFn: () => unwrap(api.GET('/api/v1/products', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export function useProduct(productId: string) {
  return useQuery({
    queryKey: productKeys.detail(productId),
    queryFn: () => unwrap(api.GET('/api/v1/products/{product_id}', { params: { path: { product_id: productId } } })),
  });
}

export function useProductMovements(productId: string, offset: number) {
  return useQuery({
    queryKey: productKeys.movements(productId, offset),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/products/{product_id}/movements', { params: { path: { product_id: productId }, query: { offset, limit: MOVEMENTS_PAGE_SIZE } } }),
      ),
    placeholderData: keepPreviousData,
  });
}

export type SaveProduct = { productId: null; body: ProductCreate } | { productId: string; body: ProductUpdate };

/** Create (no id) or change a product; the answer becomes the cached product. */
export function useSaveProduct() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (save: SaveProduct): Promise<Product> =>
      save.productId === null
        ? unwrap(api.POST('/api/v1/products', { body: save.body }))
        : unwrap(api.PATCH('/api/v1/products/{product_id}', { params: { path: { product_id: save.productId } }, body: save.body })),
    onSuccess: (product) => {
      queryClient.setQueryData(productKeys.detail(product.id), product);
      void queryClient.invalidateQueries({ queryKey: productKeys.lists });
      void queryClient.invalidateQueries({ queryKey: [...productsKey, 'movements', product.id] });
    },
  });
}

/** Archive a product (the API deactivates it: products with history are never deleted). */
export function useArchiveProduct() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (productId: string) => unwrap(api.DELETE('/api/v1/products/{product_id}', { params: { path: { product_id: productId } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: productsKey }),
  });
}

export interface ImportOptions {
  dryRun: boolean;
  skipInvalid: boolean;
}

/**
 * Send a CSV file to `POST /api/v1/products/import` (the body is the file itself, which the
 * generated client cannot describe). A refused file throws the server's problem as `ApiError`.
 */
export async function importProducts(file: Blob, { dryRun, skipInvalid }: ImportOptions): Promise<ImportReport> {
  const url = new URL('/api/v1/products/import', globalThis.location.origin);
  if (dryRun) url.searchParams.set('dry_run', 'true');
  if (skipInvalid) url.searchParams.set('skip_invalid', 'true');
  const response = await authorizedFetch(new Request(url, { method: 'POST', body: file, headers: { 'content-type': 'text/csv' } }));
  if (!response.ok) throw new ApiError(await problemOf(response));
  return (await response.json()) as ImportReport;
}

export function useImportProducts() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ file, ...options }: ImportOptions & { file: Blob }) => importProducts(file, options),
    onSuccess: (report) => {
      if (!report.dry_run) {
        void queryClient.invalidateQueries({ queryKey: productsKey });
        void queryClient.invalidateQueries({ queryKey: categoriesKey });
      }
    },
  });
}

export function exportProducts(): Promise<void> {
  return download('/api/v1/products/export.csv');
}

export type ProductImage = Schemas['ProductImageRead'];
/** The image endpoint's limit (`MAX_IMAGE_BYTES` on the server). */
export const MAX_IMAGE_BYTES = 15 * 1024 * 1024;
/** What the server accepts (it checks the content, not the name). */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

/**
 * Send a photo to `PUT /api/v1/products/{id}/image` (the body is the file itself). A refused
 * file (not an image, too large, damaged) throws the server's problem as `ApiError`.
 */
export async function uploadProductImage(productId: string, file: Blob): Promise<ProductImage> {
  const url = new URL(`/api/v1/products/${encodeURIComponent(productId)}/image`, globalThis.location.origin);
  const request = new Request(url, { method: 'PUT', body: file, headers: { 'content-type': file.type || 'application/octet-stream' } });
  const response = await authorizedFetch(request);
  if (!response.ok) throw new ApiError(await problemOf(response));
  return (await response.json()) as ProductImage;
}

/** Set, replace (`file`) or remove (`null`) a product's image; the product's caches follow. */
export function useProductImage(productId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (file: Blob | null): Promise<ProductImage | null> => {
      if (file) return uploadProductImage(productId, file);
      await unwrap(api.DELETE('/api/v1/products/{product_id}/image', { params: { path: { product_id: productId } } }));
      return null;
    },
    onSuccess: (image) => {
      queryClient.setQueryData<Product>(productKeys.detail(productId), (product) => (product ? { ...product, image } : product));
      void queryClient.invalidateQueries({ queryKey: productKeys.lists });
    },
  });
}

export type ImageImportReport = Schemas['ImageImportReport'];
/** The zip endpoint's limit (`MAX_ZIP_BYTES` on the server). */
export const MAX_IMAGE_ZIP_BYTES = 512 * 1024 * 1024;

/**
 * Send a zip of photos named by SKU to `POST /api/v1/products/images/import`. A refused zip (a
 * path in a name, unknown SKUs, non-images without `skipInvalid`, a zip bomb) throws the
 * server's problem as `ApiError`, its `errors` naming each file.
 */
export async function importProductImages(file: Blob, { dryRun, skipInvalid }: ImportOptions): Promise<ImageImportReport> {
  const url = new URL('/api/v1/products/images/import', globalThis.location.origin);
  if (dryRun) url.searchParams.set('dry_run', 'true');
  if (skipInvalid) url.searchParams.set('skip_invalid', 'true');
  const response = await authorizedFetch(new Request(url, { method: 'POST', body: file, headers: { 'content-type': 'application/zip' } }));
  if (!response.ok) throw new ApiError(await problemOf(response));
  return (await response.json()) as ImageImportReport;
}

export function useImportProductImages() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ file, ...options }: ImportOptions & { file: Blob }) => importProductImages(file, options),
    onSuccess: (report) => {
      if (!report.dry_run) void queryClient.invalidateQueries({ queryKey: productsKey });
    },
  });
}
