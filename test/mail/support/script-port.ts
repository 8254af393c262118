// A scripted AtPort for unit tests of the driver and the job state machine.
//
// It plays a small, well-behaved EC800 by default (model state: PDP active?, files in
// UFS, SMTP config) and lets a test override any command with a rule: answer OK /
// ERROR / +CME ERROR, information lines, a delay, URCs some time later, a timeout
// (silence), a reboot. Everything runs on host-sim's VirtualClock, so 300 s of send
// wait cost nothing. It records every command (with its payload for data-mode ones).
import type {
  AtDone,
  AtPort,
  AtRequest,
  AtResult,
  AtStats,
  Line,
  Prefix,
  UrcHandler,
} from "../../../firmware/at/types.js";
import {
  RESULT_CANCELLED,
  RESULT_CME,
  RESULT_ERROR,
  RESULT_GARBLED,
  RESULT_OK,
  RESULT_TIMEOUT,
  SHAPE_PROMPT,
} from "../../../firmware/at/types.js";
import type { VirtualClock } from "../../../host-sim/clock.js";
import { xor16 } from "../../../firmware/ext/upload/checksum.js";
import { callUrc } from "../../../firmware/at/urc.js";

export interface Reply {
  /** "OK" (default), "ERROR", "TIMEOUT" (no answer), "GARBLED" (OK, echo differed), a +CME number, or "CME:<text>". */
  result?: "OK" | "ERROR" | "TIMEOUT" | "GARBLED" | number | string;
  /** Information lines delivered to onLine (must carry the request's prefix). */
  lines?: string[];
  /** Virtual ms from write to final result. Default 20. */
  delayMs?: number;
  /** URCs to emit this many ms after the final result. */
  urcs?: { afterMs: number; line: string }[];
  /** After the final result, reboot the model and emit RDY after this many ms. */
  rebootAfterMs?: number;
}

export type ReplyFn = (command: string, data: Uint8Array | null, port: ScriptPort) => Reply;

interface Rule {
  match: (command: string) => boolean;
  reply: Reply | ReplyFn;
  times: number;
}

interface Pending {
  req: AtRequest;
  done: AtDone;
}

class LineView implements Line {
  readonly buf: Uint8Array;
  readonly start: number;
  readonly length: number;
  private textValue: string;
  private fields: string[];

  constructor(text: string) {
    this.textValue = text;
    this.buf = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) this.buf[i] = text.charCodeAt(i) & 0xff;
    this.start = 0;
    this.length = text.length;
    const colon = text.indexOf(": ");
    const body = colon >= 0 ? text.substring(colon + 2) : text;
    this.fields = [];
    let cur = "";
    let quoted = false;
    for (const ch of body) {
      if (ch === '"') quoted = !quoted;
      if (ch === "," && !quoted) {
        this.fields.push(cur);
        cur = "";
      } else cur += ch;
    }
    this.fields.push(cur);
  }
  startsWith(prefix: Prefix): boolean {
    return this.textValue.startsWith(prefix.text);
  }
  int(index: number, fallback: number): number {
    const f = this.fields[index];
    if (f === undefined || !/^\s*-?\d+\s*$/.test(f)) return fallback;
    return parseInt(f, 10);
  }
  hex(index: number, fallback: number): number {
    const f = this.fields[index];
    if (f === undefined || !/^\s*[0-9a-fA-F]+\s*$/.test(f)) return fallback;
    return parseInt(f, 16);
  }
  str(index: number): string {
    const f = this.fields[index];
    if (f === undefined) return "";
    const t = f.trim();
    return t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"' ? t.substring(1, t.length - 1) : t;
  }
  text(): string {
    return this.textValue;
  }
  fieldCount(): number {
    return this.fields.length;
  }
}

export class ScriptPort implements AtPort {
  readonly clock: VirtualClock;
  /** Every command written, as sent (text after "AT"). */
  readonly commands: string[] = [];
  /** Payloads of data-mode commands, in order. */
  readonly payloads: { command: string; data: Uint8Array }[] = [];
  /** Model state. */
  pdpActive = false;
  files = new Map<string, Uint8Array>();
  flushes = 0;
  closed = false;
  /**
   * Answer every command inside send() itself, lines, final result and URCs included: the
   * worst case of an engine handing out results from inside the call that wrote the
   * command. A caller that started the next command from inside a result callback would
   * go one level deeper with every command (test/core/next-turn.test.ts).
   */
  instant = false;
  private rules: Rule[] = [];
  private handlers: { prefix: Prefix; handler: UrcHandler }[] = [];
  private queue: Pending[] = [];
  private inFlight: Pending | null = null;
  private inFlightTimer: unknown = null;
  private urcTimers: unknown[] = [];
  private timeoutsInRow = 0;
  private st: AtStats = { lines: 0, overlong: 0, lateFinals: 0, urcs: 0, unknown: 0, timeouts: 0 };

