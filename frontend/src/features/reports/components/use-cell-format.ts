/**
 * How each kind of report value is written for a person: money in the tenant currency, dates
 * in its zone, counts in its locale, names of payment methods and statuses in their language.
 * The chart's axis and tooltip and the table use the same writer, so they never disagree.
 */
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import type { CellKind, CellValue } from '../report-shapes';

/** Kinds whose values are numbers, right-aligned in tables. */
export const NUMERIC_KINDS: ReadonlySet<CellKind> = new Set(['money', 'count', 'basisPoints']);

export function hourLabel(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}

export function useCellFormat(): (kind: CellKind, value: CellValue) => string {
  const { t } = useTranslation('reports');
  const format = useFormat();
  return useCallback(
    (kind, value) => {
      if (kind === 'category' && value === null) return t('uncategorized');
      if (value === null || value === '') return '—';
      switch (kind) {
        case 'money':
          return format.money(Number(value));
        case 'count':
          return format.number(Number(value));
        case 'basisPoints':
          return format.percent(Number(value) / 10_000);
        case 'date':
          return format.calendarDate(String(value));
        case 'dateTime':
          return format.dateTime(String(value));
        case 'hour':
          return hourLabel(Number(value));
        case 'paymentMethod':
          return t(`methods.${value}`, { defaultValue: String(value) });
        case 'shiftStatus':
          return t(`shiftStatus.${value}`, { defaultValue: String(value) });
        default:
          return String(value);
      }
    },
    [t, format],
  );
}
