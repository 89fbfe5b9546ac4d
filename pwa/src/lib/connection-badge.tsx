/** Online or offline, said in words and colour (never by colour alone). */
import { Wifi, WifiOff } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { cn } from '@orbit/shared/ui/cn';
import { useRuntime } from './hooks';
import './i18n';

export function ConnectionBadge() {
  const { t } = useTranslation('pos');
  const { online } = useRuntime();
  return (
    <span
      role="status"
      className={cn('inline-flex items-center gap-1.5 rounded-full px-2.5 py-1 text-xs font-semibold', online ? 'bg-emerald-100 text-emerald-800' : 'bg-amber-100 text-amber-900')}
    >
      {online ? <Wifi aria-hidden="true" className="size-3.5" /> : <WifiOff aria-hidden="true" className="size-3.5" />}
      {online ? t('online') : t('offline')}
    </span>
  );
}
