/**
 * "Start a run": how many days to forecast (7–30), then `POST /api/v1/forecasts/runs`. A run
 * already queued or running answers 409, shown in the form; a wrong horizon is shown at its field.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '@orbit/shared/api/problem';
import { Button } from '@orbit/shared/ui/button';
import { Dialog } from '@orbit/shared/ui/dialog';
import { Field, Input } from '@orbit/shared/ui/field';
import { FormError } from '@orbit/shared/ui/states';
import { toast } from '@orbit/shared/ui/toast';
import { useStartRun } from '../api';

const DEFAULT_HORIZON = 30;

export function StartRunDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const { t } = useTranslation('forecasts');
  const start = useStartRun();
  const [horizon, setHorizon] = useState(String(DEFAULT_HORIZON));
  const fieldErrors = start.error instanceof ApiError ? start.error.fieldErrors() : {};
  const formError = start.error instanceof ApiError && fieldErrors.horizon_days ? null : start.error;

  const close = (next: boolean) => {
    if (!next) start.reset();
    onOpenChange(next);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    start.mutate(
      { horizon_days: Number(horizon) },
      {
        onSuccess: () => {
          toast(t('runs.started'));
          close(false);
        },
      },
    );
  };

  return (
    <Dialog open={open} onOpenChange={close} title={t('runs.startTitle')} description={t('runs.startDescription')} closeLabel={t('common:close')}>
      <form onSubmit={submit} className="space-y-4" noValidate>
        <Field label={t('runs.horizon')} hint={t('runs.horizonHint')} error={fieldErrors.horizon_days}>
          {(control) => <Input {...control} type="number" inputMode="numeric" min={7} max={30} required value={horizon} onChange={(event) => setHorizon(event.target.value)} />}
        </Field>
        <FormError error={start.error instanceof ApiError && start.error.code === 'forecast_run_active' ? new Error(t('runs.active')) : formError} />
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={() => close(false)}>
            {t('common:cancel')}
          </Button>
          <Button type="submit" disabled={start.isPending}>
            {start.isPending ? t('runs.starting') : t('runs.start')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
