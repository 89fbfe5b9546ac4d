/**
 * A cash count's difference, highlighted: short (counted less than expected) in red, over in
 * amber, balanced in green. The word is written out too, so it does not rest on colour alone.
 */
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { cn } from '@orbit/shared/ui/cn';

export function Difference({ amount, className }: { amount: number | null | undefined; className?: string }) {
  const { t } = useTranslation('shifts');
  const format = useFormat();
  if (amount === null || amount === undefined) return <span className={cn('text-slate-500', className)}>—</span>;
  const kind = amount < 0 ? 'short' : amount > 0 ? 'over' : 'balanced';
  return (
    <span
      data-difference={kind}
      className={cn(
        'inline-flex items-baseline gap-1 rounded px-1.5 py-0.5 font-medium tabular-nums',
        kind === 'short' ? 'bg-red-50 text-red-800' : kind === 'over' ? 'bg-amber-50 text-amber-900' : 'bg-emerald-50 text-emerald-800',
        className,
      )}
    >
      {amount > 0 ? '+' : ''}
      {format.money(amount)}
      <span className="text-xs font-normal">{t(`difference.${kind}`)}</span>
    </span>
  );
}
