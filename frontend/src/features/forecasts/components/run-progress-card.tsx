/**
 * The run working now, live from the `predictions` topic: its stage in words and a progress
 * bar (indeterminate while it waits for a worker); and the last run's failure, if it failed.
 */
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Card } from '@orbit/shared/ui/surfaces';
import type { LiveRun } from '../run-progress';

export function RunProgressCard({ run }: { run: LiveRun }) {
  const { t } = useTranslation('forecasts');
  const format = useFormat();
  const percent = Math.round(run.progress * 100);
  const waiting = run.status === 'queued';
  const stage = run.stage ? t(`runs.stages.${run.stage}`, { defaultValue: run.stage }) : null;
  return (
    <Card className="mb-4 border-brand-100 bg-brand-50" data-testid="run-progress" aria-live="polite">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <p className="font-medium text-brand-700">{t('runs.working')}</p>
        <p className="text-sm text-slate-700">
          {waiting ? t('runs.queued') : stage ? t('runs.stageLabel', { stage }) : t('runs.status.running')}
          {waiting ? null : ` · ${format.percent(run.progress, 0)}`}
        </p>
      </div>
      <div
        role="progressbar"
        aria-label={t('runs.progress')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={waiting ? undefined : percent}
        aria-valuetext={waiting ? t('runs.queued') : `${percent} %${stage ? ` · ${stage}` : ''}`}
        className="mt-3 h-2 overflow-hidden rounded-full bg-white"
      >
        <div className={waiting ? 'h-full w-1/3 animate-pulse rounded-full bg-brand-500' : 'h-full rounded-full bg-brand-600 transition-[width] duration-500'} style={waiting ? undefined : { width: `${Math.max(percent, 3)}%` }} />
      </div>
    </Card>
  );
}

export function RunFailedCard({ run }: { run: LiveRun }) {
  const { t } = useTranslation('forecasts');
  return (
    <div role="alert" className="mb-4 rounded-lg border border-red-200 bg-red-50 p-4">
      <p className="font-medium text-red-800">{t('runs.failedTitle')}</p>
      {run.error ? <p className="mt-1 text-sm break-words text-red-700">{run.error}</p> : null}
    </div>
  );
}
