/** The foot of a dialog's form: Cancel, then the submit button saying "Saving…" while pending. */
import { useTranslation } from 'react-i18next';
import { Button } from './button';

export function FormActions({ pending, submitLabel, onCancel }: { pending: boolean; submitLabel: string; onCancel: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
      <Button variant="secondary" onClick={onCancel}>
        {t('cancel')}
      </Button>
      <Button type="submit" disabled={pending}>
        {pending ? t('saving') : submitLabel}
      </Button>
    </div>
  );
}
