/**
 * Void a whole sale (managers and admins): a destructive action, confirmed in a dialog with a
 * reason. Everything goes back, stock and money; the sale stays in the series as voided.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { Dialog } from '@orbit/shared/ui/dialog';
import { Field, Textarea } from '@orbit/shared/ui/field';
import { FormError } from '@orbit/shared/ui/states';
import { toast } from '@orbit/shared/ui/toast';
import { formErrors } from '../../../lib/form-errors';
import { useVoidSale, type Sale } from '../api';
import { useActionKey } from '../../../lib/action-key';

export function VoidDialog({ sale, open, onOpenChange }: { sale: Sale; open: boolean; onOpenChange: (open: boolean) => void }) {
  const { t } = useTranslation('sales');
  const format = useFormat();
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={t('void.title', { number: sale.invoice_number })}
      description={t('void.description', { total: format.money(sale.total) })}
      closeLabel={t('common:close')}
    >
      <VoidForm sale={sale} onDone={() => onOpenChange(false)} />
    </Dialog>
  );
}

function VoidForm({ sale, onDone }: { sale: Sale; onDone: () => void }) {
  const { t } = useTranslation('sales');
  const voidSale = useVoidSale(sale.id);
  const keys = useActionKey();
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const server = formErrors(voidSale.error, ['reason'] as const);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = reason.trim();
    if (trimmed.length < 3) {
      setProblem(t('refund.reasonTooShort'));
      return;
    }
    setProblem(undefined);
    voidSale.mutate(
      { reason: trimmed, key: keys.for({ reason: trimmed }) },
      {
        onSuccess: () => {
          keys.done();
          toast(t('void.done', { number: sale.invoice_number }));
          onDone();
        },
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <Field label={t('void.reason')} error={problem ?? server.fields.reason}>
        {(control) => <Textarea {...control} rows={2} value={reason} maxLength={500} onChange={(event) => setReason(event.target.value)} />}
      </Field>
      <FormError error={server.banner} />
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button variant="secondary" onClick={onDone}>
          {t('common:cancel')}
        </Button>
        <Button type="submit" variant="danger" disabled={voidSale.isPending}>
          {voidSale.isPending ? t('common:saving') : t('void.submit')}
        </Button>
      </div>
    </form>
  );
}
