/**
 * A small hand-written SVG line chart with logarithmic axes: one line per
 * series, a legend, and tick labels at powers of ten. Enough for the
 * benchmark's chart without a plotting dependency.
 */

export interface ChartSeries {
  label: string;
  color: string;
  dashed: boolean;
  points: Array<{ x: number; y: number }>;
}

export interface LogChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** Horizontal reference lines, e.g. targets. */
  references?: Array<{ y: number; label: string }>;
}

const WIDTH = 720;
const HEIGHT = 420;
const MARGIN = { left: 70, right: 200, top: 40, bottom: 50 };

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function decades(values: number[]): { low: number; high: number } {
  const logs = values.filter((v) => v > 0).map(Math.log10);
  const low = Math.floor(Math.min(...logs));
  const high = Math.ceil(Math.max(...logs));
  return { low, high: high > low ? high : low + 1 };
}

function tickText(exponent: number): string {
  const value = 10 ** exponent;
  return exponent >= -3 && exponent <= 3 ? String(Number(value.toPrecision(1))) : `1e${exponent}`;
}

export function renderLogChart(chart: LogChart): string {
  const xs = chart.series.flatMap((s) => s.points.map((p) => p.x));
  const ys = [...chart.series.flatMap((s) => s.points.map((p) => p.y)), ...(chart.references ?? []).map((r) => r.y)];
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`];
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  out.push(`<text x="${WIDTH / 2 - MARGIN.right / 2}" y="22" text-anchor="middle" font-size="15">${escape(chart.title)}</text>`);
  if (xs.length === 0 || ys.length === 0) {
    out.push('<text x="40" y="80">no measurements</text></svg>');
    return out.join('\n');
  }
  const xr = decades(xs);
  const yr = decades(ys);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number): number => MARGIN.left + ((Math.log10(x) - xr.low) / (xr.high - xr.low)) * plotW;
  const py = (y: number): number => MARGIN.top + plotH - ((Math.log10(y) - yr.low) / (yr.high - yr.low)) * plotH;
  const f = (v: number): string => v.toFixed(1);
  for (let e = xr.low; e <= xr.high; e++) {
    const x = MARGIN.left + ((e - xr.low) / (xr.high - xr.low)) * plotW;
    out.push(`<line x1="${f(x)}" y1="${MARGIN.top}" x2="${f(x)}" y2="${MARGIN.top + plotH}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${f(x)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${tickText(e)}</text>`);
  }
  for (let e = yr.low; e <= yr.high; e++) {
    const y = MARGIN.top + plotH - ((e - yr.low) / (yr.high - yr.low)) * plotH;
    out.push(`<line x1="${MARGIN.left}" y1="${f(y)}" x2="${MARGIN.left + plotW}" y2="${f(y)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${MARGIN.left - 8}" y="${f(y + 4)}" text-anchor="end">${tickText(e)}</text>`);
  }
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 12}" text-anchor="middle">${escape(chart.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(chart.yLabel)}</text>`);
  for (const ref of chart.references ?? []) {
    const y = py(ref.y);
    out.push(`<line x1="${MARGIN.left}" y1="${f(y)}" x2="${MARGIN.left + plotW}" y2="${f(y)}" stroke="#c00" stroke-dasharray="2 4"/>`);
    out.push(`<text x="${MARGIN.left + 4}" y="${f(y - 4)}" fill="#c00" font-size="10">${escape(ref.label)}</text>`);
  }
  chart.series.forEach((series, index) => {
    const points = [...series.points].sort((a, b) => a.x - b.x);
    const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
    if (points.length > 1) out.push(`<polyline fill="none" stroke="${series.color}" stroke-width="2"${dash} points="${points.map((p) => `${f(px(p.x))},${f(py(p.y))}`).join(' ')}"/>`);
    for (const p of points) out.push(`<circle cx="${f(px(p.x))}" cy="${f(py(p.y))}" r="3.5" fill="${series.color}"/>`);
    const ly = MARGIN.top + 10 + index * 20;
    const lx = WIDTH - MARGIN.right + 16;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${series.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 30}" y="${ly + 4}">${escape(series.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
