import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '@orbit/shared/api/problem';

/**
 * One query cache for the app. Client errors (4xx) are not retried: asking again gets the same
 * answer. Data stays fresh for 30 s; live screens update their cache from `/ws` events instead
 * of polling.
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 2,
    },
    mutations: { retry: false },
  },
});
