/**
 * Choose a CSV file: a labelled file input (keyboard and screen readers use it as it is) inside
 * a zone that also takes a dropped file. Files over the server's limit or not CSV are refused
 * here, before anything is sent.
 */
import { FileUp } from 'lucide-react';
import { useId, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { buttonVariants } from '@orbit/shared/ui/button';
import { cn } from '@orbit/shared/ui/cn';
import { MAX_IMPORT_BYTES } from '../api';

const CSV_TYPES = new Set(['text/csv', 'application/vnd.ms-excel', 'text/plain', 'text/tab-separated-values', '']);

/** Why a file cannot be imported (a key of `import`), or null when it may be sent. */
export function fileProblem(file: Pick<File, 'name' | 'size' | 'type'>): 'tooLarge' | 'notCsv' | null {
  if (file.size > MAX_IMPORT_BYTES) return 'tooLarge';
  if (!/\.(csv|txt|tsv)$/i.test(file.name) && !CSV_TYPES.has(file.type)) return 'notCsv';
  return null;
}

export function CsvDropzone({ onFile, disabled }: { onFile: (file: File) => void; disabled?: boolean }) {
  const { t } = useTranslation('products');
  const id = useId();
  const [dragging, setDragging] = useState(false);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file && !disabled) onFile(file);
  };

  return (
    <div
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      data-testid="csv-dropzone"
      className={cn(
        'relative flex flex-col items-center gap-3 rounded-lg border-2 border-dashed border-slate-300 bg-white p-6 text-center focus-within:border-brand-600',
        dragging && 'border-brand-600 bg-brand-50',
      )}
    >
      <FileUp aria-hidden="true" className="size-8 text-slate-400" />
      <p className="text-sm text-slate-700">{dragging ? t('import.dropActive') : t('import.drop')}</p>
      <input
        id={id}
        type="file"
        accept=".csv,.txt,.tsv,text/csv"
        aria-label={t('import.fileLabel')}
        disabled={disabled}
        className="peer sr-only"
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file) onFile(file);
          event.target.value = '';
        }}
      />
      {/* The visible button is the input's label: a click or Enter/Space on the focused input opens the file chooser. */}
      <label
        htmlFor={id}
        className={cn(
          buttonVariants({ variant: 'secondary' }),
          'cursor-pointer peer-focus-visible:ring-2 peer-focus-visible:ring-brand-600 peer-disabled:cursor-not-allowed peer-disabled:opacity-50',
        )}
      >
        {t('import.choose')}
      </label>
    </div>
  );
}
