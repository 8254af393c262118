// End-to-end helpers: the scenario runner (firmware core on Node + EC800 model + the
// module's real SMTP engine) delivering to a real SMTP server that the test owns, so the
// test can read what the server really received (raw bytes, envelope, TLS state).
import { expect } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSession } from "../../host-sim/runner/session.js";
import { boardConfig, deepMerge, serverSettings } from "../../host-sim/runner/config.js";
import type { RunSessionOptions, SessionResult } from "../../host-sim/runner/types.js";
import { MailServer, type MailServerOptions, type ReceivedMail } from "../../host-sim/mailserver/server.js";
import { validateScenario, type Scenario } from "../../host-sim/scenarios/scenario.js";
import { parseTranscript } from "../../host-sim/transcript/format.js";

export type MailSpec = {
  to: string[];
  cc?: string[];
  bcc?: string[];
  subject: string;
  body: string;
  attachments?: { name: string; size?: number; text?: string }[];
};

/** A scenario object, validated like a bundled file (a typo in a test must not pass silently). */
export function scenario(name: string, parts: Omit<Scenario, "name" | "expect"> & { expect?: Scenario["expect"] }): Scenario {
  const s = { name, ...parts, expect: parts.expect ?? { delivered: [{}] } } as Scenario;
  const problems = validateScenario(s);
  if (problems.length > 0) throw new Error(`test scenario ${name} is invalid: ${problems.join("; ")}`);
  return s;
}

