/**
 * The ticket: its lines (quantity steppers, a line's discount, remove), the customer, the
 * ticket's discount and the totals priced exactly as the server will price them, with the
 * button that takes payment. The line touched last is highlighted (the scan's visual feedback).
 */
import { Minus, Percent, Plus, Trash2, User } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { cn } from '@orbit/shared/ui/cn';
import type { PricedSale } from '../../offline/money';
import type { TicketAction, TicketLineState, TicketState } from './ticket-state';
import './i18n';

export interface TicketPanelProps {
  ticket: TicketState;
  priced: PricedSale | null;
  taxMode: 'inclusive' | 'exclusive';
  dispatch: (action: TicketAction) => void;
  onCharge: () => void;
  onCustomer: () => void;
  onTicketDiscount: () => void;
  onLineDiscount: (line: TicketLineState) => void;
  disabled?: boolean;
}

export function TicketPanel({ ticket, priced, taxMode, dispatch, onCharge, onCustomer, onTicketDiscount, onLineDiscount, disabled }: TicketPanelProps) {
  const { t } = useTranslation('sell');
  const format = useFormat();
  return (
    <section aria-labelledby="ticket-title" className="flex min-h-0 flex-col rounded-lg border border-slate-200 bg-white shadow-sm">
      <div className="flex items-center justify-between gap-2 border-b border-slate-200 px-3 py-2">
        <h2 id="ticket-title" className="font-semibold">
          {t('ticket')}
        </h2>
        <Button variant="secondary" className="h-11 max-w-[60%]" onClick={onCustomer} aria-keyshortcuts="F6" disabled={disabled}>
          <User aria-hidden="true" />
          <span className="truncate">{ticket.customer ? ticket.customer.name : t('chooseCustomer')}</span>
        </Button>
      </div>
      <ol className="min-h-24 flex-1 divide-y divide-slate-100 overflow-y-auto" aria-live="polite" aria-label={t('ticket')}>
        {ticket.lines.length ? null : <li className="p-4 text-sm text-slate-600">{t('empty')}</li>}
        {ticket.lines.map((line, index) => {
          const pricedLine = priced?.lines[index];
          return (
            <li key={line.key} data-testid="ticket-line" className={cn('flex flex-wrap items-center gap-2 px-3 py-2 transition-colors', ticket.last === line.key && 'bg-brand-50')}>
              <div className="min-w-0 flex-1 basis-full sm:basis-0">
                <p className="truncate font-medium">{line.product.name}</p>
                <p className="text-xs text-slate-600">
                  {format.money(line.product.price)}
                  {line.discount ? ` · ${t('discountApplied', { amount: format.money(line.discount) })}` : ''}
                </p>
              </div>
              <div className="flex items-center gap-1">
                <Button
                  variant="secondary"
                  size="icon"
                  className="size-11"
                  aria-label={t('less', { name: line.product.name })}
                  onClick={() => dispatch({ type: 'quantity', key: line.key, quantity: line.quantity - 1 })}
                >
                  <Minus aria-hidden="true" />
                </Button>
                <label>
                  <span className="sr-only">{t('quantity', { name: line.product.name })}</span>
                  <input
                    type="number"
                    min={1}
                    inputMode="numeric"
                    value={line.quantity}
                    onChange={(event) => dispatch({ type: 'quantity', key: line.key, quantity: Number(event.target.value) || 0 })}
                    className="h-11 w-16 rounded-md border border-slate-300 text-center tabular-nums"
                  />
                </label>
                <Button
                  variant="secondary"
                  size="icon"
                  className="size-11"
                  aria-label={t('more', { name: line.product.name })}
                  onClick={() => dispatch({ type: 'quantity', key: line.key, quantity: line.quantity + 1 })}
                >
                  <Plus aria-hidden="true" />
                </Button>
                <Button variant="ghost" size="icon" className="size-11" aria-label={t('lineDiscount', { name: line.product.name })} onClick={() => onLineDiscount(line)}>
                  <Percent aria-hidden="true" />
                </Button>
                <Button
                  variant="ghost"
                  size="icon"
                  className="size-11 text-danger"
                  aria-label={t('remove', { name: line.product.name })}
                  onClick={() => dispatch({ type: 'remove', key: line.key })}
                >
                  <Trash2 aria-hidden="true" />
                </Button>
              </div>
              <p className="ml-auto w-24 text-right font-semibold tabular-nums">{pricedLine ? format.money(pricedLine.total) : ''}</p>
            </li>
          );
        })}
      </ol>
      <div className="space-y-1 border-t border-slate-200 p-3 text-sm">
        <div className="flex justify-between">
          <span>{t('subtotal')}</span>
          <span className="tabular-nums">{format.money(priced?.subtotal ?? 0)}</span>
        </div>
        <div className="flex items-center justify-between">
          <Button variant="link" className="h-8 px-0" onClick={onTicketDiscount} aria-keyshortcuts="F7" disabled={!ticket.lines.length}>
            {t('discountKey')}
          </Button>
          <span className="tabular-nums" data-testid="ticket-discounts">
            {priced?.discount_total ? `− ${format.money(priced.discount_total)}` : format.money(0)}
          </span>
        </div>
        <div className="flex justify-between text-slate-600">
          <span>{taxMode === 'inclusive' ? t('taxIncluded') : t('tax')}</span>
          <span className="tabular-nums">{format.money(priced?.tax_total ?? 0)}</span>
        </div>
        <div className="flex justify-between pt-1 text-2xl font-bold">
          <span>{t('total')}</span>
          <span className="tabular-nums" data-testid="ticket-total">
            {format.money(priced?.total ?? 0)}
          </span>
        </div>
        <div className="flex gap-2 pt-2">
          <Button variant="secondary" className="h-14" disabled={!ticket.lines.length} onClick={() => dispatch({ type: 'clear' })}>
            {t('clear')}
          </Button>
          <Button className="h-14 flex-1 text-lg" disabled={disabled || !ticket.lines.length || !priced} onClick={onCharge} aria-keyshortcuts="F9">
            {t('charge', { amount: format.money(priced?.total ?? 0) })}
          </Button>
        </div>
      </div>
    </section>
  );
}
