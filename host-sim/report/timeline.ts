// The session report's drawn timeline (inline SVG, above the table): lanes for the module's
// state (off, booting, ready, in an SMTP transaction: from the simulator's notes) and for
// what the firmware was doing with it (bring-up, PDP, SMTP configuration, building the mail,
// the send wait, clean-up, reboot: from the AT commands it wrote), the AT traffic's density
// in each direction, and marks for retries, faults and results, on one virtual time axis.
import type { TranscriptRecord } from "../transcript/format.js";
import type { SessionEvent } from "../runner/types.js";
import { escapeHtml as h } from "./html.js";
import { axes, linear, svg, timeUnit } from "./svg.js";

/** A span of a lane: [from, to) in virtual ms, with a state name. */
export interface Span {
  from: number;
  to: number;
  state: string;
}

/** Module states from the simulator's notes. */
const MODULE_NOTES: [RegExp, string][] = [
  [/^module: power on/, "booting"],
  [/^module: reboot/, "booting"],
  [/^module: ready/, "ready"],
  [/^module: send start/, "SMTP transaction"],
  [/^module: send end/, "ready"],
  [/^module: powered down/, "off"],
];

/** What a command line is for, by its name (first match wins); anything else is bring-up. */
const PHASES: [string, string][] = [
  ["AT+CFUN=1,1", "reboot"],
  ["AT+QICSGP", "PDP"],
  ["AT+QIACT", "PDP"],
  ["AT+QIDEACT", "PDP"],
  ["AT+QSSLCFG", "SMTP config"],
  ["AT+QSMTPCFG", "SMTP config"],
  ["AT+QSMTPPUT", "send wait"],
  ["AT+QFDEL", "clean-up"],
  ["AT+QSMTPDST", "mail"],
  ["AT+QSMTPSUB", "mail"],
  ["AT+QSMTPBODY", "mail"],
  ["AT+QFUPL", "mail"],
  ["AT+QSMTPATT", "mail"],
];

export const LANE_COLORS: Record<string, string> = {
  off: "#bdbdbd",
  booting: "#f2b84b",
  ready: "#8fc79a",
  "SMTP transaction": "#1f5fa8",
  "bring-up": "#c9a227",
  PDP: "#a57fd6",
  "SMTP config": "#6aa4d8",
  mail: "#4fb3a4",
  "send wait": "#2f7fd1",
  "clean-up": "#9aa3ad",
  reboot: "#d9534f",
};

function text(r: TranscriptRecord): string {
  return r.dir === "!" ? r.text ?? "" : String.fromCharCode(...(r.bytes ?? new Uint8Array(0)).subarray(0, 40));
}

/** The module lane: a span per state from the notes, the last one to `end`. */
export function moduleLane(recs: TranscriptRecord[], end: number): Span[] {
  const out: Span[] = [];
  let cur: Span | null = null;
  for (const r of recs) {
    if (r.dir !== "!") continue;
    const hit = MODULE_NOTES.find(([re]) => re.test(r.text ?? ""));
    if (!hit) continue;
    if (cur) cur.to = r.t;
    cur = { from: r.t, to: end, state: hit[1] };
    out.push(cur);
  }
  return out.filter((s) => s.to > s.from);
}

function phaseOf(line: string): string {
  if (line.startsWith("AT+QSMTPCLR")) return "mail";
  const hit = PHASES.find(([p]) => line.startsWith(p));
  return hit ? hit[1] : "bring-up";
}

/**
 * The firmware lane: each command from when it was written to the module's last answer
 * before the next command (a send wait to its +QSMTPPUT result); a clean-up AT+QSMTPCLR
 * (after a send) counts as clean-up. Gaps are times the firmware waited.
 */
export function firmwareLane(recs: TranscriptRecord[]): Span[] {
  const cmds: { t: number; line: string }[] = [];
  for (const r of recs) if (r.dir === ">" && r.bytes && r.bytes[0] === 0x41 && r.bytes[1] === 0x54) cmds.push({ t: r.t, line: text(r) });
  const answers = recs.filter((r) => r.dir === "<");
  const out: Span[] = [];
  let afterSend = false;
  let j = 0;
  for (let i = 0; i < cmds.length; i++) {
    const c = cmds[i];
    const next = i + 1 < cmds.length ? cmds[i + 1].t : Infinity;
    let last = c.t;
    while (j < answers.length && answers[j].t < c.t) j++;
    for (let k = j; k < answers.length && answers[k].t < next; k++) last = answers[k].t;
    let state = phaseOf(c.line);
    if (state === "mail" && c.line.startsWith("AT+QSMTPCLR") && afterSend) state = "clean-up";
    if (state === "send wait") afterSend = true;
    else if (state !== "clean-up") afterSend = false;
    out.push({ from: c.t, to: Math.max(last, c.t + 1), state });
  }
  return out;
}

/** Bytes per bin in one direction. */
export function density(recs: TranscriptRecord[], dir: ">" | "<", end: number, bins: number): number[] {
  const out = new Array(bins).fill(0);
  for (const r of recs) if (r.dir === dir && r.bytes) out[Math.min(bins - 1, Math.floor((r.t / Math.max(end, 1)) * bins))] += r.bytes.length;
  return out;
}

