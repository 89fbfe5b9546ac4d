/**
 * The queue, visible: every document with its state (queued, sending, will retry, applied,
 * applied with conflict, rejected with the server's reason), what the coordinator is doing, a
 * button to send now, and the last resort — export the unsent documents to a file, import such a
 * file from another till. Read-only in a mirror tab.
 */
import { Download, Send, Upload } from 'lucide-react';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { ConfirmDialog } from '@orbit/shared/ui/confirm-dialog';
import { Loading } from '@orbit/shared/ui/states';
import { Badge, Card } from '@orbit/shared/ui/surfaces';
import { toast } from '@orbit/shared/ui/toast';
import { useLive, useRuntime } from '../../lib/hooks';
import { runtime } from '../../lib/runtime';
import type { OutboxEntry } from '../../offline/db';
import { QueueFileError, exportQueue, importQueue } from '../../offline/queue-file';
import './i18n';

const SHOWN = 300;

type Shown = 'pending' | 'syncing' | 'retrying' | 'applied' | 'applied_with_conflict' | 'rejected';

function shownState(entry: OutboxEntry): Shown {
  if (entry.state === 'acknowledged') return entry.outcome === 'applied_with_conflict' ? 'applied_with_conflict' : 'applied';
  if (entry.state === 'dead_letter') return 'rejected';
  return entry.state;
}

const TONES: Record<Shown, 'neutral' | 'ok' | 'warn' | 'danger' | 'brand'> = {
  pending: 'neutral',
  syncing: 'brand',
  retrying: 'warn',
  applied: 'ok',
  applied_with_conflict: 'warn',
  rejected: 'danger',
};

