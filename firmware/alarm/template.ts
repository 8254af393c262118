// Mail text for an outbox entry: subject and body from the alarm, the board's name,
// the time, and the radio state (CSQ, registration) asked just before sending.
// Bounded: every input field is clipped when raised, so the body stays far below
// the module's 10240-byte limit.
import { twoDigits as two, utcParts } from "../text/utc.js";
import type { Entry } from "./outbox.js";
import type { RadioStatus } from "./types.js";
import { HEARTBEAT_KEY, OVERFLOW_KEY, COUNT_CAP } from "./types.js";

export interface TemplateContext {
  board: string;
  /** Clock ms now, and wall ms since 1970 now (-1 when unknown). */
  now: number;
  wall: number;
  radio: RadioStatus;
  /** Outbox state for the heartbeat and footers. */
  queued: number;
  failed: number;
  lost: number;
  /** Up to a few "id key: cause" lines for failed entries (heartbeat). */
  failedLines: string[];
}

export function renderSubject(e: Entry, board: string): string {
  if (e.key === HEARTBEAT_KEY) return "[" + board + "] heartbeat";
  if (e.key === OVERFLOW_KEY) return "[" + board + "] ALARM several alarms (outbox full)";
  let s = "[" + board + "] ALARM " + e.title;
  if (e.count > 1) s += " (x" + countText(e.count) + ")";
  return s;
}

export function renderBody(e: Entry, ctx: TemplateContext): string {
  const lines: string[] = [];
  lines.push("Board: " + ctx.board);
  if (e.key === HEARTBEAT_KEY) {
    lines.push("Heartbeat: the board is running.");
  } else if (e.key === OVERFLOW_KEY) {
    lines.push("Alarms raised while the outbox was full (grouped into this mail):");
    lines.push(e.text);
  } else {
    lines.push("Alarm: " + e.title + " (" + e.key + ")");
    if (e.text !== "") lines.push("Detail: " + e.text);
  }
  if (e.key !== HEARTBEAT_KEY) {
    if (e.count > 1) {
      lines.push("Occurrences: " + countText(e.count) + " in this mail");
      lines.push("First: " + when(e.firstWall, e.firstAt, ctx));
      lines.push("Last: " + when(e.lastWall, e.lastAt, ctx));
    } else {
      lines.push("Raised: " + when(e.firstWall, e.firstAt, ctx));
    }
  }
  lines.push("Sent: " + (ctx.wall >= 0 ? formatUtc(ctx.wall) : "time unknown (no wall clock)"));
  lines.push("Signal: " + signalText(ctx.radio));
  lines.push("Outbox: " + ctx.queued + " queued, " + ctx.failed + " failed" + (ctx.lost > 0 ? ", " + ctx.lost + " alarms lost (outbox full)" : ""));
  for (const l of ctx.failedLines) lines.push("  failed " + l);
  lines.push("Mail id: " + e.id + ", attempt " + e.attempts + " (a repeated id is a resend after a power cut)");
  return lines.join("\r\n") + "\r\n";
}

function countText(n: number): string {
  return n >= COUNT_CAP ? "at least " + COUNT_CAP : "" + n;
}

function when(wall: number, at: number, ctx: TemplateContext): string {
  if (wall >= 0) return formatUtc(wall);
  return duration(ctx.now - at) + " before this mail";
}

/** "CSQ 20 (-73 dBm), registered (home)". */
export function signalText(r: RadioStatus): string {
  let s = "CSQ " + r.csq;
  if (r.csq >= 0 && r.csq <= 31) s += " (" + (-113 + 2 * r.csq) + " dBm)";
  else s += " (unknown)";
  s += r.registered ? ", registered" : ", not registered";
  if (r.stat === 1) s += " (home)";
  else if (r.stat === 5) s += " (roaming)";
  else if (r.stat >= 0) s += " (stat " + r.stat + ")";
  return s;
}

/** "1 h 2 min 3 s" from ms (negative counts as 0). */
export function duration(ms: number): string {
  let s = ms > 0 ? Math.floor(ms / 1000) : 0;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  let out = "";
  if (h > 0) out += h + " h ";
  if (h > 0 || m > 0) out += m + " min ";
  return out + s + " s";
}

/** "2024-05-01 12:34:56 UTC" from ms since 1970, without Date (text/utc.ts). */
export function formatUtc(ms: number): string {
  const t = utcParts(ms);
  return t.year + "-" + two(t.month) + "-" + two(t.day) + " " + two(t.hour) + ":" + two(t.minute) + ":" + two(t.second) + " UTC";
}
