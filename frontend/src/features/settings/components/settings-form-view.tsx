/**
 * The settings form: the organization's name, currency (common ones or any ISO 4217 code),
 * locale, time zone, tax mode and negative-stock rule, with a preview of how money and dates
 * will read. Saving sends only what changed; the server's refusals show at their fields.
 */
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime, formatMoney, minorDigits } from '@orbit/shared/format/format';
import { Button } from '@orbit/shared/ui/button';
import { Checkbox, Field, Input, NativeSelect } from '@orbit/shared/ui/field';
import { FormError } from '@orbit/shared/ui/states';
import { Card, CardTitle } from '@orbit/shared/ui/surfaces';
import { toast } from '@orbit/shared/ui/toast';
import { formErrors } from '../../../lib/form-errors';
import { useUpdateOrganization } from '../api';
import {
  COMMON_CURRENCIES,
  draftOf,
  isCurrencyCode,
  LOCALES,
  settingsPatch,
  timeZones,
  withCurrent,
  type Organization,
  type SettingsDraft,
  type TaxMode,
} from '../settings-form';

const OTHER = 'other';
const TAX_MODES: TaxMode[] = ['inclusive', 'exclusive'];
const FIELDS = ['name', 'currency', 'locale', 'time_zone', 'tax_mode', 'allow_negative_stock', 'tax_id', 'address'] as const;

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <Card aria-labelledby={id}>
      <CardTitle id={id}>{title}</CardTitle>
      <div className="mt-3 grid gap-4 sm:grid-cols-2">{children}</div>
    </Card>
  );
}

/** How 1,234.56 of the draft's currency (rounded to its minor unit) and now read with the draft's settings. */
function Preview({ draft }: { draft: SettingsDraft }) {
  const { t } = useTranslation('settings');
  const currency = draft.currency.trim().toUpperCase();
  if (!isCurrencyCode(currency)) return null;
  const money = formatMoney(Math.round(1234.56 * 10 ** minorDigits(currency)), { locale: draft.locale, currency });
  const date = formatDateTime(Date.now(), { locale: draft.locale, timeZone: draft.time_zone });
  return (
    <p className="text-sm text-slate-600" aria-live="polite">
      {t('preview', { money, date })}
    </p>
  );
}