  constructor(clock: VirtualClock) {
    this.clock = clock;
  }

  // ------------------------------------------------------------ scripting

  /** Override answers for commands starting with `match` (or matching the predicate). Newest rule wins. */
  on(match: string | ((command: string) => boolean), reply: Reply | ReplyFn, times = Infinity): this {
    const m = typeof match === "string" ? (c: string) => c.startsWith(match) : match;
    this.rules.unshift({ match: m, reply, times });
    return this;
  }

  /** Deliver a URC line now (as the module would, unsolicited). */
  urc(line: string): void {
    const view = new LineView(line);
    this.st.urcs++;
    for (const h of this.handlers.slice()) {
      if (view.startsWith(h.prefix)) callUrc(h.handler, view);
    }
  }

  /** Model a module reboot: session state lost, pending URCs dropped, RDY after `ms`. */
  reboot(ms: number): void {
    for (const t of this.urcTimers) this.clock.clearTimer(t);
    this.urcTimers = [];
    this.pdpActive = false;
    this.clock.setTimer(ms, () => this.urc("RDY"));
  }

  /** How many commands started with `prefix`. */
  count(prefix: string): number {
    return this.commands.filter((c) => c.startsWith(prefix)).length;
  }

  // ------------------------------------------------------------ AtPort

  prefix(text: string): Prefix {
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return { text, bytes };
  }

  send(request: AtRequest, done: AtDone): boolean {
    if (this.room() <= 0) return false;
    this.queue.push({ req: request, done });
    if (this.instant) this.next();
    else if (!this.inFlight) this.clock.setTimer(0, () => this.next());
    return true;
  }

  room(): number {
    return this.closed ? -1 : 8 - this.queue.length;
  }

  onUrc(prefix: Prefix, handler: UrcHandler): void {
    this.handlers.push({ prefix, handler });
  }

  flush(): void {
    this.flushes++;
    const cancelled: Pending[] = [];
    if (this.inFlight) cancelled.push(this.inFlight);
    if (this.inFlightTimer !== null) this.clock.clearTimer(this.inFlightTimer);
    this.inFlight = null;
    this.inFlightTimer = null;
    for (const p of this.queue) cancelled.push(p);
    this.queue = [];
    for (const p of cancelled) complete(p.done, this.result(RESULT_CANCELLED, -1, ""));
  }

  /** Lines come whole here (scripted): none is ever left open. */
  takeOpenLine(): void {}

  consecutiveTimeouts(): number {
    return this.timeoutsInRow;
  }

  stats(): AtStats {
    return this.st;
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.inFlight = null;
  }

  // ------------------------------------------------------------ engine

  private result(code: number, errorCode: number, errorText: string): AtResult {
    return { code, errorCode, errorText, elapsedMs: 0 };
  }

  private next(): void {
    if (this.inFlight || this.queue.length === 0 || this.closed) return;
    const p = this.queue.shift() as Pending;
    this.inFlight = p;
    const cmd = p.req.command;
    this.commands.push(cmd);
    let data: Uint8Array | null = null;
    if (p.req.shape === SHAPE_PROMPT && p.req.data) {
      const src = p.req.data;
      data = new Uint8Array(src.length);
      let pos = 0;
      while (pos < src.length) {
        const n = src.read(pos, data, pos, Math.min(100, src.length - pos));
        if (n <= 0) break;
        pos += n;
      }
      this.payloads.push({ command: cmd, data });
    }
    const reply = this.replyFor(cmd, data);
    if (reply.result === "TIMEOUT") {
      this.inFlightTimer = this.clock.setTimer(p.req.timeoutMs, () => {
        if (this.inFlight !== p) return;
        this.timeoutsInRow++;
        this.st.timeouts++;
        this.finish(p, this.result(RESULT_TIMEOUT, -1, ""), reply);
      });
      return;
    }
    const answer = () => {
      if (this.inFlight !== p) return;
      for (const l of reply.lines ?? []) {
        const view = new LineView(l);
        this.st.lines++;
        if (p.req.onLine && p.req.prefix && view.startsWith(p.req.prefix)) p.req.onLine(view);
      }
      this.timeoutsInRow = 0;
      const r = reply.result ?? "OK";
      let res: AtResult;
      if (r === "OK") res = this.result(RESULT_OK, -1, "");
      else if (r === "ERROR") res = this.result(RESULT_ERROR, -1, "");
      else if (r === "GARBLED") res = this.result(RESULT_GARBLED, -1, ""); // OK, but the echo differed
      else if (typeof r === "number") res = this.result(RESULT_CME, r, "");
      else res = this.result(RESULT_CME, -1, r.substring(4));
      this.finish(p, res, reply);
    };
    if (this.instant) answer();
    else this.inFlightTimer = this.clock.setTimer(reply.delayMs ?? 20, answer);
  }

