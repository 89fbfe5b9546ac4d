/**
 * The registers and their presence: online or offline, sales still queued at the till, when it
 * was last seen, whether a shift is open. Relative times are refreshed every half minute.
 */
import { Link } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@orbit/shared/format/locality';
import { Button } from '@orbit/shared/ui/button';
import { Empty } from '@orbit/shared/ui/states';
import { Badge, Card, CardTitle } from '@orbit/shared/ui/surfaces';
import type { DashboardRegister } from '../live-reducer';

const SHOWN = 8;

/** Online first, then the most recently seen, then by code. */
function byPresence(a: DashboardRegister, b: DashboardRegister): number {
  const seen = (register: DashboardRegister) => (register.last_seen_at ? Date.parse(register.last_seen_at) : 0);
  return Number(b.online) - Number(a.online) || seen(b) - seen(a) || a.code.localeCompare(b.code);
}

function useTicking(milliseconds: number): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((tick) => tick + 1), milliseconds);
    return () => clearInterval(timer);
  }, [milliseconds]);
}

export function RegistersCard({ registers }: { registers: DashboardRegister[] }) {
  const { t } = useTranslation('dashboard');
  const format = useFormat();
  useTicking(30_000);
  const [all, setAll] = useState(false);
  const online = registers.filter((register) => register.online).length;
  const sorted = [...registers].sort(byPresence);
  const shown = all ? sorted : sorted.slice(0, SHOWN);

  return (
    <Card aria-labelledby="registers-title" className="min-w-0">
      <CardTitle id="registers-title">{t('registers.title', { online, total: registers.length })}</CardTitle>
      {registers.length === 0 ? (
        <div className="mt-3">
          <Empty title={t('registers.empty')} />
        </div>
      ) : (
        <ul className="mt-3 divide-y divide-slate-100 text-sm">
          {shown.map((register) => (
            <li key={register.register_id} className="py-2" data-register={register.code}>
              <div className="flex items-center justify-between gap-2">
                <span className="min-w-0 truncate">
                  <span className="font-medium">{register.code}</span> · {register.name}
                </span>
                <Badge tone={register.online ? 'ok' : 'neutral'}>{t(register.online ? 'registers.online' : 'registers.offline')}</Badge>
              </div>
              <p className="mt-0.5 flex flex-wrap gap-x-2 text-xs text-slate-600">
                <span>{register.last_seen_at ? t('registers.seen', { when: format.relative(register.last_seen_at) }) : t('registers.neverSeen')}</span>
                {register.queued_sales > 0 ? <span className="font-medium text-amber-800">{t('registers.queued', { count: register.queued_sales })}</span> : null}
                {register.open_shift_id ? (
                  <Link to="/shifts/$shiftId" params={{ shiftId: register.open_shift_id }} className="text-brand-700 underline">
                    {t('registers.shiftOpen')}
                  </Link>
                ) : (
                  <span>{t('registers.noShift')}</span>
                )}
              </p>
            </li>
          ))}
        </ul>
      )}
      {sorted.length > SHOWN ? (
        <Button variant="link" size="sm" className="px-0" aria-expanded={all} onClick={() => setAll(!all)}>
          {all ? t('registers.showFewer') : t('registers.showAll', { count: sorted.length })}
        </Button>
      ) : null}
    </Card>
  );
}
