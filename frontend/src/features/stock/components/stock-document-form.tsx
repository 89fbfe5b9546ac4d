/**
 * Write and record one stock document: a receipt, an adjustment or a count. Products are added
 * with the picker (typing or scanning); each line is checked here first (whole numbers, a receipt
 * of at least one unit, an adjustment that is not zero and, unless the shop allows it, does not
 * take stock below zero), then the server's refusals come back to their lines.
 *
 * The POST is idempotent: the key belongs to the person's action, kept while the same document
 * is submitted again (a retry after an error or a lost answer) and renewed after a success.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '@orbit/shared/api/problem';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { Field, Input, Textarea } from '@orbit/shared/ui/field';
import { FormError } from '@orbit/shared/ui/states';
import { Card } from '@orbit/shared/ui/surfaces';
import { toast } from '@orbit/shared/ui/toast';
import { useActionKey } from '../../../lib/action-key';
import { formErrors } from '../../../lib/form-errors';
import { useMe } from '../../../lib/me';
import { ProductPicker } from '../../../lib/product-picker';
import { useRecordStock } from '../api';
import { countSummary, serverLineErrors, stockBody, type LineProblem } from '../stock-lines';
import type { StockDocument } from '../use-stock-document';
import { LinesEditor } from './lines-editor';

const REASONS = ['damaged', 'expired', 'lost', 'found', 'correction', 'ownUse'] as const;

/** The server's line refusals in the person's language where the code says what happened. */
function useServerLineProblems(error: unknown, document: StockDocument): Map<string, string> {
  const { t } = useTranslation('stock');
  if (!(error instanceof ApiError)) return new Map();
  const placed = serverLineErrors(error.problem.errors ?? [], document.lines);
  const translated =
    error.code === 'insufficient_stock' ? 'insufficient' : error.code === 'duplicate_line' ? 'duplicate' : error.status === 404 ? 'unknown' : null;
  return translated ? new Map([...placed.keys()].map((productId) => [productId, t(`lineProblem.${translated}`)])) : placed;
}

function CountSummary({ document }: { document: StockDocument }) {
  const { t } = useTranslation('stock');
  const format = useFormat();
  const summary = countSummary(document.lines);
  const net = summary.net > 0 ? `+${format.number(summary.net)}` : summary.net < 0 ? `−${format.number(-summary.net)}` : format.number(0);
  return (
    <p className="text-sm text-slate-700" data-testid="count-summary">
      {t('document.summary', { products: format.number(summary.products), differing: format.number(summary.differing), net })}
    </p>
  );
}

export function StockDocumentForm({ document }: { document: StockDocument }) {
  const { t } = useTranslation('stock');
  const me = useMe();
  const record = useRecordStock();
  const actionKey = useActionKey();
  const [attempted, setAttempted] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const allowNegative = me.data?.organization.allow_negative_stock ?? false;
  const kind = document.kind;
  const reasonRequired = kind === 'adjustment';

  // After a first attempt, the lines are checked as they are edited.
  const checked = stockBody(kind, document.lines, document.reason, allowNegative);
  const problems: ReadonlyMap<string, LineProblem> = attempted && !checked.ok ? checked.lines : new Map();
  const noLines = attempted && !checked.ok && checked.empty;
  const reasonShort = attempted && reasonRequired && document.reason.trim().length < 3;

  const serverProblems = useServerLineProblems(record.error, document);
  const lineMessages = new Map<string, string>(serverProblems);
  for (const [productId, problem] of problems) lineMessages.set(productId, t(`lineProblem.${problem}`));
  const server = formErrors(record.error, ['reason'] as const);
  const banner = serverProblems.size > 0 ? null : server.banner;

  /** The document, whose every change drops the server's last refusal (it was about the old lines). */
  const edited: StockDocument = {
    ...document,
    dispatch: (action) => {
      record.reset();
      document.dispatch(action);
    },
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAttempted(true);
    if (!checked.ok || (reasonRequired && document.reason.trim().length < 3)) return;
    const key = actionKey.for(checked.document);
    record.mutate(
      { document: checked.document, key },
      {
        onSuccess: (batch) => {
          actionKey.done();
          setAttempted(false);
          toast(t(`document.${kind}.done`), { description: t('document.recorded', { count: batch.movements.length }) });
          document.clear();
        },
      },
    );
  };

  return (
    <Card aria-labelledby={`${kind}-title`}>
      <h2 id={`${kind}-title`} className="text-base font-semibold">
        {t(`document.${kind}.title`)}
      </h2>
      <p className="mt-1 text-sm text-slate-600">{t(`document.${kind}.help`)}</p>
      <form noValidate onSubmit={submit} className="mt-4 space-y-4">
        <ProductPicker
          label={t('document.add')}
          className="max-w-xl"
          onPick={(product) => {
            record.reset();
            const listed = document.add(product);
            setAnnouncement(listed && kind !== 'receipt' ? t('document.already', { name: product.name }) : '');
          }}
        />
        <p role="status" className="text-sm text-amber-800 empty:hidden">
          {announcement}
        </p>
        <LinesEditor document={edited} problems={lineMessages} />
        {kind === 'count' && document.lines.length > 0 ? <CountSummary document={document} /> : null}
        {noLines ? (
          <p role="alert" className="text-sm text-danger">
            {t('document.noLines')}
          </p>
        ) : null}
        <Field
          label={t(`document.${kind}.reason`)}
          hint={t(`document.${kind}.reasonHint`)}
          error={reasonShort ? t('document.reasonShort') : server.fields.reason}
          className="max-w-xl"
        >
          {(control) =>
            reasonRequired ? (
              <>
                <Input
                  {...control}
                  list={`${kind}-reasons`}
                  required
                  minLength={3}
                  maxLength={500}
                  value={document.reason}
                  onChange={(event) => document.setReason(event.target.value)}
                />
                <datalist id={`${kind}-reasons`}>
                  {REASONS.map((reason) => (
                    <option key={reason} value={t(`document.reasons.${reason}`)} />
                  ))}
                </datalist>
              </>
            ) : (
              <Textarea {...control} rows={2} maxLength={500} value={document.reason} onChange={(event) => document.setReason(event.target.value)} />
            )
          }
        </Field>
        <FormError error={banner} />
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button
            variant="secondary"
            disabled={document.lines.length === 0 && !document.reason}
            onClick={() => {
              document.clear();
              setAttempted(false);
              record.reset();
            }}
          >
            {t('document.clear')}
          </Button>
          <Button type="submit" disabled={record.isPending}>
            {record.isPending ? t('common:saving') : t(`document.${kind}.submit`)}
          </Button>
        </div>
      </form>
    </Card>
  );
}