/** runSession with the runner's embedded server, its .eml files in a temp dir removed afterwards. */
export async function session(s: Scenario, o: Partial<RunSessionOptions> = {}): Promise<SessionResult> {
  const dir = mkdtempSync(join(tmpdir(), "cellmail-e2e-"));
  try {
    return await runSession({ scenario: s, engine: "node", mailDir: dir, ...o });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Delivery {
  result: SessionResult;
  /** What the test's SMTP server accepted, in order (raw bytes, envelope, parsed). */
  mails: ReceivedMail[];
  server: { host: string; port: number; caPem: string };
}

/**
 * Run a scenario against a real SMTP server started here with the TLS mode and AUTH the
 * board is configured for. `verify: true` boards get this server's CA unless the scenario
 * already names one. The scenario's `expect` is not checked here (the runner checks it only
 * against its embedded server); tests assert on `mails` and `result` themselves. `run` adds
 * session options (engine, composition).
 */
export async function deliver(s: Scenario, extra: Partial<MailServerOptions> = {}, wantMails?: number, run: Partial<RunSessionOptions> = {}): Promise<Delivery> {
  const server = await MailServer.start({ ...serverSettings(boardConfig(s, ""), s), ...extra });
  try {
    const fw = (s.firmware ?? {}) as Record<string, unknown>;
    const cfg = (fw.config ?? {}) as Record<string, unknown>;
    const ssl = ((cfg.smtp as Record<string, unknown> | undefined)?.ssl ?? {}) as Record<string, unknown>;
    let sc = s;
    if (ssl.verify && !ssl.cacert) {
      sc = { ...s, firmware: { ...fw, config: deepMerge(cfg, { smtp: { ssl: { cacert: server.caPem } } }) } };
    }
    const result = await runSession({ ...run, scenario: sc, smtp: { host: server.host, port: server.port } });
    const n = wantMails ?? result.delivered;
    if (server.messages().length < n) await server.waitForMessages(n, 5000).catch(() => undefined);
    return { result, mails: server.messages(), server: { host: server.host, port: server.port, caPem: server.caPem ?? "" } };
  } finally {
    await server.close();
  }
}

// ---- transcript ---------------------------------------------------------------------

export interface SentLine {
  /** Virtual ms of the record that completed the line. */
  t: number;
  /** The command line as sent, without its CR. */
  text: string;
}

export interface FirmwareStream {
  /** Every line the firmware sent outside data mode (commands, or whatever it sent as one). */
  lines: SentLine[];
  /** Payloads sent in data mode (QSMTPBODY / QFUPL), in order. */
  data: { command: string; bytes: Buffer; start: number; end: number }[];
}

/**
 * Split what the firmware sent into command lines and data-mode payloads, the way the
 * module does: after `AT+QSMTPBODY=<cs>,<len>,...` or `AT+QFUPL=<name>,<size>,...` is
 * answered with CONNECT, the next <len> bytes are data, not commands. Works on runs
 * without link faults (a lost byte would shift the split); a board power cut ends what
 * was being sent.
 */
export function firmwareStream(transcript: string): FirmwareStream {
  const recs = parseTranscript(transcript).records;
  const lines: SentLine[] = [];
  const data: FirmwareStream["data"] = [];
  let line: number[] = [];
  let pendingLen = -1; // announced data length of the last data command, until CONNECT (or "> " for a socket send)
  let pendingCmd = "";
  let prompt = "CONNECT";
  let dataLeft = 0;
  // A variable-length socket send (AT+QSSLSEND=<id>): its data end at Ctrl+Z (sent) or ESC (cancelled, not kept).
  let untilCtrl = false;
  let pendingVar = false;
  let cur: { command: string; bytes: number[]; start: number; end: number } | null = null;
  let cutAt = -1;
  for (const r of recs) {
    if (r.dir === "!" && r.text && /power cut/.test(r.text)) {
      // The board died: a half-sent payload or line goes no further; the next core starts afresh.
      dataLeft = 0;
      cur = null;
      pendingLen = -1;
      line = [];
      cutAt = r.t;
      continue;
    }
    if (r.dir === ">" && r.t === cutAt) continue; // the rest of the slice that reached a dead module with the cut
    if (r.dir === "<" && r.bytes) {
      const text = Buffer.from(r.bytes).toString("latin1");
      if (pendingVar && text.indexOf("> ") >= 0) {
        untilCtrl = true;
        pendingVar = false;
        cur = { command: pendingCmd, bytes: [], start: -1, end: -1 };
      } else if (pendingVar && /ERROR|OK/.test(text)) pendingVar = false;
      if (pendingLen > 0 && text.indexOf(prompt) >= 0) {
        dataLeft = pendingLen;
        cur = { command: pendingCmd, bytes: [], start: -1, end: -1 };
        pendingLen = -1;
      } else if (pendingLen > 0 && /ERROR/.test(text)) pendingLen = -1;
      continue;
    }
    if (r.dir !== ">" || !r.bytes) continue;
    for (const b of r.bytes) {
      if (untilCtrl && cur) {
        if (b === 0x1a || b === 0x1b) {
          if (b === 0x1a) data.push({ command: cur.command, bytes: Buffer.from(cur.bytes), start: cur.start, end: cur.end });
          cur = null;
          untilCtrl = false;
          continue;
        }
        if (cur.start < 0) cur.start = r.t;
        cur.bytes.push(b);
        cur.end = r.t;
        continue;
      }
      if (dataLeft > 0 && cur) {
        if (cur.start < 0) cur.start = r.t;
        cur.bytes.push(b);
        cur.end = r.t;
        if (--dataLeft === 0) {
          data.push({ command: cur.command, bytes: Buffer.from(cur.bytes), start: cur.start, end: cur.end });
          cur = null;
        }
        continue;
      }
      if (b === 0x1a || b === 0x1b) continue; // outside a send's data the module drops them (docs/sockets.md)
      if (b === 13) {
        const text = Buffer.from(line).toString("latin1");
        lines.push({ t: r.t, text });
        line = [];
        const body = /^AT\+QSMTPBODY=\d+,(\d+)/i.exec(text);
        const upl = /^AT\+QFUPL="[^"]*",(\d+)/i.exec(text);
        const send = /^AT\+Q(?:I|SSL)SEND=\d+,(\d+)/i.exec(text);
        if (/^AT\+Q(?:I|SSL)SEND=\d+$/i.test(text)) {
          pendingVar = true;
          pendingCmd = text;
        }
        if (body || upl || send) {
          pendingLen = Number((body ?? upl ?? send)![1]);
          pendingCmd = text;
          prompt = send ? "> " : "CONNECT";
        }
      } else line.push(b);
    }
  }
  if (line.length > 0) lines.push({ t: recs.length ? recs[recs.length - 1].t : 0, text: Buffer.from(line).toString("latin1") });
  return { lines, data };
}

/** Command lines (as sent, no CR) of the whole run. */
export function commandLines(transcript: string): string[] {
  return firmwareStream(transcript).lines.map((l) => l.text);
}

/**
 * Virtual times of the transcript's records whose text holds `text`, written by the firmware (">")
 * or by the module ("<"), in order.
 */
export function timesOf(transcript: string, dir: ">" | "<", text: string): number[] {
  return transcript
    .split("\n")
    .filter((l) => l.includes(` ${dir} `) && l.slice(l.indexOf(` ${dir} `) + 3).includes(text))
    .map((l) => Number(l.trim().split(" ")[0]));
}

/** Everything the module sent, as one latin1 string. */
export function moduleOutput(transcript: string): string {
  return parseTranscript(transcript)
    .records.filter((r) => r.dir === "<" && r.bytes)
    .map((r) => Buffer.from(r.bytes!).toString("latin1"))
    .join("");
}

/** Simulator notes ("!" records). */
export function notes(transcript: string): { t: number; text: string }[] {
  return parseTranscript(transcript)
    .records.filter((r) => r.dir === "!")
    .map((r) => ({ t: r.t, text: r.text ?? "" }));
}

/**
 * The commands an SMTP job may send (bring-up, PDP, SSL, files, SMTP, recovery). A line
 * outside this vocabulary would be something the firmware did not mean to send.
 */
const KNOWN = [
  /^AT$/,
  /^ATE1$/, // both cores keep echo on (they compare every command's echo with what was sent)
  /^AT\+CMEE=1$/,
  /^AT\+QURCCFG="urcport","uart1"$/,
  /^AT\+CPIN\?$/,
  /^AT\+CSQ$/,
  /^AT\+CCLK\?$/,
  /^AT\+QCCID$/,
  /^AT\+C(E|G)?REG\?$/,
  /^AT\+QICSGP=\d+,\d,"[^"]*","[^"]*","[^"]*",\d$/,
  /^AT\+QIACT\?$/,
  /^AT\+QIACT=\d+$/,
  /^AT\+QIDEACT=\d+$/,
  /^AT\+QSSLCFG="(sslversion|ciphersuite|seclevel|sni)",\d,\w+$/,
  /^AT\+QSSLCFG="cacert",\d,"UFS:[\w.-]+"$/,
  /^AT\+QSMTPCFG="(contextid|ssltype|sslctxid)",\d+$/,
  /^AT\+QSMTPCFG="smtpserver","[^"]*",\d+$/,
  /^AT\+QSMTPCFG="account","[^"]*","[^"]*"$/,
  /^AT\+QSMTPCFG="sender","[^"]*","[^"]*"$/,
  /^AT\+QSMTPDST=1,[123],"[^"]*"$/,
  /^AT\+QSMTPSUB=0,"[^"]*"$/,
  /^AT\+QSMTPSUB=1,"[0-9A-Fa-f]*"$/,
  /^AT\+QSMTPBODY=[0-3],\d+,\d+$/,
  /^AT\+QFUPL="UFS:[\w.-]+",\d+,\d+,1$/,
  /^AT\+QFDEL="UFS:[\w.-]+"$/,
  /^AT\+QSMTPATT=1,\d+(,"UFS:[\w.-]+")+$/,
  /^AT\+QSMTPATT=0$/,
  /^AT\+QSMTPPUT=\d+$/,
  /^AT\+QSMTPCLR$/,
  /^AT\+CFUN=1,1$/,
  // the socket transport (docs/sockets.md): payloads are data, not lines
  /^AT\+QSMTPCFG=\?$/,
  /^AT\+QISDE=1$/,
  /^AT\+QIOPEN=\d+,\d+,"TCP","[^"]*",\d+,0,0$/,
  /^AT\+QSSLOPEN=\d+,\d+,\d+,"[^"]*",\d+,0$/,
  /^AT\+Q(I|SSL)SEND=\d+$/, // variable length: the data end at Ctrl+Z (or ESC)
  /^AT\+QIRD=\d+,\d+$/,
  /^AT\+QSSLRECV=\d+,\d+$/, // also <id>,0: the totals after a damaged read
  /^AT\+Q(I|SSL)CLOSE=\d+$/,
  /^AT\+QISTATE=1,\d+$/, // an open whose URC was lost or damaged: the module's state decides
  /^AT\+QSSLSTATE=\d+$/,
];

