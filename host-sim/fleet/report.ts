// The fleet page: one self-contained HTML file (inline CSS and SVG, no scripts or resources
// from anywhere) drawn from a FleetResult: the outcome, the summary figures, the delivery
// curve over virtual time (alarms raised and delivered, the provider's refusals as a strip
// below), the latency histogram with its percentiles, the refusals by code and rule, the
// rules in force, and the boards that waited longest.
import { escapeHtml as h } from "../report/html.js";
import { axes, CHART_CSS, linear, num, svg, timeUnit } from "../report/svg.js";
import type { FleetResult } from "./run.js";

const PAGE_CSS = `
:root { --ok: #146c2e; --fail: #b3261e; --raised: #8a8a8a; --delivered: #146c2e; --refused: #b3261e; --muted: #666; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1b1b1b; background: #fafafa; }
header, main, footer { padding: 0 24px; }
h1 { font-size: 20px; margin: 16px 0 8px; }
h2 { font-size: 16px; margin: 20px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.outcome { display: inline-block; padding: 4px 10px; border-radius: 4px; color: #fff; font-weight: 600; margin: 0 0 8px; }
.outcome.ok { background: var(--ok); }
.outcome.fail { background: var(--fail); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; background: #fff; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #f0f0f0; font-weight: 600; }
td.num { font-variant-numeric: tabular-nums; text-align: right; }
ul.expect-failures li { color: var(--fail); }
.none { color: var(--muted); }
footer { color: var(--muted); font-size: 12px; margin: 24px 0; }
svg.chart path.raised { fill: none; stroke: var(--raised); stroke-width: 2; stroke-dasharray: 5 3; }
svg.chart path.delivered { fill: none; stroke: var(--delivered); stroke-width: 2.5; }
svg.chart rect.refused { fill: var(--refused); opacity: 0.75; }
svg.chart rect.bar { fill: #3b6fb6; }
svg.chart line.pct { stroke: #b3261e; stroke-width: 1.5; stroke-dasharray: 4 3; }
svg.chart text.pct { fill: #b3261e; }
` + CHART_CSS;