  private finish(p: Pending, res: AtResult, reply: Reply): void {
    this.inFlight = null;
    this.inFlightTimer = null;
    for (const u of this.instant ? [] : (reply.urcs ?? [])) {
      const t = this.clock.setTimer(u.afterMs, () => {
        this.urcTimers = this.urcTimers.filter((x) => x !== t);
        this.urc(u.line);
      });
      this.urcTimers.push(t);
    }
    if (reply.rebootAfterMs !== undefined) this.reboot(reply.rebootAfterMs);
    complete(p.done, res);
    if (this.instant) for (const u of reply.urcs ?? []) this.urc(u.line);
    if (this.instant) this.next();
    else this.clock.setTimer(0, () => this.next());
  }

  private replyFor(cmd: string, data: Uint8Array | null): Reply {
    for (const rule of this.rules) {
      if (rule.times > 0 && rule.match(cmd)) {
        rule.times--;
        return typeof rule.reply === "function" ? rule.reply(cmd, data, this) : rule.reply;
      }
    }
    return this.model(cmd, data);
  }

  /** The default, well-behaved module. */
  model(cmd: string, data: Uint8Array | null): Reply {
    if (cmd === "" || cmd === "E1" || cmd === "+CMEE=1" || cmd.startsWith("+QURCCFG=")) return {};
    if (cmd === "+CPIN?") return { lines: ["+CPIN: READY"] };
    if (cmd === "+CSQ") return { lines: ["+CSQ: 23,99"] };
    if (cmd === "+CEREG?") return { lines: ["+CEREG: 0,1"] };
    if (cmd === "+CGREG?") return { lines: ["+CGREG: 0,1"] };
    if (cmd === "+CREG?") return { lines: ["+CREG: 0,1"] };
    if (cmd.startsWith("+QICSGP=")) return {};
    if (cmd === "+QIACT?") return { lines: this.pdpActive ? ['+QIACT: 1,1,1,"10.7.157.1"'] : [] };
    if (cmd.startsWith("+QIACT=")) {
      this.pdpActive = true;
      return { delayMs: 800 };
    }
    if (cmd.startsWith("+QIDEACT=")) {
      this.pdpActive = false;
      return { delayMs: 300 };
    }
    if (cmd.startsWith("+QSSLCFG=") || cmd.startsWith("+QSMTPCFG=") || cmd.startsWith("+QSMTPDST=") || cmd.startsWith("+QSMTPSUB=")) return {};
    if (cmd.startsWith("+QSMTPBODY=")) return { lines: ["+QSMTPBODY: " + (data ? data.length : 0)], delayMs: 100 };
    if (cmd.startsWith("+QFUPL=")) {
      const name = cmd.substring(cmd.indexOf('"') + 1, cmd.indexOf('"', cmd.indexOf('"') + 1));
      if (this.files.has(name)) return { result: 407 };
      const d = data ?? new Uint8Array(0);
      this.files.set(name, d);
      return { lines: ["+QFUPL: " + d.length + "," + xor16(d, 0, d.length).toString(16)], delayMs: 100 };
    }
    if (cmd.startsWith("+QFDEL=")) {
      const name = cmd.substring(cmd.indexOf('"') + 1, cmd.lastIndexOf('"'));
      if (!this.files.delete(name)) return { result: 405 };
      return {};
    }
    if (cmd.startsWith("+QSMTPATT=")) {
      const name = cmd.substring(cmd.indexOf('"') + 1, cmd.lastIndexOf('"'));
      return this.files.has(name) ? {} : { result: 661 };
    }
    if (cmd.startsWith("+QSMTPPUT=")) return { urcs: [{ afterMs: 3000, line: "+QSMTPPUT: 0,0" }] };
    if (cmd === "+QSMTPCLR") return {};
    if (cmd === "+CFUN=1,1") return { rebootAfterMs: 3000 };
    return { result: "ERROR" };
  }
}

/** Call a completion, a callback or an object's atDone (AtDone). */
function complete(done: AtDone, r: AtResult): void {
  if (typeof done === "function") done(r);
  else done.atDone(r);
}
