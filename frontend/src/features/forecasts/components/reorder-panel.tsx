/**
 * The Reorder suggestions tab: search and "run-out alerts only" filters (in the URL), the list
 * paged by the API, and the purchase list as CSV with the same filters.
 */
import { Download } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { download } from '@orbit/shared/api/client';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { Pager } from '@orbit/shared/ui/data-table';
import { Checkbox, Field, Input } from '@orbit/shared/ui/field';
import { Empty, ErrorState, Loading, useErrorMessage } from '@orbit/shared/ui/states';
import { Card } from '@orbit/shared/ui/surfaces';
import { toast } from '@orbit/shared/ui/toast';
import { REORDER_PAGE_SIZE, reorderCsvParams, useReorderSuggestions, type ReorderQuery } from '../api';
import { ReorderTable } from './reorder-table';

const SEARCH_DELAY_MS = 300;

export interface ReorderFilters {
  q?: string;
  alert?: boolean;
  offset?: number;
}

export function ReorderPanel({ filters, onChange }: { filters: ReorderFilters; onChange: (patch: ReorderFilters) => void }) {
  const { t } = useTranslation('forecasts');
  const format = useFormat();
  const errorMessage = useErrorMessage();
  const [text, setText] = useState(filters.q ?? '');
  const [downloading, setDownloading] = useState(false);
  const query: ReorderQuery = { search: filters.q?.trim() || undefined, at_risk: filters.alert || undefined, offset: filters.offset ?? 0 };
  const suggestions = useReorderSuggestions(query);

  // The search box writes to the URL once typing pauses; the URL is the source of truth.
  useEffect(() => {
    if (text.trim() === (filters.q ?? '').trim()) return;
    const timer = setTimeout(() => onChange({ q: text.trim() || undefined, offset: undefined }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, filters.q, onChange]);

  const downloadCsv = async () => {
    setDownloading(true);
    try {
      await download('/api/v1/reorder-suggestions.csv', reorderCsvParams(query));
    } catch (error) {
      toast(t('reorder.downloadFailed'), { tone: 'error', description: errorMessage(error) });
    } finally {
      setDownloading(false);
    }
  };

  const page = suggestions.data;
  return (
    <div className="space-y-4">
      <Card className="flex flex-col gap-3 sm:flex-row sm:flex-wrap sm:items-end">
        <Field label={t('reorder.search')} className="sm:w-72">
          {(control) => <Input {...control} type="search" placeholder={t('reorder.searchPlaceholder')} value={text} onChange={(event) => setText(event.target.value)} />}
        </Field>
        <Checkbox label={t('reorder.alertOnly')} checked={filters.alert ?? false} onChange={(event) => onChange({ alert: event.target.checked || undefined, offset: undefined })} className="sm:pb-2.5" />
        <Button variant="secondary" className="sm:ml-auto" onClick={() => void downloadCsv()} disabled={downloading || page?.run_id == null}>
          <Download aria-hidden="true" />
          {downloading ? t('reorder.downloading') : t('reorder.download')}
        </Button>
      </Card>
      {suggestions.isPending ? (
        <Loading />
      ) : suggestions.isError ? (
        <ErrorState error={suggestions.error} onRetry={() => void suggestions.refetch()} />
      ) : page?.run_id == null ? (
        <Empty title={t('reorder.noRun')}>{t('reorder.noRunHint')}</Empty>
      ) : (
        <>
          <p className="text-sm text-slate-600">{t('reorder.asOf', { date: format.calendarDate(page.as_of), level: format.percent(page.service_level, 1) })}</p>
          <ReorderTable items={page.items} today={page.as_of} empty={<Empty title={t('reorder.empty')} />} />
          <Pager offset={page.offset} count={page.items.length} nextOffset={page.next_offset} limit={REORDER_PAGE_SIZE} onOffset={(offset) => onChange({ offset })} />
        </>
      )}
    </div>
  );
}