/** Seconds in the page's unit: "31.2 h". */
function dur(s: number): string {
  if (!Number.isFinite(s)) return "-";
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(2)} h`;
}

/** A step path through cumulative points [ms, count], from 0 to `endMs`. */
function stepPath(points: [number, number][], x: (s: number) => number, y: (n: number) => number, endMs: number): string {
  let d = `M${x(0).toFixed(1)},${y(0).toFixed(1)}`;
  for (const [t, n] of points) d += `H${x(t / 1000).toFixed(1)}V${y(n).toFixed(1)}`;
  return `${d}H${x(endMs / 1000).toFixed(1)}`;
}

function deliveryCurve(r: FleetResult): string {
  const W = 860;
  const H = 360;
  const box = { left: 64, top: 30, right: W - 20, bottom: H - 110 };
  const strip = { top: H - 62, bottom: H - 30 };
  const endMs = Math.max(r.virtualSeconds * 1000, 1000);
  const u = timeUnit(endMs / 1000);
  const xs = linear(0, endMs / 1000 / u.div, box.left, box.right);
  const x = (s: number) => xs(s / u.div);
  const total = Math.max(r.raised, 1);
  const y = linear(0, total, box.bottom, box.top, 5);
  let body = axes(xs, y, box, { x: "", y: "alarms" });
  body += `<path class="raised" d="${stepPath(r.series.raised, x, y, endMs)}"><title>alarms raised</title></path>`;
  body += `<path class="delivered" d="${stepPath(r.series.delivered, x, y, endMs)}"><title>alarms delivered</title></path>`;
  // Refusals per time bin, in a strip under the curve (same time axis).
  const bins = 120;
  const counts = new Array(bins).fill(0);
  for (const t of r.series.refused) counts[Math.min(bins - 1, Math.floor((t / endMs) * bins))]++;
  const peak = Math.max(1, ...counts);
  const bw = (box.right - box.left) / bins;
  body += `<g class="refusals"><line x1="${box.left}" y1="${strip.bottom}" x2="${box.right}" y2="${strip.bottom}" stroke="#888"/>`;
  counts.forEach((c, i) => {
    if (c === 0) return;
    const hgt = ((strip.bottom - strip.top) * c) / peak;
    body += `<rect class="refused" x="${(box.left + i * bw).toFixed(1)}" y="${(strip.bottom - hgt).toFixed(1)}" width="${Math.max(1, bw - 0.5).toFixed(1)}" height="${hgt.toFixed(1)}"><title>${c} refusal(s)</title></rect>`;
  });
  body += `<text x="${box.left - 6}" y="${strip.top + 10}" text-anchor="end" font-size="11">refusals</text><text x="${box.left - 6}" y="${strip.top + 23}" text-anchor="end" font-size="10" fill="#666">peak ${peak}/bin</text></g>`;
  body += `<text x="${(box.left + box.right) / 2}" y="${H - 6}" text-anchor="middle" font-size="12">virtual time (${u.unit}) since the fleet started</text>`;
  body += `<g class="legend"><line x1="${box.left + 10}" y1="14" x2="${box.left + 40}" y2="14" stroke="#8a8a8a" stroke-width="2" stroke-dasharray="5 3"/><text x="${box.left + 46}" y="18">raised (${r.raised})</text>`;
  body += `<line x1="${box.left + 170}" y1="14" x2="${box.left + 200}" y2="14" stroke="#146c2e" stroke-width="2.5"/><text x="${box.left + 206}" y="18">delivered (${r.delivered})</text>`;
  body += `<rect x="${box.left + 340}" y="8" width="10" height="10" fill="#b3261e" opacity="0.75"/><text x="${box.left + 356}" y="18">provider refusals (${r.series.refused.length})</text></g>`;
  return svg("delivery-curve", W, H, "Alarms raised and delivered over virtual time, with the provider's refusals", body);
}

function latencyHistogram(r: FleetResult): string {
  const W = 860;
  const H = 300;
  const box = { left: 64, top: 20, right: W - 20, bottom: H - 50 };
  const bins = r.series.latencyHistogram;
  if (bins.length === 0) return `<p class="none">No alarm was delivered.</p>`;
  const maxS = bins[bins.length - 1].to;
  const u = timeUnit(maxS);
  const xs = linear(0, maxS / u.div, box.left, box.right);
  const x = (s: number) => xs(s / u.div);
  const peak = Math.max(...bins.map((b) => b.count));
  const y = linear(0, peak, box.bottom, box.top, 5);
  let body = axes(xs, y, box, { x: `alarm to inbox (${u.unit}, virtual)`, y: "alarms" });
  for (const b of bins) {
    if (b.count === 0) continue;
    const x0 = x(b.from);
    const x1 = x(b.to);
    body += `<rect class="bar" x="${x0.toFixed(1)}" y="${y(b.count).toFixed(1)}" width="${Math.max(1, x1 - x0 - 1).toFixed(1)}" height="${(box.bottom - y(b.count)).toFixed(1)}"><title>${dur(b.from)}-${dur(b.to)}: ${b.count}</title></rect>`;
  }
  const marks: [string, number][] = [["p50", r.latency.p50], ["p90", r.latency.p90], ["p99", r.latency.p99]];
  marks.forEach(([name, v], i) => {
    if (!Number.isFinite(v)) return;
    const px = x(v).toFixed(1);
    // Labels near the right edge go to the left of their line.
    const anchor = x(v) > box.right - 90 ? `text-anchor="end" dx="-4"` : `dx="4"`;
    body += `<line class="pct" x1="${px}" y1="${box.top}" x2="${px}" y2="${box.bottom}"/><text class="pct" x="${px}" y="${box.top + 12 + i * 13}" ${anchor}>${name} ${h(dur(v))}</text>`;
  });
  return svg("latency-histogram", W, H, "How long alarms took from raise to inbox", body);
}

export function renderFleetReport(r: FleetResult, options: { generatedAt?: Date } = {}): string {
  const title = `cellmail fleet: ${r.scenario}`;
  const generated = (options.generatedAt ?? new Date()).toISOString();
  const failures = r.expectFailures.length ? `<ul class="expect-failures">${r.expectFailures.map((f) => `<li>${h(f)}</li>`).join("")}</ul>` : "";
  const byRule = Object.entries(r.refusalsByRule);
  const what = new Map(r.rules.map((x) => [x.id, x.what]));
  const refusals = byRule.length
    ? `<table id="refusal-table"><thead><tr><th>Code</th><th>Rule</th><th>What the provider enforces</th><th>Refusals</th></tr></thead><tbody>${byRule
        .map(([rule, n]) => `<tr><td>${h(String(r.rules.find((x) => x.id === rule)?.code ?? ""))}</td><td>${h(rule)}</td><td>${h(what.get(rule) ?? "")}</td><td class="num">${n}</td></tr>`)
        .join("")}</tbody></table>`
    : `<p class="none">The provider refused nothing.</p>`;
  const rules = r.rules.length
    ? `<table id="rules"><thead><tr><th>Rule</th><th>What</th><th>Reply</th></tr></thead><tbody>${r.rules
        .map((x) => `<tr><td>${h(x.id)}</td><td>${h(x.what)}</td><td class="num">${x.code}</td></tr>`)
        .join("")}</tbody></table>`
    : `<p class="none">The <code>open</code> profile enforces no provider rules.</p>`;
  const slow = r.perBoard.slice().sort((a, b) => b.maxLatency - a.maxLatency || a.name.localeCompare(b.name)).slice(0, 50);
  const boards = `<table id="boards"><thead><tr><th>Board</th><th>Sender</th><th>Recipient</th><th>Raised</th><th>Delivered</th><th>Queued</th><th>Failed</th><th>Lost</th><th>Duplicates</th><th>In order</th><th>Longest wait</th><th>Failed sends</th><th>Overlays</th></tr></thead><tbody>${slow
    .map(
      (b) =>
        `<tr><td>${h(b.name)}</td><td>${h(b.sender)}</td><td>${h(b.recipient)}</td><td class="num">${b.raised}</td><td class="num">${b.delivered}</td><td class="num">${b.queued}</td><td class="num">${b.failed}</td><td class="num">${b.lost}</td><td class="num">${b.duplicates}</td><td>${b.inOrder ? "yes" : "no"}</td><td class="num">${h(dur(b.maxLatency))}</td><td class="num">${b.jobsFailed}</td><td>${h(b.overlays.join(", "))}</td></tr>`,
    )
    .join("")}</tbody></table>`;
  const fact = (id: string, k: string, v: string | number) => `<dt>${h(k)}</dt><dd id="${id}">${h(String(v))}</dd>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cellmail">
