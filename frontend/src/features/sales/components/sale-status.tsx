/** A sale's status (completed, voided) and, for sales made offline at the till, its origin. */
import { useTranslation } from 'react-i18next';
import { Badge } from '@orbit/shared/ui/surfaces';
import type { SaleSummary } from '../api';

export function SaleStatusBadges({ status, origin }: Pick<SaleSummary, 'status' | 'origin'>) {
  const { t } = useTranslation('sales');
  return (
    <span className="inline-flex flex-wrap gap-1">
      <Badge tone={status === 'voided' ? 'danger' : 'ok'}>{t(`status.${status}`)}</Badge>
      {origin === 'offline' ? <Badge tone="neutral">{t('origin.offline')}</Badge> : null}
    </span>
  );
}
