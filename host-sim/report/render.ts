// The session report: one self-contained HTML page (inline CSS and a little inline JS,
// no external resources) rendered from a SessionResult. It shows the outcome, the mails
// that arrived and the errors, a summary (durations of states, retries, UART bytes by
// direction), a drawn timeline (report/timeline.ts: module state and firmware phase lanes,
// AT traffic density, retries, faults and results as marks) and the timeline table: UART
// traffic from the transcript (">" firmware to module,
// "<" module to firmware, "!" simulator notes) merged with the runner's events (state
// changes, commands, retries, results), in virtual time. The transcript is already
// redacted, so no credentials reach the page.
import { parseTranscript, escapeBytes, type TranscriptRecord } from "../transcript/format.js";
import type { SessionEvent, SessionResult } from "../runner/types.js";
import { REPORT_CSS, REPORT_JS } from "./assets.js";
import { escapeHtml } from "./html.js";
import { CHART_CSS } from "./svg.js";
import { renderTimeline } from "./timeline.js";

export interface ReportOptions {
  /** Page title (default: "cellmail session: <scenario>"). */
  title?: string;
  /** When the report was made (default: now). */
  generatedAt?: Date;
}

/** One timeline row. */
interface Row {
  t: number;
  /** "tx" (>), "rx" (<), "note" (!), or "ev-<kind>". */
  cls: string;
  mark: string;
  text: string;
  seq: number;
}

export { escapeHtml };

function ms(t: number): string {
  return t.toFixed(3);
}

function seconds(t: number): string {
  return t >= 1000 ? `${(t / 1000).toFixed(3)} s` : `${t.toFixed(1)} ms`;
}

/** Transcript records, tolerant of an empty or unreadable transcript. */
function records(result: SessionResult): { records: TranscriptRecord[]; header: Record<string, string>; error?: string } {
  try {
    const t = parseTranscript(result.transcript ?? "");
    return { records: t.records, header: t.header };
  } catch (e) {
    return { records: [], header: {}, error: (e as Error).message };
  }
}

/** Durations of the states reported by `state` events (each lasts until the next). */
export function stateDurations(events: SessionEvent[], endT: number): { state: string; t: number; ms: number }[] {
  const states = events.filter((e) => e.kind === "state");
  return states.map((e, i) => ({ state: e.text, t: e.t, ms: (i + 1 < states.length ? states[i + 1].t : endT) - e.t }));
}

function timeline(result: SessionResult, recs: TranscriptRecord[]): Row[] {
  const rows: Row[] = [];
  let seq = 0;
  for (const r of recs) {
    if (r.dir === "!") rows.push({ t: r.t, cls: "note", mark: "!", text: r.text ?? "", seq: seq++ });
    else rows.push({ t: r.t, cls: r.dir === ">" ? "tx" : "rx", mark: r.dir, text: escapeBytes(r.bytes ?? new Uint8Array(0)), seq: seq++ });
  }
  for (const e of result.events ?? []) rows.push({ t: e.t, cls: `ev-${e.kind}`, mark: e.kind, text: e.text, seq: seq++ });
  return rows.sort((a, b) => a.t - b.t || a.seq - b.seq);
}