<title>${h(title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>
<h1>${h(title)}</h1>
<p id="outcome" class="outcome ${r.ok ? "ok" : "fail"}">${r.ok ? "OK: the fleet's expectation held" : "FAILED: the fleet's expectation was not met"}</p>
${failures}
<dl class="facts">
${fact("f-boards", "Boards", `${r.boards} (composition ${r.composition}, provider ${r.provider})`)}
${fact("f-raised", "Alarms raised", r.raised)}
${fact("f-delivered", "Delivered", `${r.delivered} in ${r.mails} mails`)}
${fact("f-duplicates", "Duplicates", r.duplicates)}
${fact("f-queued", "Still queued", r.queued)}
${fact("f-failed", "Kept as failed", r.failed)}
${fact("f-lost", "Lost", r.lost)}
${fact("f-order", "In raise order", r.outOfOrder === 0 ? "every board" : `${r.outOfOrder} board(s) out of order`)}
${fact("f-latency", "Latency (alarm to inbox)", `p50 ${dur(r.latency.p50)}, p90 ${dur(r.latency.p90)}, p99 ${dur(r.latency.p99)}, max ${dur(r.latency.max)}`)}
${fact("f-drain", "Drain", `${dur(r.drainSeconds)} from the first alarm to the last delivery`)}
${fact("f-refusals", "Refusals per delivered mail", r.refusalsPerDelivered)}
${fact("f-run", "Run", `${dur(r.virtualSeconds)} of virtual time in ${num(r.wallSeconds)} s wall, peak RSS ${r.peakRssMB} MB`)}
<dt>Generated</dt><dd>${h(generated)}</dd>
</dl>
</header>
<main>
<section id="delivery"><h2>Delivery over time</h2>${deliveryCurve(r)}</section>
<section id="latency"><h2>Latency</h2>${latencyHistogram(r)}</section>
<section id="refusals"><h2>Provider refusals</h2>${refusals}</section>
<section id="rules-in-force"><h2>Rules in force (${h(r.provider)})</h2>${rules}</section>
<section id="board-list"><h2>Boards (the ${slow.length} that waited longest)</h2>${boards}</section>
</main>
<footer>Times are virtual. Latency runs from the moment a board raised an alarm to the moment its module started the SMTP transaction that delivered it. docs/fleet.md explains the rules and their sources.</footer>
</body>
</html>
`;
}
