// Mail figures from the paced simulator (firmware core on Node + EC800 model at 115200
// baud + the module's real SMTP engine + a real SMTP server, one virtual clock). Every
// figure is read from the UART transcript, so it counts what went over the wire.
//
//   sim.mail.commandsFirst          AT command lines for the first mail after power-on (one To, no attachment)
//   sim.mail.commandsNext           the same for the next mail on the same boot (target <= 6)
//   sim.mail.bodyLineRateUtilisation 10240-byte body: bytes/s in the QSMTPBODY data phase, from the module's
//                                   CONNECT to the last body byte reaching it, over 115200/10 bytes/s (target >= 0.95)
//   sim.mail.virtualSecondsFirst    virtual s from raising the alarm (at power-on) to +QSMTPPUT: 0,0, typical profile
//   sim.mail.sendSeconds            the 10240-byte mail: virtual s from its first AT+QSMTP command to +QSMTPPUT: 0,0
//                                   (typical profile, radio round trip 150 ms per exchange of the module's engine)
//
//   npx tsx bench/sim-mail.ts            print the figures and merge them into bench/results.json
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runSession } from "../host-sim/runner/session.js";
import { mergeResults } from "./results.js";
import type { SessionResult } from "../host-sim/runner/types.js";
import type { Scenario } from "../host-sim/scenarios/scenario.js";
import { parseTranscript, type TranscriptRecord } from "../host-sim/transcript/format.js";

export const SIM_MAIL_TARGETS = { commandsNext: 6, bodyLineRateUtilisation: 0.95 };

const BAUD = 115200;
const BODY_BYTES = 10240;

export function text(r: TranscriptRecord): string {
  return r.bytes ? Buffer.from(r.bytes).toString("latin1") : r.text ?? "";
}

/**
 * Command lines the firmware sent (split at CR), with the time of the record that ended each.
 * Data-mode bytes are skipped: a body or upload after CONNECT, a socket send's payload after "> ".
 */
export function commandLines(records: TranscriptRecord[]): { t: number; line: string }[] {
  const out: { t: number; line: string }[] = [];
  let cur = "";
  let announced = 0;
  let prompt = "CONNECT";
  let dataLeft = 0;
  // A variable-length socket send (AT+QSSLSEND=<id>): its data run to Ctrl+Z or ESC.
  let variable = false;
  let inVariable = false;
  for (const r of records) {
    if (r.dir === "<") {
      if (announced > 0 && text(r).includes(prompt)) {
        dataLeft = announced;
        announced = 0;
      }
      if (variable && text(r).includes("> ")) {
        inVariable = true;
        variable = false;
      }
      continue;
    }
    if (r.dir !== ">") continue;
    for (const ch of text(r)) {
      if (inVariable) {
        if (ch === "\x1a" || ch === "\x1b") inVariable = false;
        continue;
      }
      if (dataLeft > 0) {
        dataLeft--;
        continue;
      }
      if (ch === "\x1a" || ch === "\x1b") continue;
      if (ch !== "\r") {
        cur += ch;
        continue;
      }
      out.push({ t: r.t, line: cur });
      const m = /^AT\+QSMTPBODY=\d+,(\d+)/.exec(cur) ?? /^AT\+QFUPL="[^"]*",(\d+)/.exec(cur);
      const s = /^AT\+Q(?:I|SSL)SEND=\d+,(\d+)/.exec(cur);
      announced = m ? Number(m[1]) : s ? Number(s[1]) : 0;
      prompt = s ? "> " : "CONNECT";
      variable = /^AT\+Q(?:I|SSL)SEND=\d+$/.test(cur);
      cur = "";
    }
  }
  return out;
}

