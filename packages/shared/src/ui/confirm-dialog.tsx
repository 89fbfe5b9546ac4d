/**
 * The confirmation every destructive action asks for: what will happen, a cancel button that
 * has the focus first, and the action itself. The server's refusal (a problem document) shows
 * inside the dialog, which stays open so the person reads it.
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from './button';
import { Dialog } from './dialog';
import { FormError } from './states';

export interface ConfirmDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  description: ReactNode;
  /** The action's label, such as "Deactivate" (never a bare "OK"). */
  confirmLabel: ReactNode;
  onConfirm: () => void;
  pending?: boolean;
  /** The last attempt's error, shown above the buttons. */
  error?: unknown;
  tone?: 'danger' | 'primary';
}

export function ConfirmDialog({ open, onOpenChange, title, description, confirmLabel, onConfirm, pending = false, error, tone = 'danger' }: ConfirmDialogProps) {
  const { t } = useTranslation();
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={title} description={description} closeLabel={t('close')}>
      <div className="space-y-4">
        <FormError error={error} />
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            {t('cancel')}
          </Button>
          <Button variant={tone} disabled={pending} onClick={onConfirm}>
            {pending ? t('saving') : confirmLabel}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
