// One ECharts chart (canvas), with its numbers for people who cannot see it: the chart is
// an image with a label, and a visually hidden table carries the same figures. Only the
// chart types and components used here are registered (echarts/core), to keep the bundle small.
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface ChartTable {
  caption: string;
  columns: string[];
  rows: Array<Array<string | number>>;
}

export function Chart({ option, label, table, height = 240, testId }: { option: EChartsCoreOption; label: string; table: ChartTable; height?: number; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const c = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const reduce = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
    chart.current?.setOption({ animation: !reduce, ...option }, { notMerge: true });
  }, [option]);

  return (
    <figure className="chart" data-testid={testId}>
      <div ref={ref} className="chart-canvas" role="img" aria-label={label} style={{ height }} />
      <table className="visually-hidden">
        <caption>{table.caption}</caption>
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((r, i) => (
            <tr key={i}>
              {r.map((v, j) => (j === 0 ? <th key={j} scope="row">{v}</th> : <td key={j}>{v}</td>))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
