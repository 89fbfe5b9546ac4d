import { describe, expect, it } from 'vitest';
import type { Schemas } from '@orbit/shared/api/client';
import { activeRun, applyForecastEvent, type ForecastEvent, type LiveRuns } from './run-progress';

const event = (type: string, data: Record<string, unknown>): ForecastEvent => ({ type, data: { run_id: 'r1', ...data } });

function replay(events: ForecastEvent[], state: LiveRuns = {}): LiveRuns {
  return events.reduce(applyForecastEvent, state);
}

describe('live runs from the predictions topic', () => {
  it('follows a run from queued to succeeded with its stages', () => {
    const state = replay([
      event('forecast.queued', { trigger: 'manual' }),
      event('forecast.started', { attempt: 'first' }),
      event('forecast.progress', { stage: 'prepared', progress: 0.05 }),
      event('forecast.progress', { stage: 'backtested', progress: 0.6 }),
    ]);
    expect(state.r1).toMatchObject({ status: 'running', stage: 'backtested', progress: 0.6 });
    const done = applyForecastEvent(state, event('forecast.completed', { products: 120, status: 'succeeded' }));
    expect(done.r1).toMatchObject({ status: 'succeeded', progress: 1, products: 120, stage: 'backtested' });
  });

  it('never moves progress back within an attempt, and a retry starts over', () => {
    const state = replay([event('forecast.progress', { stage: 'fitted', progress: 0.85 }), event('forecast.progress', { stage: 'late', progress: 0.35 })]);
    expect(state.r1.progress).toBe(0.85);
    expect(applyForecastEvent(state, event('forecast.started', { attempt: 'retry' })).r1).toMatchObject({ status: 'running', progress: 0, stage: null });
  });

  it('keeps a failure and its error; a late progress event does not reopen it', () => {
    const failed = replay([event('forecast.started', {}), event('forecast.failed', { error: 'ValueError: no history' })]);
    expect(failed.r1).toMatchObject({ status: 'failed', error: 'ValueError: no history' });
    expect(applyForecastEvent(failed, event('forecast.progress', { progress: 0.9 }))).toBe(failed);
  });

  it('ignores other events, events without a run id and out-of-range numbers', () => {
    const state = replay([event('forecast.progress', { progress: 7 })]);
    expect(state.r1.progress).toBe(1);
    expect(applyForecastEvent(state, { type: 'sale.created', data: { run_id: 'r1' } })).toBe(state);
    expect(applyForecastEvent(state, { type: 'forecast.progress', data: null })).toBe(state);
  });
});

describe('the active run', () => {
  const run = (id: string, status: Schemas['RunRead']['status']) => ({ id, status }) as Schemas['RunRead'];

  it('is the listed queued or running run, with what the events said about it', () => {
    const live = replay([event('forecast.progress', { stage: 'prepared', progress: 0.05 })]);
    expect(activeRun([run('r1', 'running'), run('r0', 'succeeded')], live)).toMatchObject({ runId: 'r1', progress: 0.05 });
    expect(activeRun([run('r2', 'queued')], {})).toMatchObject({ runId: 'r2', status: 'queued', progress: 0 });
  });

  it('is none when the events finished it before the list was reloaded, or nothing works', () => {
    const live = replay([event('forecast.completed', {})]);
    expect(activeRun([run('r1', 'running')], live)).toBeNull();
    expect(activeRun([run('r0', 'succeeded')], {})).toBeNull();
  });

  it('is a run the events announced before the list knows it', () => {
    expect(activeRun([], replay([event('forecast.queued', {})]))).toMatchObject({ runId: 'r1', status: 'queued' });
  });
});
