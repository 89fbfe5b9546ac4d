/**
 * The screen's view of runs at work, from the `predictions` topic of the page's one socket:
 * each event updates the live state (`applyForecastEvent`), and the moments that change what
 * the lists show (a run queued, started, finished or failed) refresh them, with a toast for the
 * end of a run. When the topic's history could not be replayed, everything is reloaded.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useReducer } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from '@orbit/shared/ui/toast';
import { useRealtimeEvent, useRealtimeReload } from '../../lib/realtime';
import { forecastKeys } from './api';
import { applyForecastEvent, type ForecastEvent, type LiveRuns } from './run-progress';

export function useForecastEvents(): LiveRuns {
  const { t } = useTranslation('forecasts');
  const queryClient = useQueryClient();
  const [live, dispatch] = useReducer((state: LiveRuns, event: ForecastEvent) => applyForecastEvent(state, event), {});

  useRealtimeEvent('predictions', (event) => {
    dispatch({ type: event.type, data: event.data });
    switch (event.type) {
      case 'forecast.queued':
      case 'forecast.started':
        void queryClient.invalidateQueries({ queryKey: ['forecasts', 'runs'] });
        break;
      case 'forecast.completed': {
        const products = event.data?.products;
        toast(t('runs.completed'), { description: typeof products === 'number' ? t('runs.completedDetail', { count: products }) : undefined });
        void queryClient.invalidateQueries({ queryKey: forecastKeys.all });
        break;
      }
      case 'forecast.failed':
        toast(t('runs.failed'), { tone: 'error', description: typeof event.data?.error === 'string' ? event.data.error : undefined });
        void queryClient.invalidateQueries({ queryKey: ['forecasts', 'runs'] });
        break;
    }
  });
  useRealtimeReload('predictions', () => void queryClient.invalidateQueries({ queryKey: forecastKeys.all }));
  return live;
}
