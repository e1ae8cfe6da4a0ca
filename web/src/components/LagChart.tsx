// The RPO / lag chart: ECharts, loaded only when a service page shows it (React.lazy), with
// only the parts it uses so that the chunk stays as small as ECharts allows. Canvas, not SVG:
// the server's Content-Security-Policy (style-src 'self') refuses inline style attributes.
import { LineChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { formatDuration } from '../lib/format.js';
import type { LagSeries } from '../lib/history.js';

echarts.use([
  LineChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export default function LagChart({ series, targetMs }: { series: LagSeries[]; targetMs: number }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | undefined>(undefined);

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, 'dark', { renderer: 'canvas' });
    chart.current = c;
    const onResize = () => c.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      c.dispose();
      chart.current = undefined;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(
      {
        backgroundColor: 'transparent',
        animation: false,
        textStyle: { fontSize: 13 },
        tooltip: {
          trigger: 'axis',
          valueFormatter: (v: unknown) => (typeof v === 'number' ? formatDuration(v) : 'unknown'),
        },
        legend: { top: 0, textStyle: { color: '#f0f0f0' } },
        grid: { left: 70, right: 24, top: 36, bottom: 36 },
        xAxis: { type: 'time', axisLabel: { color: '#e0e0e0' } },
        yAxis: {
          type: 'value',
          name: 'RPO',
          axisLabel: { color: '#e0e0e0', formatter: (v: number) => formatDuration(v) },
          splitLine: { lineStyle: { color: '#444' } },
        },
        series: series.map((s, i) => ({
          name: s.dataSet,
          type: 'line',
          showSymbol: false,
          connectNulls: false,
          data: s.points,
          ...(i === 0
            ? {
                markLine: {
                  symbol: 'none',
                  lineStyle: { color: '#ff6b6b', type: 'dashed', width: 2 },
                  label: {
                    formatter: `target ${formatDuration(targetMs)}`,
                    color: '#ff9b9b',
                    position: 'insideEndTop',
                  },
                  data: [{ yAxis: targetMs }],
                },
              }
            : {}),
        })),
      },
      { notMerge: true },
    );
  }, [series, targetMs]);

  const label = series
    .map((s) => {
      const last = s.points[s.points.length - 1];
      return `${s.dataSet}: now ${formatDuration(last?.[1] ?? undefined)}`;
    })
    .join('; ');
  return (
    <div
      ref={el}
      className="lag-chart"
      data-testid="lag-chart"
      role="img"
      aria-label={`RPO over time against the target ${formatDuration(targetMs)}. ${label}`}
    />
  );
}
