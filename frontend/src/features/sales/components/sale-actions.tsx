/**
 * What can still be done to a sale: refund units of its lines (while some are left), or void it
 * whole (only in its own, still open shift, and before any refund: the server's rules, shown
 * here so the buttons do not promise what the server refuses).
 */
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@orbit/shared/ui/button';
import { useRegisters } from '../../../lib/registers';
import type { Sale } from '../api';
import { refundable } from '../sale-math';
import { RefundDialog } from './refund-dialog';
import { VoidDialog } from './void-dialog';

/** `documents` (the PDF buttons) lead the row of buttons, and stay for a voided sale. */
export function SaleActions({ sale, documents }: { sale: Sale; documents?: ReactNode }) {
  const { t } = useTranslation('sales');
  const registers = useRegisters();
  const [dialog, setDialog] = useState<'refund' | 'void' | null>(null);

  if (sale.status !== 'completed') return documents ?? null;
  const canRefund = sale.lines.some((line) => refundable(line) > 0);
  const shiftOpen = Boolean(sale.shift_id) && (registers.data ?? []).some((register) => register.open_shift_id === sale.shift_id);
  const canVoid = shiftOpen && sale.refunded_total === 0;

  return (
    <div className="flex flex-col items-stretch gap-2 sm:items-end">
      <div className="flex flex-wrap gap-2 sm:justify-end">
        {documents}
        {canRefund ? (
          <Button variant="secondary" onClick={() => setDialog('refund')}>
            {t('refund.open')}
          </Button>
        ) : null}
        {canVoid ? (
          <Button variant="danger" onClick={() => setDialog('void')}>
            {t('void.open')}
          </Button>
        ) : null}
      </div>
      {!canVoid && registers.isSuccess ? <p className="max-w-xs text-xs text-slate-600 sm:text-right">{t('void.unavailable')}</p> : null}
      <RefundDialog sale={sale} open={dialog === 'refund'} onOpenChange={(open) => setDialog(open ? 'refund' : null)} />
      <VoidDialog sale={sale} open={dialog === 'void'} onOpenChange={(open) => setDialog(open ? 'void' : null)} />
    </div>
  );
}
