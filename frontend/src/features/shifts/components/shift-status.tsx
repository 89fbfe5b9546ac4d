/** Whether a shift is still open or closed (counted). */
import { useTranslation } from 'react-i18next';
import { Badge } from '@orbit/shared/ui/surfaces';
import type { Shift } from '../api';

export function ShiftStatusBadge({ status }: Pick<Shift, 'status'>) {
  const { t } = useTranslation('shifts');
  return <Badge tone={status === 'open' ? 'brand' : 'neutral'}>{t(`status.${status}`)}</Badge>;
}