function download(name: string, text: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

function Detail({ entry }: { entry: OutboxEntry }) {
  if (entry.state === 'dead_letter') return <span className="text-red-800">{`${entry.result?.message ?? ''} (${entry.result?.code ?? ''})`}</span>;
  if (entry.outcome === 'applied_with_conflict') return <span className="text-amber-900">{(entry.result?.conflicts ?? []).map((conflict) => conflict.message).join(' · ')}</span>;
  if (entry.state === 'retrying' && entry.last_error) return <span className="text-slate-600">{entry.last_error}</span>;
  return null;
}

export function QueueScreen({ readOnly = false }: { readOnly?: boolean }) {
  const { t } = useTranslation('queue');
  const format = useFormat();
  const state = useRuntime();
  const entries = useLive(
    () =>
      runtime.db.outbox
        .reverse()
        .sortBy('created_at')
        .then((rows) => rows.slice(0, SHOWN)),
    [],
  );
  const devices = useLive(() => runtime.db.devices.toArray(), []);
  const [exporting, setExporting] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const sync = state.sync;
  const phaseText = t(`phase.${sync.phase}`, { message: sync.message ?? '', time: sync.next_attempt_at ? format.time(sync.next_attempt_at) : '' });
  const foreign = new Map((devices ?? []).filter((device) => device.id !== state.device?.id).map((device) => [device.id, device.name]));

  const doExport = async () => {
    setExporting(false);
    if (!state.organization) return;
    const file = await exportQueue(runtime.db, state.organization.id);
    const count = file.queues.reduce((sum, queue) => sum + queue.documents.length, 0);
    if (!count) {
      toast(t('nothingToExport'), { tone: 'info' });
      return;
    }
    download(`orbit-pos-queue-${state.device?.register_code ?? 'till'}-${file.exported_at.slice(0, 19).replace(/[:T]/g, '-')}.json`, JSON.stringify(file, null, 1));
    toast(t('exported', { count }));
  };

  const doImport = async (files: FileList | null) => {
    const file = files?.[0];
    if (!file || !state.organization) return;
    try {
      const count = await importQueue(runtime.db, await file.text(), state.organization.id);
      toast(t('imported', { count }));
      runtime.kick('manual');
    } catch (error) {
      const reason = error instanceof QueueFileError ? t(`reasons.${error.reason}`) : String(error);
      toast(t('importFailed', { reason }), { tone: 'error' });
    } finally {
      if (fileRef.current) fileRef.current.value = '';
    }
  };

  return (
    <div className="mx-auto max-w-6xl space-y-4">
      <div>
        <h1 className="text-xl font-semibold">{t('title')}</h1>
        <p className="text-sm text-slate-600">{t('intro')}</p>
      </div>
      <Card className="flex flex-wrap items-center gap-3">
        <div className="min-w-64 flex-1">
          <p className="font-semibold" data-testid="queue-summary">
            {state.unsynced ? t('waiting', { count: state.unsynced }) : t('allSent')}
          </p>
          <p role="status" className="text-sm text-slate-600">
            {phaseText}
            {sync.last_success_at ? ` · ${t('lastSent', { time: format.time(sync.last_success_at) })}` : ''}
          </p>
        </div>
        {readOnly ? null : (
          <div className="flex flex-wrap gap-2">
            <Button size="lg" onClick={() => runtime.kick('manual')} disabled={!state.unsynced || !state.online}>
              <Send aria-hidden="true" />
              {t('sendNow')}
            </Button>
            <Button variant="secondary" size="lg" onClick={() => setExporting(true)}>
              <Download aria-hidden="true" />
              {t('export')}
            </Button>
            <Button variant="secondary" size="lg" onClick={() => fileRef.current?.click()}>
              <Upload aria-hidden="true" />
              {t('import')}
            </Button>
            <input
              ref={fileRef}
              type="file"
              accept="application/json,.json"
              className="sr-only"
              aria-label={t('import')}
              tabIndex={-1}
              onChange={(event) => void doImport(event.target.files)}
            />
          </div>
        )}
      </Card>
      <Card className="p-0">
        {entries === undefined ? (
          <Loading />
        ) : !entries.length ? (
          <p className="p-4 text-sm text-slate-600">{t('empty')}</p>
        ) : (
          <div className="overflow-x-auto" role="region" aria-label={t('title')} tabIndex={0}>
            <table className="w-full text-sm">
              <thead className="bg-slate-50 text-left text-slate-600">
                <tr>
                  <th className="px-3 py-2 font-medium">{t('seq')}</th>
                  <th className="px-3 py-2 font-medium">{t('kind')}</th>
                  <th className="px-3 py-2 font-medium">{t('what')}</th>
                  <th className="px-3 py-2 text-right font-medium">{t('amount')}</th>
                  <th className="px-3 py-2 font-medium">{t('when')}</th>
                  <th className="px-3 py-2 font-medium">{t('state')}</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => {
                  const shown = shownState(entry);
                  return (
                    <tr key={`${entry.device_id}:${entry.seq}`} className="border-t border-slate-100 align-top" data-testid="queue-row" data-state={shown} data-kind={entry.kind}>
                      <td className="px-3 py-2 tabular-nums">{entry.seq}</td>
                      <td className="px-3 py-2">
                        {t(`kinds.${entry.kind}`)}
                        {foreign.has(entry.device_id) ? <span className="block text-xs text-slate-500">{t('otherDevice', { name: foreign.get(entry.device_id) })}</span> : null}
                      </td>
                      <td className="px-3 py-2 font-mono">
                        {entry.result?.invoice_number && entry.result.invoice_number !== entry.label ? `${entry.label} → ${entry.result.invoice_number}` : entry.label}
                      </td>
                      <td className="px-3 py-2 text-right tabular-nums">{entry.amount === undefined ? '' : format.money(entry.amount)}</td>
                      <td className="px-3 py-2 whitespace-nowrap">{format.time(entry.created_at)}</td>
                      <td className="px-3 py-2">
                        <Badge tone={TONES[shown]}>{t(`states.${shown}`)}</Badge>
                        <p className="mt-1 text-xs">
                          <Detail entry={entry} />
                        </p>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <ConfirmDialog
        open={exporting}
        onOpenChange={setExporting}
        title={t('exportTitle')}
        description={t('exportBody')}
        confirmLabel={t('exportConfirm')}
        tone="primary"
        onConfirm={() => void doExport()}
      />
    </div>
  );
}
