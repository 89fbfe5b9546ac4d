/**
 * One audit entry: when, who, from where, and its before/after snapshots side by side, the
 * fields that changed, appeared or disappeared marked in words and colour.
 */
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { cn } from '@orbit/shared/ui/cn';
import { Dialog } from '@orbit/shared/ui/dialog';
import { Badge } from '@orbit/shared/ui/surfaces';
import type { AuditEntry } from '../api';
import { diffSnapshots, displayValue, type DiffKind } from '../audit-diff';
import { useEntityLabel } from './entity-label';

const ROW_TONE: Record<DiffKind, string> = { changed: 'bg-amber-50', added: 'bg-emerald-50', removed: 'bg-red-50', unchanged: '' };
const BADGE_TONE = { changed: 'warn', added: 'ok', removed: 'danger', unchanged: 'neutral' } as const;

export function AuditEntryDialog({ entry, actorName, onClose }: { entry: AuditEntry; actorName: (actorId: string | null) => string; onClose: () => void }) {
  const { t } = useTranslation('audit');
  const format = useFormat();
  const entityLabel = useEntityLabel();
  const rows = diffSnapshots(entry.before, entry.after);
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title={t('diff.title', { action: entry.action, entity: entityLabel(entry.entity) })}
      description={`${format.dateTime(entry.at)} · ${actorName(entry.actor_id)}${entry.ip ? ` · ${entry.ip}` : ''}`}
      closeLabel={t('common:close')}
      className="max-w-3xl"
    >
      <p className="mb-3 font-mono text-xs break-all text-slate-600">{entry.entity_id}</p>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600">{t('diff.nothing')}</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{t('diff.caption')}</caption>
            <thead className="border-b border-slate-200 bg-slate-50 text-xs text-slate-600 uppercase">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  {t('diff.field')}
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  {t('diff.before')}
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  {t('diff.after')}
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  {t('diff.change')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.path} data-change={row.kind} className={cn('border-b border-slate-100 align-top last:border-0', ROW_TONE[row.kind])}>
                  <th scope="row" className="px-3 py-2 font-mono text-xs font-medium text-slate-800">
                    {row.path}
                  </th>
                  <td className={cn('px-3 py-2 font-mono text-xs break-all', row.kind === 'changed' || row.kind === 'removed' ? 'text-red-800 line-through decoration-red-300' : 'text-slate-700')}>
                    {displayValue(row.before)}
                  </td>
                  <td className={cn('px-3 py-2 font-mono text-xs break-all', row.kind === 'changed' || row.kind === 'added' ? 'font-semibold text-emerald-900' : 'text-slate-700')}>
                    {displayValue(row.after)}
                  </td>
                  <td className="px-3 py-2">
                    <Badge tone={BADGE_TONE[row.kind]}>{t(`diff.kinds.${row.kind}`)}</Badge>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Dialog>
  );
}
