import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Requests per hour as bars (uPlot: small, fast, bundled; no CDN). */
export function UsageChart({ buckets, label }: { buckets: { hour: string; count: number }[]; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const width = Math.max(280, el.current.clientWidth);
    const data: uPlot.AlignedData = [buckets.map((b) => Date.parse(b.hour) / 1000), buckets.map((b) => b.count)];
    const plot = new uPlot(
      {
        width,
        height: 240,
        series: [{}, { label: 'requests', stroke: '#2563eb', fill: 'rgba(37, 99, 235, 0.35)', paths: uPlot.paths.bars!({ size: [0.8, 40] }) }],
        axes: [{}, { label: 'requests / hour' }],
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      },
      data,
      el.current,
    );
    return () => plot.destroy();
  }, [buckets]);
  return <div ref={el} role="img" aria-label={label} className="chart" />;
}
