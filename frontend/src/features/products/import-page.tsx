/**
 * The CSV import (/products/import). Choosing (or dropping) a file checks it at once with a dry
 * run that writes nothing: the counts of what would change and a table of every bad row. Then
 * one button imports it: the whole file, or, when some rows are bad, the valid rows only (the
 * server skips the bad ones and lists them again). A template with the server's columns is
 * generated here, in the tenant's currency. Below, photos for many products from a zip named by
 * SKU (`components/images-zip.tsx`).
 */
import { Link } from '@tanstack/react-router';
import { ArrowLeft, FileDown } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '@orbit/shared/api/problem';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { FormError, Loading } from '@orbit/shared/ui/states';
import { Card, CardTitle, PageHeader } from '@orbit/shared/ui/surfaces';
import { toast } from '@orbit/shared/ui/toast';
import { useImportProducts, type ImportReport } from './api';
import { CsvDropzone, fileProblem } from './components/csv-dropzone';
import { ImagesZipImport } from './components/images-zip';
import { ImportCounts, ImportErrorsTable, useImportProblemText } from './components/import-report';
import { exampleAmount, IMPORT_COLUMNS, problemImportErrors, REQUIRED_COLUMNS, templateCsv } from './csv-import';
import './i18n';

function TemplateLink() {
  const { t } = useTranslation('products');
  const { locality } = useFormat();
  const csv = templateCsv(locality.currency, { name: t('import.templateName'), category: t('import.templateCategory'), unit: t('import.templateUnit') });
  return (
    <div className="space-y-1">
      <Button asChild variant="link" className="h-auto px-0">
        <a href={`data:text/csv;charset=utf-8,${encodeURIComponent(csv)}`} download="products-template.csv">
          <FileDown aria-hidden="true" />
          {t('import.template')}
        </a>
      </Button>
      <p className="text-xs text-slate-600">
        {t('import.templateHint', {
          columns: IMPORT_COLUMNS.join(', '),
          required: REQUIRED_COLUMNS.join(', '),
          currency: locality.currency,
          example: exampleAmount(19.9, locality.currency),
        })}
      </p>
    </div>
  );
}

/** A refused file (422 without row reports: missing columns, empty, too many rows) and its bad rows, if any. */
function RefusedFile({ error }: { error: unknown }) {
  const problemText = useImportProblemText();
  if (!(error instanceof ApiError)) return <FormError error={error} />;
  const { cells, file } = problemImportErrors(error.problem);
  return (
    <div className="space-y-3">
      <FormError error={error} />
      {file.length > 0 ? (
        <ul className="list-disc pl-5 text-sm text-red-800">
          {file.map((message) => (
            <li key={message}>{problemText(message)}</li>
          ))}
        </ul>
      ) : null}
      {cells.length > 0 ? <ImportErrorsTable errors={cells} /> : null}
    </div>
  );
}

function validRows(report: ImportReport): number {
  return report.created + report.updated + report.unchanged;
}

export function ImportPage() {
  const { t } = useTranslation('products');
  const format = useFormat();
  const check = useImportProducts();
  const run = useImportProducts();
  const [file, setFile] = useState<File | null>(null);
  const [refused, setRefused] = useState<string | null>(null);

  const choose = (chosen: File) => {
    run.reset();
    const problem = fileProblem(chosen);
    setRefused(problem ? t(`import.${problem}`) : null);
    setFile(problem ? null : chosen);
    if (problem) check.reset();
    else check.mutate({ file: chosen, dryRun: true, skipInvalid: true });
  };

  const start = () => {
    if (!file || !check.data) return;
    run.mutate(
      { file, dryRun: false, skipInvalid: check.data.skipped > 0 },
      { onSuccess: (report) => toast(t('import.summaryTitle'), { description: t('import.imported', { created: report.created, updated: report.updated }) }) },
    );
  };

  const checked = check.data;
  const done = run.data;
  const busy = check.isPending || run.isPending;
  return (
    <>
      <Link to="/products" className="mb-2 inline-flex items-center gap-1 text-sm text-brand-700 hover:underline">
        <ArrowLeft aria-hidden="true" className="size-4" />
        {t('import.back')}
      </Link>
      <PageHeader title={t('import.title')} description={t('import.description')} />
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
        <div className="space-y-3 lg:col-span-2">
          <CsvDropzone onFile={choose} disabled={busy} />
          {file ? (
            <p className="text-sm text-slate-700">{t('import.chosen', { name: file.name, size: `${format.number(Math.ceil(file.size / 1024))} KB` })}</p>
          ) : null}
          {refused ? <FormError error={new Error(refused)} /> : null}
        </div>
        <Card>
          <TemplateLink />
        </Card>
      </div>

      <section aria-live="polite" className="mt-6 space-y-4">
        {check.isPending ? <Loading label={t('import.checking')} /> : null}
        {run.isPending ? <Loading label={t('import.importing')} /> : null}
        {check.isError ? <RefusedFile error={check.error} /> : null}
        {run.isError ? <RefusedFile error={run.error} /> : null}

        {done ? (
          <Card>
            <CardTitle>{t('import.summaryTitle')}</CardTitle>
            <div className="mt-3">
              <ImportCounts report={done} />
            </div>
            <div className="mt-4 flex flex-wrap gap-2">
              <Button asChild>
                <Link to="/products">{t('import.view')}</Link>
              </Button>
            </div>
          </Card>
        ) : checked && !run.isPending ? (
          <Card>
            <CardTitle>{t('import.checked')}</CardTitle>
            <div className="mt-3">
              <ImportCounts report={checked} />
            </div>
            <div className="mt-4 flex flex-wrap items-center gap-2">
              {validRows(checked) > 0 ? (
                <Button onClick={start} disabled={busy}>
                  {checked.skipped > 0 ? t('import.importValid', { count: validRows(checked) }) : t('import.importAll', { count: checked.rows })}
                </Button>
              ) : (
                <p className="text-sm text-red-800">{t('import.noValidRows')}</p>
              )}
            </div>
          </Card>
        ) : null}

        {(done ?? checked)?.errors.length ? (
          <Card>
            <CardTitle>{t('import.errorsTitle')}</CardTitle>
            <p className="mt-1 text-sm text-slate-600">{done ? t('import.errorsSkipped') : t('import.errorsHint')}</p>
            <div className="mt-3">
              <ImportErrorsTable errors={(done ?? checked)!.errors} />
            </div>
          </Card>
        ) : null}
      </section>
      <ImagesZipImport />
    </>
  );
}