/** Fault notes of the simulator: injected faults, bytes lost or corrupted, FIFO overflows. */
export function faultMarks(recs: TranscriptRecord[]): { t: number; text: string }[] {
  return recs
    .filter((r) => r.dir === "!" && /^fault:|byte \d+ (lost|corrupted)|FIFO overflow|reboot \((fault|scheduled)/.test(r.text ?? ""))
    .map((r) => ({ t: r.t, text: r.text ?? "" }));
}

export function renderTimeline(recs: TranscriptRecord[], events: SessionEvent[], endMs: number): string {
  const W = 960;
  const left = 120;
  const right = W - 16;
  const end = Math.max(endMs, 1);
  const u = timeUnit(end / 1000);
  const xs = linear(0, end / 1000 / u.div, left, right, 10);
  const x = (ms: number) => xs(ms / 1000 / u.div);
  const rows = { module: 30, firmware: 62, tx: 100, rx: 134, marks: 172 };
  const laneH = 22;
  const H = 244;
  let body = "";
  const label = (y: number, t: string) => `<text x="${left - 8}" y="${y + laneH / 2 + 4}" text-anchor="end" font-size="12">${h(t)}</text>`;
  const lane = (name: string, y: number, spans: Span[]) => {
    let s = `<g class="lane" data-lane="${h(name)}">`;
    for (const sp of spans) {
      const x0 = x(sp.from);
      const w = Math.max(1, x(sp.to) - x0);
      s += `<rect class="span" data-state="${h(sp.state)}" x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${laneH}" fill="${LANE_COLORS[sp.state] ?? "#999"}"><title>${h(sp.state)}: ${(sp.from / 1000).toFixed(3)}-${(sp.to / 1000).toFixed(3)} s</title></rect>`;
    }
    return s + "</g>";
  };
  body += label(rows.module, "module") + lane("module", rows.module, moduleLane(recs, end));
  body += label(rows.firmware, "firmware") + lane("firmware", rows.firmware, firmwareLane(recs));
  const bins = 240;
  const bw = (right - left) / bins;
  for (const [dir, y, name, color] of [
    [">", rows.tx, "AT to module", "#0b57d0"],
    ["<", rows.rx, "AT from module", "#5b3e96"],
  ] as const) {
    const d = density(recs, dir, end, bins);
    const peak = Math.max(1, ...d);
    body += label(y, name) + `<g class="density" data-dir="${dir === ">" ? "tx" : "rx"}">`;
    d.forEach((n, i) => {
      if (n === 0) return;
      const hgt = Math.max(1.5, (laneH * n) / peak);
      body += `<rect x="${(left + i * bw).toFixed(1)}" y="${(y + laneH - hgt).toFixed(1)}" width="${Math.max(1, bw - 0.3).toFixed(1)}" height="${hgt.toFixed(1)}" fill="${color}"><title>${n} bytes</title></rect>`;
    });
    body += `<line x1="${left}" y1="${y + laneH}" x2="${right}" y2="${y + laneH}" stroke="#ccc"/></g>`;
  }
  body += label(rows.marks, "retries, faults");
  const cy = rows.marks + laneH / 2;
  let marks = `<g class="marks">`;
  for (const f of faultMarks(recs)) {
    const px = x(f.t);
    marks += `<g class="mark fault"><line x1="${px - 4}" y1="${cy - 4}" x2="${px + 4}" y2="${cy + 4}" stroke="#b3261e" stroke-width="2"/><line x1="${px - 4}" y1="${cy + 4}" x2="${px + 4}" y2="${cy - 4}" stroke="#b3261e" stroke-width="2"/><title>${h(f.text)}</title></g>`;
  }
  for (const e of events) {
    const px = x(e.t);
    if (e.kind === "retry") marks += `<path class="mark retry" d="M${(px - 5).toFixed(1)},${cy + 5} L${px.toFixed(1)},${cy - 5} L${(px + 5).toFixed(1)},${cy + 5} Z" fill="#e08a00"><title>${h(e.text)}</title></path>`;
    else if (e.kind === "result") {
      const ok = /delivered/.test(e.text);
      marks += `<circle class="mark result ${ok ? "ok" : "fail"}" cx="${px.toFixed(1)}" cy="${cy}" r="5" fill="${ok ? "#146c2e" : "#b3261e"}"><title>${h(e.text)}</title></circle>`;
    }
  }
  body += marks + "</g>";
  body += axes(xs, linear(0, 1, rows.marks + laneH + 8, rows.marks + laneH + 8, 1), { left, right, top: rows.marks + laneH + 8, bottom: rows.marks + laneH + 8 }, { x: `virtual time (${u.unit})`, y: "" }).replace(/<line class="grid"[^>]*\/><text[^>]*>[^<]*<\/text>/g, "");
  // Legend: the states drawn.
  const shown = new Set([...moduleLane(recs, end), ...firmwareLane(recs)].map((s) => s.state));
  let lx = left;
  let legend = `<g class="legend">`;
  for (const [state, color] of Object.entries(LANE_COLORS)) {
    if (!shown.has(state)) continue;
    legend += `<rect x="${lx}" y="6" width="10" height="10" fill="${color}"/><text x="${lx + 14}" y="15">${h(state)}</text>`;
    lx += 22 + state.length * 6.5;
  }
  legend += `<path d="M${lx + 2},16 L${lx + 7},6 L${lx + 12},16 Z" fill="#e08a00"/><text x="${lx + 16}" y="15">retry</text>`;
  lx += 56;
  legend += `<line x1="${lx}" y1="7" x2="${lx + 8}" y2="15" stroke="#b3261e" stroke-width="2"/><line x1="${lx}" y1="15" x2="${lx + 8}" y2="7" stroke="#b3261e" stroke-width="2"/><text x="${lx + 12}" y="15">fault</text></g>`;
  body += legend;
  return svg("timeline-chart", W, H, "Module state, firmware phase, AT traffic and marks over virtual time", body);
}
