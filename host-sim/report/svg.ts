// Small pieces for the pictures in our pages, drawn as inline SVG by our own code (no
// library, nothing from the network): linear scales with round ticks, time labels, and
// escaping. Used by the session report's timeline (timeline.ts) and the fleet page
// (host-sim/fleet/report.ts).
import { escapeHtml } from "./html.js";

export interface Scale {
  (v: number): number;
  ticks: number[];
}

/** About `count` round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Maps [d0, d1] onto [r0, r1], with ticks over the domain. */
export function linear(d0: number, d1: number, r0: number, r1: number, count = 6): Scale {
  const span = d1 - d0 || 1;
  const f = ((v: number) => r0 + ((v - d0) / span) * (r1 - r0)) as Scale;
  f.ticks = niceTicks(d0, d1, count);
  return f;
}

/** Ticks for a time axis in seconds, in a unit that reads well (s, min or h). */
export function timeUnit(maxSeconds: number): { div: number; unit: string } {
  if (maxSeconds >= 3 * 3600) return { div: 3600, unit: "h" };
  if (maxSeconds >= 180) return { div: 60, unit: "min" };
  return { div: 1, unit: "s" };
}

export function num(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 2 : 1);
}

/** An <svg> element with a title for screen readers. */
export function svg(id: string, width: number, height: number, title: string, body: string): string {
  return `<svg id="${escapeHtml(id)}" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${escapeHtml(id)}-title"><title id="${escapeHtml(id)}-title">${escapeHtml(title)}</title>${body}</svg>`;
}

/** Axis lines, tick marks and labels for a plot area. */
export function axes(
  x: Scale,
  y: Scale,
  box: { left: number; top: number; right: number; bottom: number },
  labels: { x: string; y: string; xFormat?: (v: number) => string; yFormat?: (v: number) => string },
): string {
  const fx = labels.xFormat ?? num;
  const fy = labels.yFormat ?? num;
  let s = `<g class="axes"><line x1="${box.left}" y1="${box.bottom}" x2="${box.right}" y2="${box.bottom}"/><line x1="${box.left}" y1="${box.top}" x2="${box.left}" y2="${box.bottom}"/>`;
  for (const t of x.ticks) {
    const px = x(t).toFixed(1);
    s += `<line x1="${px}" y1="${box.bottom}" x2="${px}" y2="${box.bottom + 4}"/><text x="${px}" y="${box.bottom + 16}" text-anchor="middle">${escapeHtml(fx(t))}</text>`;
  }
  for (const t of y.ticks) {
    const py = y(t).toFixed(1);
    s += `<line class="grid" x1="${box.left}" y1="${py}" x2="${box.right}" y2="${py}"/><text x="${box.left - 6}" y="${py}" dy="4" text-anchor="end">${escapeHtml(fy(t))}</text>`;
  }
  s += `<text class="label" x="${(box.left + box.right) / 2}" y="${box.bottom + 32}" text-anchor="middle">${escapeHtml(labels.x)}</text>`;
  s += `<text class="label" transform="translate(14 ${(box.top + box.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(labels.y)}</text></g>`;
  return s;
}

/** Style shared by the charts. */
export const CHART_CSS = `
svg.chart { background: #fff; border: 1px solid #e3e3e3; max-width: 100%; height: auto; font: 11px system-ui, sans-serif; }
svg.chart .axes line { stroke: #888; stroke-width: 1; }
svg.chart .axes line.grid { stroke: #eee; }
svg.chart .axes text { fill: #555; }
svg.chart .axes text.label { fill: #333; font-size: 12px; }
svg.chart .legend text { fill: #333; font-size: 12px; }
`;
