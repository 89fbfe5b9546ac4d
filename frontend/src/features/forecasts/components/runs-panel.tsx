/**
 * The Runs tab: start a run, watch the one at work (live), see the failure of the last one, and
 * the list of runs with their scores.
 */
import { Play } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { Pager } from '@orbit/shared/ui/data-table';
import { Empty, ErrorState, Loading } from '@orbit/shared/ui/states';
import { RUNS_PAGE_SIZE, useRuns } from '../api';
import { activeRun, type LiveRuns } from '../run-progress';
import { RunFailedCard, RunProgressCard } from './run-progress-card';
import { RunsTable } from './runs-table';
import { StartRunDialog } from './start-run-dialog';

export function RunsPanel({ live }: { live: LiveRuns }) {
  const { t } = useTranslation('forecasts');
  const [offset, setOffset] = useState(0);
  const [starting, setStarting] = useState(false);
  const runs = useRuns(offset);
  const items = runs.data?.items ?? [];
  const working = activeRun(offset === 0 ? items : [], live);
  // A failure the events reported while this page was open, if no later run started since.
  const failed = Object.values(live).find((run) => run.status === 'failed' && items[0]?.id === run.runId);

  return (
    <div>
      <div className="mb-4 flex justify-end">
        <Button onClick={() => setStarting(true)} disabled={working !== null}>
          <Play aria-hidden="true" />
          {t('runs.start')}
        </Button>
      </div>
      {working ? <RunProgressCard run={working} /> : null}
      {failed && !working ? <RunFailedCard run={failed} /> : null}
      {runs.isPending ? (
        <Loading />
      ) : runs.isError ? (
        <ErrorState error={runs.error} onRetry={() => void runs.refetch()} />
      ) : items.length === 0 && offset === 0 ? (
        <Empty title={t('runs.empty')}>{t('runs.emptyHint')}</Empty>
      ) : (
        <>
          <RunsTable runs={items} />
          <Pager offset={offset} count={items.length} nextOffset={runs.data.next_offset} limit={RUNS_PAGE_SIZE} onOffset={setOffset} />
        </>
      )}
      <StartRunDialog open={starting} onOpenChange={setStarting} />
    </div>
  );
}