/** Lines that are not one well-formed command of the known vocabulary. */
export function unexpectedLines(lines: string[]): string[] {
  return lines.filter((l) => !KNOWN.some((re) => re.test(l)));
}

/** The quoted parameters of a command line (no escapes exist inside AT strings). */
export function quotedParams(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push(m[1]);
  return out;
}

export function count(lines: string[], prefix: string): number {
  return lines.filter((l) => l.startsWith(prefix)).length;
}

/**
 * What must be equal between a Node run and an XS run of the same scenario, apart from
 * the transcript (compared byte for byte on its own).
 */
export function observable(r: SessionResult) {
  return {
    ok: r.ok,
    composition: r.composition,
    expectFailures: r.expectFailures,
    delivered: r.delivered,
    failed: r.failed,
    errors: r.errors,
    virtualMs: r.virtualMs,
    mails: r.mails.map((m) => ({ ...m, eml: undefined })),
    // The first note names the embedded server's port, which differs between runs.
    events: r.events.filter((e) => !e.text.startsWith("embedded SMTP server on")),
  };
}

/** Assert the run ended as its `expect` says, with the reasons in the message when not. */
export function expectOk(r: SessionResult): void {
  expect(r.expectFailures, `${r.scenario}: ${r.expectFailures.join("; ")}`).toEqual([]);
  expect(r.ok).toBe(true);
}