/** One run; the embedded server's .eml files go to a temp dir that is removed afterwards. */
export async function run(scenario: Scenario): Promise<SessionResult> {
  const dir = mkdtempSync(join(tmpdir(), "cellmail-bench-"));
  try {
    return await runSession({ scenario, engine: "node", mailDir: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function check(r: SessionResult, what: string): void {
  if (!r.ok) throw new Error(`${what}: the run did not end as expected: ${r.expectFailures.join("; ")}`);
}

export const mail = (subject: string, body: string) => ({ to: ["ops@example.com"], subject, body });

/** First and next mail on one boot: command lines before / after the second job was submitted. */
async function commandCounts(): Promise<{ first: number; next: number; firstReported: number; nextReported: number }> {
  const s: Scenario = {
    name: "bench-two-mails",
    module: { profile: "typical", urcPort: "uart1" },
    firmware: { mail: mail("Alarm: door 1 open", "Door 1 opened at 03:12."), more: [mail("Alarm: door 1 closed", "Door 1 closed at 03:14.")] },
    expect: { delivered: [{ subject: "Alarm: door 1 open" }, { subject: "Alarm: door 1 closed" }] },
  };
  const r = await run(s);
  check(r, "commands");
  const t2 = r.events.find((e) => e.kind === "command" && e.text.startsWith("submit mail job m2"))!.t;
  const lines = commandLines(parseTranscript(r.transcript).records);
  const reported = (id: string) => Number(/ (\d+) AT commands$/.exec(r.events.find((e) => e.kind === "result" && e.text.startsWith(`job ${id} delivered`))!.text)![1]);
  return {
    first: lines.filter((l) => l.t < t2).length,
    next: lines.filter((l) => l.t >= t2).length,
    firstReported: reported("m1"),
    nextReported: reported("m2"),
  };
}

/** The bench's 10,240-byte body (the same for both transports). */
export function benchBody(): string {
  let body = "";
  for (let i = 0; body.length < BODY_BYTES; i++) body += `line ${i}: level sensor reading 0123456789 abcdefghij\r\n`;
  return body.slice(0, BODY_BYTES);
}

/** Data-phase utilisation of the line with a 10240-byte body, and the mail's send time. */
async function bodyUtilisation(): Promise<{ utilisation: number; ms: number; idealMs: number; sendSeconds: number }> {
  const body = benchBody();
  const s: Scenario = {
    name: "bench-body-10240",
    module: { profile: "typical", urcPort: "uart1" },
    firmware: { mail: mail("Alarm: body line rate", body) },
    expect: { delivered: [{ subject: "Alarm: body line rate" }] },
  };
  const r = await run(s);
  check(r, "body");
  const recs = parseTranscript(r.transcript).records;
  const cmd = recs.findIndex((x) => x.dir === ">" && text(x).startsWith(`AT+QSMTPBODY=0,${BODY_BYTES},`));
  const connect = recs.findIndex((x, i) => i > cmd && x.dir === "<" && text(x).includes("CONNECT"));
  const end = recs.find((x) => x.dir === "!" && text(x).includes(`body ended by length (${BODY_BYTES} bytes)`));
  if (cmd < 0 || connect < 0 || !end) throw new Error("body: data phase not found in the transcript");
  const ms = end.t - recs[connect].t;
  const bytesPerSecond = BODY_BYTES / (ms / 1000);
  const first = commandLines(recs).find((l) => l.line.startsWith("AT+QSMTP"));
  const done = recs.find((x) => x.dir === "<" && text(x).includes("+QSMTPPUT: 0,0"));
  if (!first || !done) throw new Error("body: no AT+QSMTP command or no +QSMTPPUT: 0,0 in the transcript");
  return { utilisation: bytesPerSecond / (BAUD / 10), ms, idealMs: (BODY_BYTES * 10 * 1000) / BAUD, sendSeconds: (done.t - first.t) / 1000 };
}

/** Alarm raised at power-on -> +QSMTPPUT: 0,0 on the wire. */
async function alarmToSent(): Promise<number> {
  const s: Scenario = {
    name: "bench-alarm",
    module: { profile: "typical", urcPort: "uart1" },
    firmware: { alarm: { key: "leak", title: "Water leak in the pump room", text: "Leak sensor 1 is wet." } },
    expect: { delivered: [{ subject: "[sim-board] ALARM Water leak in the pump room" }] },
  };
  const r = await run(s);
  check(r, "alarm");
  const raised = r.events.find((e) => e.kind === "command" && e.text.startsWith("raise alarm"))!.t;
  const done = parseTranscript(r.transcript).records.find((x) => x.dir === "<" && text(x).includes("+QSMTPPUT: 0,0"));
  if (!done) throw new Error("alarm: no +QSMTPPUT: 0,0");
  return (done.t - raised) / 1000;
}

const round = (x: number, d: number) => Number(x.toFixed(d));

export async function simMailFigures(): Promise<Record<string, number>> {
  const c = await commandCounts();
  const u = await bodyUtilisation();
  const v = await alarmToSent();
  if (c.next !== c.nextReported) console.warn(`sim.mail: next mail ${c.next} command lines on the wire, job reports ${c.nextReported}`);
  return {
    "sim.mail.commandsFirst": c.first,
    "sim.mail.commandsNext": c.next,
    "sim.mail.bodyLineRateUtilisation": round(u.utilisation, 4),
    "sim.mail.virtualSecondsFirst": round(v, 3),
    "sim.mail.sendSeconds": round(u.sendSeconds, 3),
  };
}

async function main(): Promise<void> {
  const figures = await simMailFigures();
  const ok = (k: string, v: number) =>
    k.endsWith("commandsNext") ? (v <= SIM_MAIL_TARGETS.commandsNext ? "ok" : "MISSED") : k.endsWith("Utilisation") ? (v >= SIM_MAIL_TARGETS.bodyLineRateUtilisation ? "ok" : "MISSED") : "";
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(36)} ${String(v).padStart(10)}  ${ok(k, v)}`);
  mergeResults(figures);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
