/**
 * CSV downloads of the reports screen. A period of up to `DIRECT_DOWNLOAD_DAYS` days downloads at
 * once (`/api/v1/reports/{key}.csv`). A longer one is exported as a job
 * (`POST /api/v1/reports/exports`): the server's worker writes the file while the page shows its
 * progress from the `reports` topic's events (`export.progress`, `export.ready`, …), reading the
 * export over REST as well in case an event is missed, and the file downloads when it is ready.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Download } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, download, unwrap, type Schemas } from '@orbit/shared/api/client';
import { Button } from '@orbit/shared/ui/button';
import { useErrorMessage } from '@orbit/shared/ui/states';
import { toast } from '@orbit/shared/ui/toast';
import { useRealtimeEvent } from '../../lib/realtime';
import { csvPath, reportParams, takesPeriod, TOP_PRODUCTS_LIMIT, type ReportKey, type ReportQuery } from './report-catalog';

export type ReportExport = Schemas['ExportRead'];
type ExportableReport = Schemas['ExportCreate']['report'];

/** Longer periods than this (a quarter) are exported as a job. */
export const DIRECT_DOWNLOAD_DAYS = 92;

export function periodDays(query: ReportQuery): number {
  return Math.round((Date.parse(`${query.until}T00:00:00Z`) - Date.parse(`${query.since}T00:00:00Z`)) / 86_400_000);
}

export function exportsAsJob(key: ReportKey, query: ReportQuery): boolean {
  return takesPeriod(key) && periodDays(query) > DIRECT_DOWNLOAD_DAYS;
}

const exportKey = (id: string) => ['reports', 'exports', id] as const;

function useExport(id: string | null) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: exportKey(id ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/reports/exports/{export_id}', { params: { path: { export_id: id ?? '' } } })),
    enabled: id !== null,
    // Events keep it current; the poll covers a missed event or a lost connection.
    refetchInterval: (state) => (state.state.data && ['ready', 'failed'].includes(state.state.data.status) ? false : 3_000),
  });
  useRealtimeEvent('reports', (event) => {
    const data = event.data as { export_id?: string; status?: ReportExport['status']; progress?: number; rows?: number | null; size?: number | null };
    if (!id || data.export_id !== id) return;
    queryClient.setQueryData<ReportExport>(exportKey(id), (current) =>
      current ? { ...current, status: data.status ?? current.status, progress: data.progress ?? current.progress, rows: data.rows ?? current.rows, size: data.size ?? current.size } : current,
    );
    if (data.status === 'ready' || data.status === 'failed') void queryClient.invalidateQueries({ queryKey: exportKey(id) });
  });
  return query;
}

/** The screen's "Download CSV" button, and the export in progress under it. */
export function ReportDownload({ report, query, disabled }: { report: ReportKey; query: ReportQuery; disabled: boolean }) {
  const { t } = useTranslation('reports');
  const errorMessage = useErrorMessage();
  const [busy, setBusy] = useState(false);
  const [exportId, setExportId] = useState<string | null>(null);
  const current = useExport(exportId);
  const data = current.data;
  const running = exportId !== null && (!data || data.status === 'queued' || data.status === 'running');

  const fetchExport = async (id: string) => {
    try {
      await download(`/api/v1/reports/exports/${id}/download`);
    } catch (error) {
      toast(t('downloadFailed'), { tone: 'error', description: errorMessage(error) });
    }
  };

  const start = async () => {
    setBusy(true);
    try {
      if (!exportsAsJob(report, query)) {
        await download(csvPath(report), reportParams(report, query));
        return;
      }
      const body = {
        report: report as ExportableReport,
        since: query.since,
        until: query.until,
        by: query.by ?? 'units',
        limit: TOP_PRODUCTS_LIMIT,
      };
      const created = await unwrap(api.POST('/api/v1/reports/exports', { body }));
      setExportId(created.id);
    } catch (error) {
      toast(t('downloadFailed'), { tone: 'error', description: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="flex flex-col items-stretch gap-2 sm:items-end">
      <Button variant="secondary" onClick={() => void start()} disabled={disabled || busy || running}>
        <Download aria-hidden="true" />
        {busy ? t('downloading') : t('download')}
      </Button>
      {exportId ? (
        <div className="w-full max-w-xs text-sm sm:text-right" role="status" aria-live="polite" data-testid="report-export">
          {!data || data.status === 'queued' ? (
            <p className="text-slate-600">{t('export.queued')}</p>
          ) : data.status === 'running' ? (
            <>
              <p className="text-slate-600">{t('export.running', { progress: data.progress })}</p>
              <progress className="mt-1 h-2 w-full accent-brand-600" max={100} value={data.progress} aria-label={t('export.progressLabel')} />
            </>
          ) : data.status === 'ready' ? (
            <div className="flex flex-wrap items-center gap-2 sm:justify-end">
              <span className="text-slate-700">{t('export.ready', { count: data.rows ?? 0, rows: data.rows ?? 0 })}</span>
              <Button size="sm" onClick={() => void fetchExport(data.id)}>
                <Download aria-hidden="true" />
                {t('export.download')}
              </Button>
            </div>
          ) : (
            <p className="text-danger">{t('export.failed', { error: data.error })}</p>
          )}
        </div>
      ) : exportsAsJob(report, query) ? (
        <p className="max-w-xs text-xs text-slate-600 sm:text-right">{t('export.hint')}</p>
      ) : null}
    </div>
  );
}
