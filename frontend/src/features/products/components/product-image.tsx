/**
 * A product's photo on its page: the picture (or an empty frame), and for managers, upload,
 * replace (choose a file or drop it on the frame) and remove after a confirmation. A file that
 * is not a JPEG, PNG or WebP, or is over 15 MB, is refused here before anything is sent; the
 * server checks the content again and its refusal shows under the picture.
 */
import { ImageOff, ImagePlus, RefreshCw, Trash2 } from 'lucide-react';
import { useId, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '@orbit/shared/api/problem';
import { Button } from '@orbit/shared/ui/button';
import { ConfirmDialog } from '@orbit/shared/ui/confirm-dialog';
import { cn } from '@orbit/shared/ui/cn';
import { useErrorMessage } from '@orbit/shared/ui/states';
import { Card, CardTitle } from '@orbit/shared/ui/surfaces';
import { toast } from '@orbit/shared/ui/toast';
import { IMAGE_TYPES, MAX_IMAGE_BYTES, useProductImage, type Product } from '../api';

const SERVER_REFUSALS = ['unsupported_image', 'unreadable_image', 'image_too_many_pixels', 'file_too_large'];

export function checkImageFile(file: File): 'notImage' | 'tooLarge' | null {
  if (!(IMAGE_TYPES as readonly string[]).includes(file.type)) return 'notImage';
  if (file.size > MAX_IMAGE_BYTES) return 'tooLarge';
  return null;
}

export function ProductImage({ product }: { product: Product }) {
  const { t } = useTranslation('products');
  const errorMessage = useErrorMessage();
  const save = useProductImage(product.id);
  const input = useRef<HTMLInputElement>(null);
  const hintId = useId();
  const [problem, setProblem] = useState<string | null>(null);
  const [removing, setRemoving] = useState(false);
  const [dragging, setDragging] = useState(false);
  const image = product.image ?? null;
  /** The server's refusal in the person's language when its code is known, else its own words. */
  const refusal = (error: unknown) => {
    const code = error instanceof ApiError ? error.code : undefined;
    return code && SERVER_REFUSALS.includes(code) ? t(`image.refused.${code}`) : errorMessage(error);
  };

  const send = (file: File | undefined) => {
    if (!file) return;
    const refused = checkImageFile(file);
    if (refused) {
      setProblem(t(`image.${refused}`));
      return;
    }
    setProblem(null);
    save.mutate(file, {
      onSuccess: () => toast(t(image ? 'image.replaced' : 'image.added'), { description: product.name }),
      onError: (error) => setProblem(refusal(error)),
    });
  };
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    send(event.dataTransfer.files[0]);
  };

  return (
    <Card className="mb-4">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-start">
        <div
          className={cn(
            'relative grid size-40 shrink-0 place-items-center overflow-hidden rounded-md border border-slate-200 bg-slate-50',
            dragging && 'border-brand-600 ring-2 ring-brand-600',
          )}
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={drop}
          data-testid="product-image"
        >
          {image ? (
            <img src={image.detail} alt={t('image.alt', { name: product.name })} className="size-full object-contain" width={160} height={160} />
          ) : (
            <ImageOff aria-hidden="true" className="size-10 text-slate-400" />
          )}
          {save.isPending ? (
            <span role="status" className="absolute inset-0 grid place-items-center bg-white/80 text-sm text-slate-700">
              {t('image.uploading')}
            </span>
          ) : null}
        </div>
        <div className="min-w-0 space-y-3">
          <CardTitle>{t('image.title')}</CardTitle>
          <p id={hintId} className="text-sm text-slate-600">
            {image ? t('image.hint') : t('image.empty')}
          </p>
          <input
            ref={input}
            type="file"
            accept={IMAGE_TYPES.join(',')}
            className="sr-only"
            tabIndex={-1}
            aria-hidden="true"
            onChange={(event) => {
              send(event.target.files?.[0]);
              event.target.value = '';
            }}
          />
          <div className="flex flex-wrap gap-2">
            <Button variant="secondary" disabled={save.isPending} aria-describedby={hintId} onClick={() => input.current?.click()}>
              {image ? <RefreshCw aria-hidden="true" /> : <ImagePlus aria-hidden="true" />}
              {image ? t('image.replace') : t('image.upload')}
            </Button>
            {image ? (
              <Button
                variant="ghost"
                disabled={save.isPending}
                onClick={() => {
                  save.reset();
                  setRemoving(true);
                }}
              >
                <Trash2 aria-hidden="true" />
                {t('image.remove')}
              </Button>
            ) : null}
          </div>
          {problem ? (
            <p role="alert" className="text-sm text-danger">
              {problem}
            </p>
          ) : null}
        </div>
      </div>
      <ConfirmDialog
        open={removing}
        onOpenChange={setRemoving}
        title={t('image.removeTitle')}
        description={t('image.removeDescription', { name: product.name })}
        confirmLabel={t('image.removeConfirm')}
        pending={save.isPending}
        error={save.error}
        onConfirm={() =>
          save.mutate(null, {
            onSuccess: () => {
              setRemoving(false);
              toast(t('image.removed'), { description: product.name });
            },
          })
        }
      />
    </Card>
  );
}

/** The small picture at the start of a product's row in the list (or an empty frame). */
export function ProductThumb({ product }: { product: Product }) {
  return (
    <span className="grid size-10 shrink-0 place-items-center overflow-hidden rounded border border-slate-200 bg-slate-50">
      {product.image ? (
        <img src={product.image.thumb} alt="" className="size-full object-contain" width={40} height={40} loading="lazy" decoding="async" />
      ) : (
        <ImageOff aria-hidden="true" className="size-4 text-slate-300" />
      )}
    </span>
  );
}
