/** The reports screen's queries: one report over one period, cached per report and query. */
import { useQuery } from '@tanstack/react-query';
import { fetchReport, type ReportKey, type ReportQuery } from './report-catalog';

export function useReport(key: ReportKey, query: ReportQuery, enabled: boolean) {
  return useQuery({
    queryKey: ['reports', key, query],
    queryFn: () => fetchReport(key, query),
    enabled,
    // Switching the period keeps the last answer on screen until the next arrives.
    placeholderData: (previous) => (previous?.key === key ? previous : undefined),
  });
}

