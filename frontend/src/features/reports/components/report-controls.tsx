/**
 * The report picker and its period: a preset or two calendar dates of the shop's zone. Every
 * choice goes to the URL (the page passes `onChange`); the controls hold no state of their own
 * except whether the person asked to type dates.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Card } from '@orbit/shared/ui/surfaces';
import { Field, Input, NativeSelect } from '@orbit/shared/ui/field';
import { PRESETS, isCalendarDate, presetOf, presetRange, rangeProblem, type DateRange, type PresetChoice } from '../date-range';
import { REPORT_KEYS, isReportKey, takesPeriod, type ReportKey, type TopProductsRanking } from '../report-catalog';

export interface ReportChoice {
  report: ReportKey;
  range: DateRange;
  by: TopProductsRanking;
}

export function ReportControls({ choice, today, onChange }: { choice: ReportChoice; today: string; onChange: (patch: Partial<ReportChoice>) => void }) {
  const { t } = useTranslation('reports');
  const derived = presetOf(choice.range, today);
  const [typing, setTyping] = useState(derived === 'custom');
  const preset: PresetChoice = typing ? 'custom' : derived;
  const problem = rangeProblem(choice.range);

  const choosePreset = (value: string) => {
    if (value === 'custom') {
      setTyping(true);
      return;
    }
    setTyping(false);
    const chosen = PRESETS.find((candidate) => candidate === value);
    if (chosen) onChange({ range: presetRange(chosen, today) });
  };
  const chooseDate = (end: keyof DateRange, value: string) => {
    if (isCalendarDate(value)) onChange({ range: { ...choice.range, [end]: value } });
  };

  return (
    <Card aria-label={t('controls')} className="mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
      <Field label={t('report')}>
        {(control) => (
          <NativeSelect {...control} value={choice.report} onChange={(event) => isReportKey(event.target.value) && onChange({ report: event.target.value })}>
            {REPORT_KEYS.map((key) => (
              <option key={key} value={key}>
                {t(`names.${key}`)}
              </option>
            ))}
          </NativeSelect>
        )}
      </Field>
      {choice.report === 'top-products' ? (
        <Field label={t('rankBy')}>
          {(control) => (
            <NativeSelect {...control} value={choice.by} onChange={(event) => onChange({ by: event.target.value === 'revenue' ? 'revenue' : 'units' })}>
              <option value="units">{t('ranking.units')}</option>
              <option value="revenue">{t('ranking.revenue')}</option>
            </NativeSelect>
          )}
        </Field>
      ) : null}
      {takesPeriod(choice.report) ? (
        <>
          <Field label={t('period')}>
            {(control) => (
              <NativeSelect {...control} value={preset} onChange={(event) => choosePreset(event.target.value)}>
                {[...PRESETS, 'custom' as const].map((value) => (
                  <option key={value} value={value}>
                    {t(`presets.${value}`)}
                  </option>
                ))}
              </NativeSelect>
            )}
          </Field>
          {preset === 'custom' ? (
            <div className="grid grid-cols-2 gap-3 sm:col-span-2 lg:col-span-1">
              <Field label={t('from')} error={problem ? t(`problems.${problem}`) : undefined}>
                {(control) => <Input {...control} type="date" value={choice.range.from} max={today} onChange={(event) => chooseDate('from', event.target.value)} />}
              </Field>
              <Field label={t('to')}>
                {(control) => <Input {...control} type="date" value={choice.range.to} onChange={(event) => chooseDate('to', event.target.value)} />}
              </Field>
            </div>
          ) : null}
        </>
      ) : null}
    </Card>
  );
}
