/**
 * A report's chart (recharts, in this module only, which the page loads lazily so the library
 * never weighs on the first screen): a line over days, bars for hours and methods, horizontal
 * bars for names (products, categories, cashiers), stacked bars where the parts add up (cost
 * and margin). Axis ticks are compact; the tooltip writes values exactly as the table does.
 */
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { minorDigits } from '@orbit/shared/format/format';
import { useFormat } from '@orbit/shared/format/locality';
import type { CellKind, ReportChart as ReportChartSpec } from '../report-shapes';
import { useCellFormat } from './use-cell-format';

const SERIES_COLORS = ['var(--color-brand-600)', 'var(--color-ok)', 'var(--color-warn)'];
/** Cost is the part of the bar that is not margin: drawn in grey. */
const NEUTRAL = '#94a3b8';
const NAME_KINDS: ReadonlySet<CellKind> = new Set(['text', 'category']);
const TICK = { fontSize: 12, fill: '#475569' };

function shorten(text: string, length = 18): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

export default function ReportChart({ chart, title }: { chart: ReportChartSpec; title: string }) {
  const { t } = useTranslation('reports');
  const format = useFormat();
  const write = useCellFormat();
  const { locale, currency } = format.locality;
  const horizontal = NAME_KINDS.has(chart.labelKind);
  // Dates keep their ISO value on the axis (short ticks, full date in the tooltip); the rest
  // are written once, so a missing category reads "Uncategorized" everywhere.
  const data = chart.points.map((point) => ({
    label: chart.labelKind === 'date' ? String(point.label) : write(chart.labelKind, point.label),
    ...point.values,
  }));
  const shortDate = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  const labelTick = (label: string) => (chart.labelKind === 'date' ? shortDate.format(new Date(`${label}T12:00:00Z`)) : shorten(label));
  const valueTick = (value: number) =>
    chart.valueKind === 'money'
      ? format.number(value / 10 ** minorDigits(currency), { style: 'currency', currency, notation: 'compact' })
      : format.number(value, { notation: 'compact' });
  const valueText = (value: unknown) => write(chart.valueKind, typeof value === 'number' ? value : Number(value));
  const labelText = (label: unknown) => (chart.labelKind === 'date' ? write('date', String(label)) : String(label));
  const color = (index: number, key: string) => (key === 'cost' ? NEUTRAL : SERIES_COLORS[index % SERIES_COLORS.length]);
  const seriesName = (key: string) => t(`columns.${key}`);
  const common = { accessibilityLayer: true, title, desc: title, data } as const;
  const tooltip = <Tooltip formatter={(value, name) => [valueText(value), String(name)]} labelFormatter={labelText} />;
  const legend = chart.series.length > 1 ? <Legend wrapperStyle={{ fontSize: 12, paddingTop: 8 }} formatter={(label) => <span className="text-slate-700">{label}</span>} /> : null;

  if (chart.kind === 'line') {
    return (
      <ResponsiveContainer width="100%" height={280}>
        <LineChart {...common} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tickFormatter={labelTick} tick={TICK} minTickGap={16} />
          <YAxis tickFormatter={valueTick} tick={TICK} width={72} />
          {tooltip}
          {legend}
          {chart.series.map((series, index) => (
            <Line key={series.key} type="monotone" dataKey={series.key} name={seriesName(series.key)} stroke={color(index, series.key)} strokeWidth={2} dot={data.length <= 31} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    );
  }
  const height = horizontal ? Math.max(200, data.length * 30 + 48) : 280;
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart {...common} layout={horizontal ? 'vertical' : 'horizontal'} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" horizontal={!horizontal} vertical={horizontal} />
        {horizontal ? (
          <>
            <XAxis type="number" tickFormatter={valueTick} tick={TICK} />
            <YAxis type="category" dataKey="label" tickFormatter={labelTick} tick={TICK} width={128} interval={0} />
          </>
        ) : (
          <>
            <XAxis dataKey="label" tickFormatter={labelTick} tick={TICK} />
            <YAxis tickFormatter={valueTick} tick={TICK} width={72} />
          </>
        )}
        {tooltip}
        {legend}
        {chart.series.map((series, index) => (
          <Bar key={series.key} dataKey={series.key} name={seriesName(series.key)} stackId={series.stack} fill={color(index, series.key)} maxBarSize={40} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}
