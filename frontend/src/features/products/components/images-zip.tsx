/**
 * Photos for many products at once, on the import page: a zip of photos named by SKU
 * (`ABC-123.jpg`). Choosing it checks it at once (a dry run, nothing stored): how many photos
 * would be set and every file that can't be used, with the reason. Then one button stores the
 * usable ones (the others are skipped and listed again).
 */
import { FileArchive, Images } from 'lucide-react';
import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '@orbit/shared/api/problem';
import { Button } from '@orbit/shared/ui/button';
import { FormError, Loading } from '@orbit/shared/ui/states';
import { Card, CardTitle } from '@orbit/shared/ui/surfaces';
import { toast } from '@orbit/shared/ui/toast';
import { MAX_IMAGE_ZIP_BYTES, useImportProductImages, type ImageImportReport } from '../api';

interface FileProblem {
  file: string;
  message: string;
}

/** The files a refused zip names (`loc: ["body", <file>]`), or none. */
function refusedFiles(error: unknown): FileProblem[] {
  if (!(error instanceof ApiError)) return [];
  return (error.problem.errors ?? []).flatMap((entry) => (entry.loc.length === 2 && entry.loc[0] === 'body' ? [{ file: String(entry.loc[1]), message: entry.msg }] : []));
}

function Problems({ problems }: { problems: FileProblem[] }) {
  const { t } = useTranslation('products');
  if (!problems.length) return null;
  return (
    <div>
      <p className="text-sm font-medium text-slate-900">{t('imagesZip.problems', { count: problems.length })}</p>
      <ul className="mt-1 max-h-64 list-disc space-y-0.5 overflow-y-auto pl-5 text-sm text-red-800">
        {problems.map((problem) => (
          <li key={problem.file}>
            <span className="font-mono">{problem.file}</span>: {problem.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ImagesZipImport() {
  const { t } = useTranslation('products');
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const check = useImportProductImages();
  const run = useImportProductImages();
  const [file, setFile] = useState<File | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const checked: ImageImportReport | undefined = check.data;
  const done: ImageImportReport | undefined = run.data;
  const busy = check.isPending || run.isPending;

  const choose = (chosen: File | undefined) => {
    if (!chosen) return;
    run.reset();
    check.reset();
    setFile(chosen);
    if (!chosen.name.toLowerCase().endsWith('.zip')) return setRefused(t('imagesZip.notZip'));
    if (chosen.size > MAX_IMAGE_ZIP_BYTES) return setRefused(t('imagesZip.tooLarge'));
    setRefused(null);
    check.mutate({ file: chosen, dryRun: true, skipInvalid: true });
  };
  const start = () => {
    if (!file || !checked) return;
    run.mutate(
      { file, dryRun: false, skipInvalid: checked.skipped > 0 },
      { onSuccess: (report) => toast(t('imagesZip.done', { count: report.updated })) },
    );
  };
  const report = done ?? checked;
  const failure = run.error ?? check.error;

  return (
    <Card className="mt-6">
      <CardTitle>{t('imagesZip.title')}</CardTitle>
      <p className="mt-1 text-sm text-slate-600">{t('imagesZip.description')}</p>
      <div className="mt-3 flex flex-wrap items-center gap-3">
        <label htmlFor={inputId} className="sr-only">
          {t('imagesZip.fileLabel')}
        </label>
        <input
          ref={input}
          id={inputId}
          type="file"
          accept=".zip,application/zip"
          disabled={busy}
          className="sr-only"
          tabIndex={-1}
          onChange={(event) => {
            choose(event.target.files?.[0]);
            event.target.value = '';
          }}
        />
        <Button variant="secondary" disabled={busy} onClick={() => input.current?.click()}>
          <FileArchive aria-hidden="true" />
          {t('imagesZip.choose')}
        </Button>
        {file ? <span className="text-sm text-slate-700">{file.name}</span> : null}
      </div>
      <div aria-live="polite" className="mt-3 space-y-3">
        {refused ? <FormError error={new Error(refused)} /> : null}
        {check.isPending ? <Loading label={t('imagesZip.checking')} /> : null}
        {run.isPending ? <Loading label={t('imagesZip.storing')} /> : null}
        {failure ? (
          <>
            <FormError error={failure} />
            <Problems problems={refusedFiles(failure)} />
          </>
        ) : null}
        {report && !busy ? (
          <>
            <p className="text-sm text-slate-800" data-testid="images-zip-summary">
              {done ? t('imagesZip.stored', { count: done.updated, unchanged: done.unchanged }) : t('imagesZip.wouldSet', { count: report.updated, files: report.files })}
            </p>
            <Problems problems={report.errors} />
            {!done && checked && checked.updated > 0 ? (
              <Button onClick={start}>
                <Images aria-hidden="true" />
                {t('imagesZip.store', { count: checked.updated })}
              </Button>
            ) : null}
          </>
        ) : null}
      </div>
    </Card>
  );
}