export function SettingsFormView({ organization }: { organization: Organization }) {
  const { t } = useTranslation('settings');
  const saved = useMemo(() => draftOf(organization), [organization]);
  const [draft, setDraft] = useState<SettingsDraft>(saved);
  const [customCurrency, setCustomCurrency] = useState(!(COMMON_CURRENCIES as readonly string[]).includes(saved.currency));
  const [currencyProblem, setCurrencyProblem] = useState<string | undefined>();
  const update = useUpdateOrganization();
  const { fields, banner } = formErrors(update.error, FIELDS, { currency_locked: 'currency' });
  const zones = useMemo(() => timeZones(saved.time_zone), [saved.time_zone]);
  const change = (patch: Partial<SettingsDraft>) => setDraft((previous) => ({ ...previous, ...patch }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const patch = settingsPatch(saved, draft);
    if (patch.currency !== undefined && !isCurrencyCode(patch.currency)) {
      setCurrencyProblem(t('currencyInvalid'));
      return;
    }
    setCurrencyProblem(undefined);
    if (Object.keys(patch).length === 0) {
      toast(t('unchanged'), { tone: 'info' });
      return;
    }
    update.mutate(patch, { onSuccess: () => toast(t('saved')) });
  };

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <Section id="settings-shop" title={t('sections.shop')}>
        <Field label={t('fields.name')} error={fields.name} className="sm:col-span-2">
          {(control) => <Input {...control} required maxLength={120} value={draft.name} onChange={(event) => change({ name: event.target.value })} />}
        </Field>
        <Field label={t('fields.taxId')} hint={t('taxIdHint')} error={fields.tax_id}>
          {(control) => <Input {...control} maxLength={32} autoComplete="off" value={draft.tax_id} onChange={(event) => change({ tax_id: event.target.value })} />}
        </Field>
        <Field label={t('fields.address')} hint={t('addressHint')} error={fields.address}>
          {(control) => <Input {...control} maxLength={300} autoComplete="street-address" value={draft.address} onChange={(event) => change({ address: event.target.value })} />}
        </Field>
      </Section>

      <Section id="settings-money" title={t('sections.money')}>
        <div className="space-y-3">
          <Field label={t('fields.currency')} hint={t('currencyHint')} error={customCurrency ? undefined : (currencyProblem ?? fields.currency)}>
            {(control) => (
              <NativeSelect
                {...control}
                value={customCurrency ? OTHER : draft.currency}
                onChange={(event) => {
                  const other = event.target.value === OTHER;
                  setCustomCurrency(other);
                  change({ currency: other ? '' : event.target.value });
                }}
              >
                {withCurrent(COMMON_CURRENCIES, customCurrency ? OTHER : draft.currency)
                  .filter((code) => code !== OTHER)
                  .map((code) => (
                    <option key={code} value={code}>
                      {code}
                    </option>
                  ))}
                <option value={OTHER}>{t('currencyOther')}</option>
              </NativeSelect>
            )}
          </Field>
          {customCurrency ? (
            <Field label={t('fields.otherCurrency')} hint={t('otherCurrencyHint')} error={currencyProblem ?? fields.currency}>
              {(control) => (
                <Input
                  {...control}
                  className="max-w-32 font-mono uppercase"
                  maxLength={3}
                  autoComplete="off"
                  value={draft.currency}
                  onChange={(event) => change({ currency: event.target.value.toUpperCase().replace(/[^A-Z]/g, '') })}
                />
              )}
            </Field>
          ) : null}
        </div>
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-slate-700">{t('fields.taxMode')}</legend>
          {TAX_MODES.map((mode) => (
            <label key={mode} className="flex items-start gap-2 text-sm">
              <input type="radio" name="tax_mode" value={mode} checked={draft.tax_mode === mode} onChange={() => change({ tax_mode: mode })} className="mt-0.5 size-4 accent-brand-600" />
              <span>
                <span className="font-medium text-slate-800">{t(`taxModes.${mode}`)}</span>
                <span className="block text-xs text-slate-600">{t(`taxHints.${mode}`)}</span>
              </span>
            </label>
          ))}
          {fields.tax_mode ? <p className="text-sm text-danger">{fields.tax_mode}</p> : null}
        </fieldset>
      </Section>

      <Section id="settings-region" title={t('sections.region')}>
        <Field label={t('fields.locale')} hint={t('localeHint')} error={fields.locale}>
          {(control) => (
            <NativeSelect {...control} value={draft.locale} onChange={(event) => change({ locale: event.target.value })}>
              {withCurrent(LOCALES, saved.locale).map((locale) => (
                <option key={locale} value={locale}>
                  {localeLabel(locale, t(`languages.${locale.slice(0, 2)}`))}
                </option>
              ))}
            </NativeSelect>
          )}
        </Field>
        <Field label={t('fields.timeZone')} hint={t('timeZoneHint')} error={fields.time_zone}>
          {(control) => (
            <NativeSelect {...control} value={draft.time_zone} onChange={(event) => change({ time_zone: event.target.value })}>
              {zones.map((zone) => (
                <option key={zone} value={zone}>
                  {zone.replaceAll('_', ' ')}
                </option>
              ))}
            </NativeSelect>
          )}
        </Field>
        <div className="sm:col-span-2">
          <Preview draft={draft} />
        </div>
      </Section>

      <Section id="settings-stock" title={t('sections.stock')}>
        <div className="sm:col-span-2">
          <Checkbox label={t('fields.negativeStock')} checked={draft.allow_negative_stock} onChange={(event) => change({ allow_negative_stock: event.target.checked })} aria-describedby="negative-stock-hint" />
          <p id="negative-stock-hint" className="mt-1 ml-6 text-xs text-slate-500">
            {t('negativeStockHint')}
          </p>
        </div>
      </Section>

      <FormError error={banner} />
      <div className="flex justify-end">
        <Button type="submit" disabled={update.isPending}>
          {update.isPending ? t('common:saving') : t('save')}
        </Button>
      </div>
    </form>
  );
}

/** "es-CL — Spanish (Chile)": the code, and the region's name in the interface language. */
function localeLabel(locale: string, language: string): string {
  const region = locale.split('-')[1];
  if (!region) return `${locale} — ${language}`;
  let regionName = region;
  try {
    regionName = new Intl.DisplayNames([document.documentElement.lang || 'en'], { type: 'region' }).of(region) ?? region;
  } catch {
    /* an old browser: the code will do */
  }
  return `${locale} — ${language} (${regionName})`;
}
