/**
 * Resolve one conflict: acknowledge it, adjust the stock of its product to a counted quantity
 * (a stock count movement), or add a note and leave it open. Every resolution is audited.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { Dialog } from '@orbit/shared/ui/dialog';
import { Field, Input, Textarea } from '@orbit/shared/ui/field';
import { FormError } from '@orbit/shared/ui/states';
import { toast } from '@orbit/shared/ui/toast';
import { formErrors } from '../../../lib/form-errors';
import { useResolveConflict, type ConflictResolve } from '../api';
import type { InboxConflict } from '../live-reducer';

type Action = ConflictResolve['action'];

export function ResolveConflictDialog({
  conflict,
  onOpenChange,
  onResolved,
}: {
  conflict: InboxConflict | null;
  onOpenChange: (open: boolean) => void;
  onResolved: (conflictId: string, status: 'open' | 'resolved', note?: string) => void;
}) {
  const { t } = useTranslation('dashboard');
  return (
    <Dialog
      open={conflict !== null}
      onOpenChange={onOpenChange}
      title={t('resolve.title')}
      description={conflict ? `${t(`conflicts.code.${conflict.code}`, { defaultValue: conflict.code })}: ${conflict.message}` : undefined}
      closeLabel={t('common:close')}
    >
      {conflict ? <ResolveForm conflict={conflict} onDone={() => onOpenChange(false)} onResolved={onResolved} /> : null}
    </Dialog>
  );
}

function ResolveForm({ conflict, onDone, onResolved }: { conflict: InboxConflict; onDone: () => void; onResolved: (conflictId: string, status: 'open' | 'resolved', note?: string) => void }) {
  const { t } = useTranslation('dashboard');
  const resolve = useResolveConflict();
  const actions: Action[] = conflict.product_id ? ['acknowledge', 'adjust_stock', 'annotate'] : ['acknowledge', 'annotate'];
  const [action, setAction] = useState<Action>('acknowledge');
  const [note, setNote] = useState('');
  const [counted, setCounted] = useState('');
  const [problems, setProblems] = useState<{ note?: string; counted?: string }>({});
  const server = formErrors(resolve.error, ['note', 'counted'] as const);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: typeof problems = {};
    const quantity = Number(counted);
    if (action === 'adjust_stock' && (counted.trim() === '' || !Number.isInteger(quantity) || quantity < 0)) found.counted = t('resolve.countedInvalid');
    if (action === 'annotate' && !note.trim()) found.note = t('resolve.noteRequired');
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    const body: ConflictResolve = { action, note: note.trim(), counted: action === 'adjust_stock' ? quantity : null };
    resolve.mutate(
      { conflictId: conflict.id, body },
      {
        onSuccess: (result) => {
          onResolved(result.id, result.status, result.note);
          toast(t(`resolve.done.${action}`));
          onDone();
        },
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-700">{t('resolve.action')}</legend>
        {actions.map((value) => (
          <label key={value} className="flex items-start gap-2 rounded-md border border-slate-200 p-2 text-sm has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50">
            <input type="radio" name="action" value={value} checked={action === value} onChange={() => setAction(value)} className="mt-0.5 accent-brand-600" />
            <span>
              <span className="font-medium">{t(`resolve.actions.${value}`)}</span>
              <span className="block text-xs text-slate-600">{t(`resolve.hints.${value}`)}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {action === 'adjust_stock' ? (
        <Field label={t('resolve.counted')} error={problems.counted ?? server.fields.counted}>
          {(control) => <Input {...control} type="number" inputMode="numeric" min={0} step={1} value={counted} onChange={(event) => setCounted(event.target.value)} className="w-40" />}
        </Field>
      ) : null}
      <Field label={t(action === 'annotate' ? 'resolve.noteRequiredLabel' : 'resolve.note')} error={problems.note ?? server.fields.note}>
        {(control) => <Textarea {...control} rows={2} maxLength={1000} value={note} onChange={(event) => setNote(event.target.value)} />}
      </Field>
      <FormError error={server.banner} />
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button variant="secondary" onClick={onDone}>
          {t('common:cancel')}
        </Button>
        <Button type="submit" disabled={resolve.isPending}>
          {resolve.isPending ? t('common:saving') : t(`resolve.submit.${action}`)}
        </Button>
      </div>
    </form>
  );
}
