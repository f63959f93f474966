/**
 * The job's metric curves by round: loss on the left axis, AUC and accuracy
 * (0–1) on the right. The plot is built once and fed new points with
 * setData, so a live round extends the curve instead of redrawing the page.
 * A round without a metric is a gap, not a zero. data-points tells tests
 * (and curious people) how many rounds are plotted.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { RoundPoint } from '../../api';

interface MetricChartProps {
  rounds: RoundPoint[];
  /** The job's planned rounds: the x axis spans them, so the curve visibly grows. */
  totalRounds: number;
}

const HEIGHT = 260;
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const AXIS_COLOUR = '#5b6573';
const GRID = { stroke: '#e6e9ee', width: 1 };
const TICKS = { stroke: '#d5dae1', width: 1 };

function toData(rounds: RoundPoint[]): uPlot.AlignedData {
  const sorted = [...rounds].sort((a, b) => a.round - b.round);
  return [
    sorted.map((r) => r.round),
    sorted.map((r) => r.metrics?.loss ?? null),
    sorted.map((r) => r.metrics?.auc ?? null),
    sorted.map((r) => r.metrics?.accuracy ?? null),
  ];
}

function line(label: string, scale: string, stroke: string, digits: number): uPlot.Series {
  return {
    label,
    scale,
    stroke,
    width: 2,
    spanGaps: false,
    points: { show: true, size: 6, fill: '#ffffff' },
    value: (_u, v) => (v === null || v === undefined ? '—' : v.toFixed(digits)),
  };
}

function optionsFor(width: number, totalRounds: () => number): uPlot.Options {
  return {
    width,
    height: HEIGHT,
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: {
        time: false,
        range: (_u, _min, max) => [1, Math.max(2, totalRounds(), Number.isFinite(max) ? max : 1)],
      },
      loss: { auto: true },
      score: { auto: false, range: [0, 1] },
    },
    series: [
      { label: 'Round', value: (_u, v) => (v === null || v === undefined ? '—' : String(v)) },
      line('Loss', 'loss', '#7c3aed', 4),
      line('AUC', 'score', '#2563eb', 3),
      line('Accuracy', 'score', '#059669', 3),
    ],
    axes: [
      {
        label: 'Round',
        font: FONT,
        labelFont: FONT,
        stroke: AXIS_COLOUR,
        grid: GRID,
        ticks: TICKS,
        incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
        values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')),
      },
      { scale: 'loss', label: 'Loss', font: FONT, labelFont: FONT, stroke: AXIS_COLOUR, grid: GRID, ticks: TICKS, size: 56 },
      {
        scale: 'score',
        side: 1,
        label: 'AUC / accuracy',
        font: FONT,
        labelFont: FONT,
        stroke: AXIS_COLOUR,
        grid: { show: false },
        ticks: TICKS,
        size: 56,
      },
    ],
  };
}

export function MetricChart({ rounds, totalRounds }: MetricChartProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const totalRef = useRef(totalRounds);
  totalRef.current = totalRounds;

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return undefined;
    const plot = new uPlot(optionsFor(Math.max(host.clientWidth, 200), () => totalRef.current), toData([]), host);
    plotRef.current = plot;
    const observer = new ResizeObserver(() => {
      const width = host.clientWidth;
      if (width > 0 && width !== plot.width) plot.setSize({ width, height: HEIGHT });
    });
    observer.observe(host);
    return () => {
      observer.disconnect();
      plot.destroy();
      plotRef.current = null;
    };
  }, []);

  useEffect(() => {
    plotRef.current?.setData(toData(rounds));
  }, [rounds, totalRounds]);

  return (
    <div class="metric-chart" data-testid="metric-chart" data-points={String(rounds.length)}>
      <div class="metric-chart-plot" ref={hostRef} />
      {rounds.length === 0 && <p class="chart-empty muted">No round has finished yet.</p>}
    </div>
  );
}