/**
 * The bytes of the body of a single-part text message as it travelled, decoded from its
 * Content-Transfer-Encoding (quoted-printable, base64 or 7bit/8bit). Not mailparser's
 * `text`: that one is normalised (CR LF -> LF), and the point here is byte-exactness.
 */
export function bodyBytes(m: ReceivedMail): Buffer {
  const raw = m.raw;
  const split = raw.indexOf("\r\n\r\n");
  if (split < 0) throw new Error("bodyBytes: no header/body separator");
  const headers = raw.subarray(0, split).toString("latin1").replace(/\r\n[ \t]+/g, " ");
  const type = /^Content-Type:\s*([^;\r\n]+)/im.exec(headers)?.[1].trim().toLowerCase() ?? "text/plain";
  if (!type.startsWith("text/plain")) throw new Error(`bodyBytes: a ${type} message is not a single text part`);
  const cte = /^Content-Transfer-Encoding:\s*(\S+)/im.exec(headers)?.[1].toLowerCase() ?? "7bit";
  const body = raw.subarray(split + 4);
  if (cte === "base64") return Buffer.from(body.toString("latin1").replace(/\s+/g, ""), "base64");
  if (cte === "7bit" || cte === "8bit" || cte === "binary") return Buffer.from(body);
  if (cte !== "quoted-printable") throw new Error(`bodyBytes: transfer encoding ${cte}`);
  const text = body.toString("latin1").replace(/=\r\n/g, "");
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(text.substr(i + 1, 2))) {
      out.push(parseInt(text.substr(i + 1, 2), 16));
      i += 2;
    } else out.push(c);
  }
  return Buffer.from(out);
}

/** Where two byte strings first differ (-1 when equal), with some context for the failure message. */
export function firstDiff(got: Buffer, want: Buffer): { at: number; got: string; want: string; gotLength: number; wantLength: number } | null {
  const n = Math.min(got.length, want.length);
  let i = 0;
  while (i < n && got[i] === want[i]) i++;
  if (i === n && got.length === want.length) return null;
  const ctx = (b: Buffer) => JSON.stringify(b.subarray(Math.max(0, i - 16), i + 16).toString("latin1"));
  return { at: i, got: ctx(got), want: ctx(want), gotLength: got.length, wantLength: want.length };
}
