/**
 * A thin React wrapper over uPlot (canvas charts, ~21 KB gzipped): the chart is built once per
 * `options` and fed new `data` with `setData`, so live updates redraw without rebuilding; it
 * follows its container's width. The canvas says nothing to screen readers: callers give the
 * figure a label and a text alternative (see `HourlySalesChart`).
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface UplotChartProps {
  /** Everything but the size, which follows the container. A new object rebuilds the chart. */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height: number;
  className?: string;
}

export function UplotChart({ options, data, height, className }: UplotChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latestData = useRef(data);
  latestData.current = data;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const plot = new uPlot({ ...options, width: Math.max(element.clientWidth, 100), height }, latestData.current, element);
    chart.current = plot;
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 100), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [options, height]);

  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);

  return <div ref={container} className={className} aria-hidden="true" />;
}

export default UplotChart;
