/**
 * The lines of a stock document: each product with its stock, the quantity box of the document's
 * kind, what follows from it (the stock after a receipt or an adjustment; for a count, expected
 * against counted and the difference), its problem if any, and a remove button.
 */
import { Trash2 } from 'lucide-react';
import { Fragment, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { cn } from '@orbit/shared/ui/cn';
import { Input } from '@orbit/shared/ui/field';
import { Empty } from '@orbit/shared/ui/states';
import { SignedQuantity } from '../../../lib/stock-movements';
import { adjustedStock, countDifference, parseQuantity, type StockLine } from '../stock-lines';
import type { StockDocument } from '../use-stock-document';

function Outcome({ document, line }: { document: StockDocument; line: StockLine }) {
  const format = useFormat();
  if (document.kind === 'count') {
    const difference = countDifference(line);
    return difference === null ? <span className="text-slate-400">—</span> : <SignedQuantity value={difference} />;
  }
  const after = document.kind === 'receipt' ? (parseQuantity(line.quantity) ?? 0) + line.stock : adjustedStock(line);
  return after === null ? <span className="text-slate-400">—</span> : <span className={after < 0 ? 'text-red-700' : undefined}>{format.number(after)}</span>;
}

export function LinesEditor({ document, problems }: { document: StockDocument; problems: ReadonlyMap<string, string> }) {
  const { t } = useTranslation('stock');
  const format = useFormat();
  const table = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!document.focus) return;
    const input = table.current?.querySelector<HTMLInputElement>(`[data-quantity="${CSS.escape(document.focus.productId)}"]`);
    input?.focus();
    input?.select();
  }, [document.focus]);

  if (document.lines.length === 0) return <Empty title={t('document.empty')}>{t('document.emptyHint')}</Empty>;
  const quantityLabel = t(`document.${document.kind}.quantity`);
  const th = 'px-2 py-2 font-medium sm:px-3';
  return (
    <div ref={table} className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{t('document.linesCaption')}</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs text-slate-600 uppercase">
          <tr>
            <th scope="col" className={cn(th, 'hidden sm:table-cell')}>
              {t('document.product')}
            </th>
            <th scope="col" className={cn(th, 'text-right')}>
              {document.kind === 'count' ? t('document.expected') : t('document.inStock')}
            </th>
            <th scope="col" className={cn(th, 'w-28')}>
              {quantityLabel}
            </th>
            <th scope="col" className={cn(th, 'text-right')}>
              {document.kind === 'count' ? t('document.difference') : t('document.after')}
            </th>
            <th scope="col" className={th}>
              <span className="sr-only">{t('common:actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {document.lines.map((line) => {
            const problem = problems.get(line.productId);
            const problemId = `line-problem-${line.productId}`;
            const product = (
              <>
                <span className="block truncate font-medium">{line.name}</span>
                <span className="block text-xs text-slate-600">{line.sku}</span>
              </>
            );
            // On a phone the product takes a row of its own above its numbers, so they fit the screen.
            return (
              <Fragment key={line.productId}>
                <tr className="sm:hidden" aria-hidden="true">
                  <td colSpan={4} className="max-w-0 px-3 pt-2">
                    {product}
                  </td>
                </tr>
                <tr data-line={line.sku} className="border-b border-slate-100 align-top last:border-0">
                  <td className="hidden px-3 py-2 sm:table-cell">{product}</td>
                  <td className="px-2 py-2 text-right tabular-nums sm:px-3">{format.number(line.stock)}</td>
                  <td className="px-2 py-2 sm:px-3">
                    <Input
                      data-quantity={line.productId}
                      aria-label={`${quantityLabel}: ${line.name}`}
                      aria-invalid={Boolean(problem)}
                      aria-describedby={problem ? problemId : undefined}
                      inputMode={document.kind === 'adjustment' ? 'text' : 'numeric'}
                      autoComplete="off"
                      className="h-9 w-20 text-right tabular-nums sm:w-24"
                      value={line.quantity}
                      onChange={(event) => document.dispatch({ type: 'set', productId: line.productId, quantity: event.target.value })}
                    />
                    {problem ? (
                      <p id={problemId} role="alert" className="mt-1 max-w-40 text-xs text-danger">
                        {problem}
                      </p>
                    ) : null}
                  </td>
                  <td className="px-2 py-2 text-right tabular-nums sm:px-3" data-outcome>
                    <Outcome document={document} line={line} />
                  </td>
                  <td className="px-1 py-1 text-right">
                    <Button
                      variant="ghost"
                      size="icon"
                      aria-label={t('document.remove', { name: line.name })}
                      onClick={() => document.dispatch({ type: 'remove', productId: line.productId })}
                    >
                      <Trash2 aria-hidden="true" />
                    </Button>
                  </td>
                </tr>
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
