/**
 * A product's units sold per day and its forecast (recharts, loaded lazily with this module):
 * the 95 % and 80 % intervals as bands (an Area between lower and upper), the expected units as
 * a dashed line, the history as a solid line, and a marker at today.
 */
import { useTranslation } from 'react-i18next';
import { Area, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useFormat } from '@orbit/shared/format/locality';
import type { ForecastPoint } from '../forecast-series';

const TICK = { fontSize: 12, fill: '#475569' };
const BRAND = 'var(--color-brand-600)';
const LEGEND = { fontSize: 12, paddingTop: 8 };

export default function ForecastChart({ points, today, title }: { points: ForecastPoint[]; today: string; title: string }) {
  const { t } = useTranslation('forecasts');
  const format = useFormat();
  const shortDate = new Intl.DateTimeFormat(format.locality.locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  const units = (value: number) => format.number(value, { maximumFractionDigits: 1 });
  const value = (raw: unknown) => (Array.isArray(raw) ? `${units(Number(raw[0]))} – ${units(Number(raw[1]))}` : units(Number(raw)));
  const hasToday = points.some((point) => point.date === today);
  return (
    <ResponsiveContainer width="100%" height={320}>
      <ComposedChart data={points} title={title} desc={title} accessibilityLayer margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="date" tickFormatter={(date: string) => shortDate.format(new Date(`${date}T12:00:00Z`))} tick={TICK} minTickGap={24} />
        <YAxis tickFormatter={(tick: number) => format.number(tick, { notation: 'compact' })} tick={TICK} width={44} allowDecimals={false} />
        <Tooltip formatter={(raw, name) => [value(raw), String(name)]} labelFormatter={(date) => format.calendarDate(String(date))} />
        <Legend wrapperStyle={LEGEND} formatter={(label) => <span className="text-slate-700">{label}</span>} />
        <Area dataKey="band95" legendType="square" name={t('product.band95')} stroke="none" fill={BRAND} fillOpacity={0.12} isAnimationActive={false} connectNulls={false} />
        <Area dataKey="band80" legendType="square" name={t('product.band80')} stroke="none" fill={BRAND} fillOpacity={0.25} isAnimationActive={false} connectNulls={false} />
        <Line dataKey="actual" legendType="line" name={t('product.sold')} stroke="#334155" strokeWidth={1.5} dot={false} isAnimationActive={false} connectNulls={false} />
        <Line dataKey="yhat" legendType="plainline" name={t('product.forecast')} stroke={BRAND} strokeWidth={2} strokeDasharray="5 3" dot={false} isAnimationActive={false} connectNulls={false} />
        {hasToday ? <ReferenceLine x={today} stroke="#94a3b8" label={{ value: t('product.today'), position: 'insideTopRight', fontSize: 12, fill: '#475569' }} /> : null}
      </ComposedChart>
    </ResponsiveContainer>
  );
}