export function renderReport(result: SessionResult, options: ReportOptions = {}): string {
  const title = options.title ?? `cellmail session: ${result.scenario}`;
  const generated = (options.generatedAt ?? new Date()).toISOString();
  const { records: recs, header, error: transcriptError } = records(result);
  const rows = timeline(result, recs);
  const tx = recs.filter((r) => r.dir === ">");
  const rx = recs.filter((r) => r.dir === "<");
  const bytes = (list: TranscriptRecord[]) => list.reduce((n, r) => n + (r.bytes ? r.bytes.length : 0), 0);
  const retries = (result.events ?? []).filter((e) => e.kind === "retry");
  const durations = stateDurations(result.events ?? [], result.virtualMs);
  const ok = result.ok;
  const h = escapeHtml;

  const mails = result.mails.length
    ? `<table class="mails"><thead><tr><th>Subject</th><th>From</th><th>To</th><th>Cc</th><th>Size</th><th>Attachments</th><th>.eml</th></tr></thead><tbody>${result.mails
        .map(
          (m) =>
            `<tr><td>${h(m.subject)}</td><td>${h(m.from)}</td><td>${h(m.to.join(", "))}</td><td>${h(m.cc.join(", "))}</td><td>${m.size}</td><td>${h(
              m.attachments.map((a) => `${a.name} (${a.size} B)`).join(", ") || "none",
            )}</td><td class="path">${h(m.eml)}</td></tr>`,
        )
        .join("")}</tbody></table>`
    : `<p class="none">No mail arrived.</p>`;

  const errors = result.errors.length
    ? `<ul class="errors">${result.errors.map((e) => `<li><code>${e.code}</code> ${h(e.cause)}</li>`).join("")}</ul>`
    : `<p class="none">No errors.</p>`;

  const expectFailures = result.expectFailures.length
    ? `<ul class="expect-failures">${result.expectFailures.map((f) => `<li>${h(f)}</li>`).join("")}</ul>`
    : "";

  const stateTable = durations.length
    ? `<table class="states"><thead><tr><th>State</th><th>From (ms)</th><th>Duration</th></tr></thead><tbody>${durations
        .map((d) => `<tr><td>${h(d.state)}</td><td class="num">${ms(d.t)}</td><td class="num">${seconds(d.ms)}</td></tr>`)
        .join("")}</tbody></table>`
    : `<p class="none">No state changes were reported.</p>`;

  const retryList = retries.length
    ? `<ul class="retries">${retries.map((e) => `<li><span class="num">${ms(e.t)} ms</span> ${h(e.text)}</li>`).join("")}</ul>`
    : `<p class="none">No retries.</p>`;

  let prev = 0;
  const rowHtml = rows
    .map((r) => {
      const delta = r.t - prev;
      prev = r.t;
      return `<tr class="row ${r.cls}" data-kind="${h(r.cls)}"><td class="num">${ms(r.t)}</td><td class="num delta">+${delta.toFixed(3)}</td><td class="mark">${h(
        r.mark,
      )}</td><td class="text"><code>${h(r.text)}</code></td></tr>`;
    })
    .join("\n");

  const kinds = Array.from(new Set(rows.map((r) => r.cls)));
  const label: Record<string, string> = { tx: "> firmware to module", rx: "< module to firmware", note: "! simulator notes" };
  const filters = kinds
    .map((k) => `<label><input type="checkbox" data-filter="${h(k)}" checked> ${h(label[k] ?? k.replace(/^ev-/, "event: "))}</label>`)
    .join(" ");

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cellmail">
<title>${h(title)}</title>
<style>${REPORT_CSS}${CHART_CSS}</style>
</head>
<body>
<header>
<h1>${h(title)}</h1>
<p id="outcome" class="outcome ${ok ? "ok" : "fail"}">${ok ? "OK: the scenario's expectation held" : "FAILED: the scenario's expectation was not met"}</p>
${expectFailures}
<dl class="facts">
<dt>Scenario</dt><dd>${h(result.scenario)}</dd>
<dt>Engine</dt><dd>${h(result.engine)}</dd>
<dt>Composition</dt><dd>${h(result.composition)}</dd>
<dt>Virtual time</dt><dd>${seconds(result.virtualMs)}</dd>
<dt>Delivered</dt><dd id="delivered">${result.delivered}</dd>
<dt>Failed</dt><dd id="failed">${result.failed}</dd>
<dt>UART</dt><dd>${tx.length} records / ${bytes(tx)} bytes to the module, ${rx.length} records / ${bytes(rx)} bytes from it</dd>
<dt>Retries</dt><dd>${retries.length}</dd>
${header.baud ? `<dt>Baud</dt><dd>${h(header.baud)}</dd>` : ""}
<dt>Generated</dt><dd>${h(generated)}</dd>
</dl>
</header>
<main>
<section id="timeline-drawn"><h2>Timeline at a glance</h2>
${renderTimeline(recs, result.events ?? [], result.virtualMs)}
</section>
<section id="mails"><h2>Mail</h2>${mails}</section>
<section id="errors"><h2>Errors</h2>${errors}</section>
<section id="states"><h2>States</h2>${stateTable}</section>
<section id="retries"><h2>Retries</h2>${retryList}</section>
<section id="timeline"><h2>Timeline</h2>
${transcriptError ? `<p class="warn">The transcript could not be read: ${h(transcriptError)}</p>` : ""}
<div class="filters">${filters}</div>
<table class="timeline"><thead><tr><th>t (ms)</th><th>Δ (ms)</th><th></th><th>Bytes / event</th></tr></thead>
<tbody>
${rowHtml}
</tbody></table>
</section>
</main>
<footer>Credentials are redacted in the transcript (<code>***</code>). Times are virtual milliseconds since the session started.</footer>
<script>${REPORT_JS}</script>
</body>
</html>
`;
}
