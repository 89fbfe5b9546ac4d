/**
 * What the `predictions` topic says about runs while they work (docs/forecasting.md, "Events"):
 * `forecast.queued`, `forecast.started` (`attempt`), `forecast.progress` (`stage`, `progress`
 * 0–1), `forecast.completed` (`products`, `metrics`) and `forecast.failed` (`error`), each with
 * the `run_id`. A pure reducer, so the screen's live state is tested without a socket.
 *
 * Invariants: a run's progress never goes back within one attempt (a retry starts again from
 * zero); a finished run (succeeded or failed) is not reopened by a late progress event; events
 * of other types or without a run id leave the state as it was.
 */
import type { Schemas } from '@orbit/shared/api/client';

export type RunStatus = Schemas['RunRead']['status'];

export interface LiveRun {
  runId: string;
  status: RunStatus;
  /** The stage the worker reported last (`prepared`, `backtest model`, …), if any. */
  stage: string | null;
  /** 0–1; 1 once succeeded. */
  progress: number;
  error: string | null;
  products: number | null;
}

export type LiveRuns = Readonly<Record<string, LiveRun>>;

export interface ForecastEvent {
  type: string;
  data: Record<string, unknown> | null;
}

const FINISHED: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed']);

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function fraction(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : null;
}

function fresh(runId: string, status: RunStatus): LiveRun {
  return { runId, status, stage: null, progress: 0, error: null, products: null };
}

export function applyForecastEvent(state: LiveRuns, event: ForecastEvent): LiveRuns {
  const runId = text(event.data?.run_id);
  if (!runId || !event.type.startsWith('forecast.')) return state;
  const current = state[runId];
  const data = event.data ?? {};
  let next: LiveRun;
  switch (event.type) {
    case 'forecast.queued':
      if (current) return state;
      next = fresh(runId, 'queued');
      break;
    case 'forecast.started':
      next = data.attempt === 'retry' || !current ? fresh(runId, 'running') : { ...current, status: 'running' };
      break;
    case 'forecast.progress': {
      if (current && FINISHED.has(current.status)) return state;
      const base = current ?? fresh(runId, 'running');
      next = { ...base, status: 'running', stage: text(data.stage) ?? base.stage, progress: Math.max(base.progress, fraction(data.progress) ?? 0) };
      break;
    }
    case 'forecast.completed':
      next = { ...(current ?? fresh(runId, 'succeeded')), status: 'succeeded', progress: 1, products: typeof data.products === 'number' ? data.products : null };
      break;
    case 'forecast.failed':
      next = { ...(current ?? fresh(runId, 'failed')), status: 'failed', error: text(data.error) };
      break;
    default:
      return state;
  }
  return { ...state, [runId]: next };
}

/** The run working now: the live one if events said so, else the list's queued or running run. */
export function activeRun(runs: readonly Schemas['RunRead'][], live: LiveRuns): LiveRun | null {
  const listed = runs.find((run) => run.status === 'queued' || run.status === 'running');
  const liveActive = Object.values(live).find((run) => !FINISHED.has(run.status));
  if (listed) {
    const known = live[listed.id];
    if (known && FINISHED.has(known.status)) return null; // the list is older than the event
    return known ?? fresh(listed.id, listed.status);
  }
  return liveActive ?? null;
}
