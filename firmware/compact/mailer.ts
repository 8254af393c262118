// The compact profile's EC800 driver and mail job in one: a run is a script of AT
// commands built from what the module still needs (bring-up once per module boot, PDP
// while it is down, the SMTP configuration once per boot) followed by the mail itself,
// then the wait for +QSMTPPUT. Commands are plain strings; the few that need more than
// "OK" are recognised by their text in `stepEnd` (poll the SIM and the registration,
// skip AT+QIACT=<cid> when the context is already up, data mode for the body).
//
// Recovery follows the Quectel note like the full job (firmware/mail/job.ts), in a
// shorter ladder: configuration and permanent errors and throttling end the mail at
// once; a network error re-activates PDP; a module that does not answer is rebooted
// (AT+CFUN=1,1, never twice within 10 minutes); anything else is tried again. At most
// MAX_RECOVERIES per mail, then the mail fails with the last code and the outbox keeps
// it. An unexpected RDY means the module lost its configuration and the mail content:
// the flags are cleared and the run starts again from what is now missing.
import type { Clock, Log, TimerHandle } from "../platform/types.js";
import { LOG_INFO, LOG_WARN } from "../platform/types.js";
import {
  E_ADDRESS, E_BODY_LENGTH, E_NOT_REGISTERED, E_NO_BOOT, E_PDP_DEACT, E_POWERED_DOWN, E_QUEUE_FULL,
  E_RECIPIENTS, E_REBOOTED, E_REBOOT_SPACING, E_SEND_TIMEOUT, E_SUBJECT, E_TIMEOUT,
  KIND_CONFIG, KIND_MODEM, KIND_NETWORK, KIND_PERMANENT, KIND_RETRYABLE, KIND_THROTTLED,
} from "../errors.js";
import { atSafe, AT_FIELD_MAX } from "../modem/quote.js";
import { cmeKind, protoKind } from "../modem/kinds.js";
import { utf8Hex, utf8Text } from "../text/utf8.js";
import type { CompactConfig } from "./config.js";
import type { AtLink } from "./link.js";
import type { CompactMail, CompactOutcome, CompactRadio } from "./types.js";

const MAX_RECOVERIES = 3;
const PAUSE_MS = 3000; //          before a step of the ladder
const POLL_MS = 2000; //           between SIM and registration polls
const SIM_WAIT_MS = 20000;
const REG_WAIT_MS = 120000;
const PROBES = 10; //              AT probes (1 s each) before the module counts as silent
const BOOT_WAIT_MS = 30000; //     for RDY after AT+CFUN=1,1
const REBOOT_SPACING_MS = 600000; // seed 4.2: reboots at least 10 minutes apart
const PUT_MARGIN_MS = 30000; //    beyond AT+QSMTPPUT's own timeout
const BODY_MAX = 10240;
const RECIPIENTS_MAX = 20;

const OP_NONE = 0;
const OP_SEND = 1;
const OP_RADIO = 2;
const OP_IDLE = 3;

// What the run is doing between commands.
const W_NONE = 0;
const W_PAUSE = 1; // a timer, then the current step again (poll, ladder pause)
const W_PUT = 2; //   the +QSMTPPUT URC
const W_RDY = 3; //   RDY after a reboot we asked for

/** Timeout of a step by its command (manual maximum response times, with room). */
function timeoutOf(step: string): number {
  if (step === "") return 1000;
  if (step.indexOf("+QIACT=") === 0) return 155000;
  if (step.indexOf("+QIDEACT") === 0) return 45000;
  if (step.indexOf("+CFUN") === 0) return 18000;
  if (step.indexOf("+QSMTPBODY") === 0) return 65000;
  if (step === "+CPIN?") return 7000;
  return 3000;
}

/** The kind of a local code (firmware/errors.ts) or module code. */
function kindOf(code: number, proto: number): number {
  const k = protoKind(proto) || cmeKind(code);
  if (k) return k;
  if (code === E_NO_BOOT || code === E_POWERED_DOWN || code === E_REBOOT_SPACING) return KIND_MODEM;
  if (code === E_PDP_DEACT || code === E_NOT_REGISTERED) return KIND_NETWORK;
  return code > 1000 && code < 1011 ? KIND_CONFIG : KIND_RETRYABLE;
}

/** The information-line prefix of a step: "+CSQ" -> "+CSQ:", "+CPIN?" -> "+CPIN:", "+QIACT=1" -> "+QIACT:". */
function prefixOf(step: string): string {
  let end = step.indexOf("=");
  if (end < 0) end = step.charAt(step.length - 1) === "?" ? step.length - 1 : step.length;
  return end > 0 ? step.substring(0, end) + ":" : "";
}

export class CompactMailer {
  private readonly link: AtLink;
  private readonly clock: Clock;
  private readonly c: CompactConfig;
  private readonly log: Log;
  /** Bring-up done in this module boot; PDP known up; SMTP configuration sent in this boot. */
  private booted: boolean;
  private pdp: boolean;
  private configured: boolean;
  private lastReboot: number;
  private op: number;
  private wait: number;
  private script: string[];
  private pos: number;
  private since: number; //   when the current step was first tried (polls)
  private tries: number; //   attempts of the current step
  private timer: TimerHandle;
  private recoveries: number;
  private timeouts: number; // E_TIMEOUTs in a row: two mean the module is stuck
  private bad: number; //      code of a value the AT gate refused while building the script
  private commands: number;
  private lastCode: number;
  private reboot: boolean; // the next run starts with AT+CFUN=1,1
  private deact: boolean; //  the next run starts with AT+QIDEACT
  private mail: CompactMail | null;
  private body: Uint8Array | null;
  private bodyCharset: number;
  private subject: string;
  private done: ((o: CompactOutcome) => void) | null;
  private radioDone: ((r: CompactRadio) => void) | null;
  private readonly radioNow: CompactRadio;
  private readonly onEnd: (code: number) => void;
  private readonly onInfo: (l: AtLink) => void;
  private readonly resume: () => void;

  constructor(link: AtLink, clock: Clock, config: CompactConfig, log: Log) {
    this.link = link;
    this.clock = clock;
    this.c = config;
    this.log = log;
    this.booted = false;
    this.pdp = false;
    this.configured = false;
    this.lastReboot = -REBOOT_SPACING_MS;
    this.op = OP_NONE;
    this.wait = W_NONE;
    this.script = [];
    this.pos = 0;
    this.since = 0;
    this.tries = 0;
    this.timer = null;
    this.recoveries = 0;
    this.timeouts = 0;
    this.bad = 0;
    this.commands = 0;
    this.lastCode = 0;
    this.reboot = false;
    this.deact = false;
    this.mail = null;
    this.body = null;
    this.bodyCharset = 0;
    this.subject = "";
    this.done = null;
    this.radioDone = null;
    this.radioNow = { csq: 99, stat: -1, clock: "" };
    this.onEnd = (code: number) => this.stepEnd(code);
    this.onInfo = (l: AtLink) => this.info(l);
    this.resume = () => {
      this.timer = null;
      const w = this.wait;
      this.wait = W_NONE;
      if (w === W_PUT) this.fail(E_SEND_TIMEOUT, 0);
      else if (w === W_RDY) this.advance(); // no RDY: probe with AT all the same
      else this.next();
    };
    link.onUrc = (l: AtLink) => this.urc(l);
  }

  /** Nothing is being done: a send, radio or idle call is accepted. */
  ready(): boolean {
    return this.op === OP_NONE;
  }

  /**
   * Send one mail. Returns 0 when accepted (`done` is called once, later), or the
   * code that refuses it at once (bad address, subject or body; busy: E_QUEUE_FULL).
   */
  send(mail: CompactMail, done: (o: CompactOutcome) => void): number {
    if (this.op !== OP_NONE) return E_QUEUE_FULL;
    const n = mail.to.length + mail.cc.length + mail.bcc.length;
    if (mail.to.length < 1 || n > RECIPIENTS_MAX) return E_RECIPIENTS;
    const all = mail.to.concat(mail.cc, mail.bcc);
    for (let i = 0; i < n; i++) {
      const e = atSafe(all[i], AT_FIELD_MAX, "recipient", false);
      if (e) return e.code;
      if (all[i].indexOf("@") < 1) return E_ADDRESS;
    }
    const subject = utf8Text(mail.subject, 100);
    if (!subject.bytes || atSafe(subject.ascii ? mail.subject : "", 100, "subject", true)) return E_SUBJECT;
    const body = utf8Text(mail.body, BODY_MAX);
    if (!body.bytes || body.length < 1) return E_BODY_LENGTH;
    this.subject = subject.ascii ? "0," + this.q(mail.subject, 100) : "1," + this.q(utf8Hex(mail.subject), 200);
    this.body = body.bytes;
    this.bodyCharset = body.ascii ? 0 : 1;
    this.mail = mail;
    this.done = done;
    this.recoveries = 0;
    this.commands = 0;
    this.start(OP_SEND);
    return 0;
  }

  /** Signal quality, registration and the module's clock (bring-up first when needed); unknown values on failure. */
  radio(done: (r: CompactRadio) => void): void {
    this.radioNow.csq = 99;
    this.radioNow.stat = -1;
    this.radioNow.clock = "";
    if (this.op !== OP_NONE) return done(this.radioNow);
    this.radioDone = done;
    this.start(OP_RADIO);
  }

  /** Nothing to send for a long time: deactivate the PDP context (seed step 5). */
  idle(): void {
    if (this.op === OP_NONE && this.pdp) this.start(OP_IDLE);
  }

  close(): void {
    this.quiet();
    this.op = OP_NONE;
    this.link.onUrc = null;
  }

  // ---- the run

  private start(op: number): void {
    this.op = op;
    this.bad = 0;
    const c = this.c;
    const q = (value: string) => this.q(value, 62);
    const s: string[] = [];
    if (this.reboot) {
      s.push("+CFUN=1,1");
      this.booted = this.pdp = this.configured = false;
    }
    if (this.deact) this.pdp = false;
    if (!this.booted) s.push("", "E0", "+CMEE=1", '+QURCCFG="urcport","uart1"', "+CPIN?", "+CEREG?");
    if (op === OP_RADIO) s.push("+CSQ", "+CEREG?", "+CCLK?");
    if (op === OP_IDLE) s.push("+QIDEACT=" + c.contextId);
    if (op === OP_SEND) {
      if (this.deact) s.push("+QIDEACT=" + c.contextId);
      if (!this.pdp) {
        s.push("+QICSGP=" + c.contextId + ",1," + q(c.apn) + "," + q(c.apnUser) + "," + q(c.apnPassword) + "," + c.apnAuth);
        s.push("+QIACT?", "+QIACT=" + c.contextId);
      }
      if (!this.configured) {
        const ctx = c.sslCtxId;
        if (c.sslType) {
          s.push('+QSSLCFG="sslversion",' + ctx + ",4", '+QSSLCFG="ciphersuite",' + ctx + ",0xFFFF");
          s.push('+QSSLCFG="seclevel",' + ctx + ",0", '+QSSLCFG="sni",' + ctx + ",1");
        }
        s.push('+QSMTPCFG="contextid",' + c.contextId, '+QSMTPCFG="ssltype",' + c.sslType);
        if (c.sslType) s.push('+QSMTPCFG="sslctxid",' + ctx);
        s.push('+QSMTPCFG="smtpserver",' + q(c.server) + "," + c.port);
        s.push('+QSMTPCFG="account",' + q(c.user) + "," + q(c.password));
        s.push('+QSMTPCFG="sender",' + q(c.senderName) + "," + q(c.senderEmail));
      }
      const m = this.mail as CompactMail;
      s.push("+QSMTPCLR");
      const lists = [m.to, m.cc, m.bcc];
      for (let t = 0; t < 3; t++) for (let i = 0; i < lists[t].length; i++) s.push("+QSMTPDST=1," + (t + 1) + "," + q(lists[t][i]));
      s.push("+QSMTPSUB=" + this.subject);
      const body = this.body as Uint8Array;
      s.push("+QSMTPBODY=" + this.bodyCharset + "," + body.length + ",60");
      s.push("+QSMTPPUT=" + c.putTimeoutS);
    }
    this.reboot = false;
    this.deact = false;
    this.script = s;
    this.pos = -1;
    if (this.bad) return this.finish(this.bad, 0);
    this.advance();
  }

  /** `value` in quotes once the one AT gate accepts it; else remembers the refusal (the run ends with it). */
  private q(value: string, max: number): string {
    const e = atSafe(value, max, "value", true);
    if (e) this.bad = e.code;
    return '"' + value + '"';
  }

  /** To the next step. */
  private advance(): void {
    this.pos++;
    this.tries = 0;
    this.since = this.clock.now();
    this.next();
  }

  /** Write the current step (again). */
  private next(): void {
    if (this.op === OP_NONE) return;
    const step = this.script[this.pos];
    if (step === undefined) return this.finish(0, 0);
    this.tries++;
    this.commands++;
    this.link.send(step, prefixOf(step), timeoutOf(step), step.indexOf("+QSMTPBODY") === 0 ? this.body : null, this.onInfo, this.onEnd);
  }

  /** Information lines of the current step. */
  private info(l: AtLink): void {
    const step = this.script[this.pos];
    const r = this.radioNow;
    if (step === "+CPIN?") this.lastCode = l.is("+CPIN: READY") ? 0 : -1;
    else if (step === "+CEREG?") r.stat = l.int(1);
    else if (step === "+CSQ") r.csq = l.int(0);
    else if (step === "+CCLK?") r.clock = l.text(8, 1); // +CCLK: "yy/MM/dd,hh:mm:ss+zz"
    else if (step === "+QIACT?" && l.int(0) === this.c.contextId && l.int(1) === 1) this.lastCode = 1;
  }

  private stepEnd(code: number): void {
    if (this.op === OP_NONE) return;
    const step = this.script[this.pos];
    const info = this.lastCode;
    this.lastCode = 0;
    if (code === E_TIMEOUT && step === "") {
      // The module may still be booting: probe again, then give up.
      return this.tries < PROBES ? this.next() : this.fail(E_NO_BOOT, 0);
    }
    this.timeouts = code === E_TIMEOUT ? this.timeouts + 1 : 0;
    if (step === "+CPIN?" && (code === 14 || code === 13 || (code === 0 && info < 0))) return this.poll(SIM_WAIT_MS, code || 11);
    if (code !== 0) return this.fail(code, 0);
    if (step === "+CEREG?") {
      const stat = this.radioNow.stat;
      if (stat === 3) return this.fail(E_NOT_REGISTERED, 0); // denied
      if (stat !== 1 && stat !== 5) return this.poll(REG_WAIT_MS, E_NOT_REGISTERED);
      this.booted = true;
    }
    if (step.indexOf("+CFUN") === 0) {
      this.lastReboot = this.clock.now();
      this.booted = this.pdp = this.configured = false;
      this.wait = W_RDY;
      this.timer = this.clock.setTimer(BOOT_WAIT_MS, this.resume);
      return;
    }
    if (step === "+QIACT?" && info === 1) {
      this.pdp = true;
      this.pos++; // already up: skip AT+QIACT=<cid>
    }
    if (step.indexOf("+QIACT=") === 0) this.pdp = true;
    if (step.indexOf("+QIDEACT") === 0) this.pdp = false;
    if (step.indexOf('+QSMTPCFG="sender"') === 0) this.configured = true;
    if (step.indexOf("+QSMTPPUT") === 0) {
      this.wait = W_PUT;
      this.timer = this.clock.setTimer(this.c.putTimeoutS * 1000 + PUT_MARGIN_MS, this.resume);
      return;
    }
    this.advance();
  }

  /** Ask again after POLL_MS until `limitMs` since the first try, then fail with `code`. */
  private poll(limitMs: number, code: number): void {
    if (this.clock.now() - this.since + POLL_MS > limitMs) return this.fail(code, 0);
    this.pause(POLL_MS);
  }

  private pause(ms: number): void {
    this.wait = W_PAUSE;
    this.timer = this.clock.setTimer(ms, this.resume);
  }

  private urc(l: AtLink): void {
    if (l.is("RDY")) {
      if (this.wait === W_RDY) {
        this.stopTimer();
        return this.advance();
      }
      // A reboot we did not ask for: configuration, PDP and mail content are gone. While
      // probing it is only the module finishing its start (the next probe succeeds).
      this.booted = this.pdp = this.configured = false;
      if (this.op !== OP_NONE && this.script[this.pos] !== "") this.fail(E_REBOOTED, 0);
    } else if (l.is("POWERED DOWN")) {
      this.booted = this.pdp = this.configured = false;
      if (this.op !== OP_NONE) this.finish(E_POWERED_DOWN, 0);
    } else if (l.starts('+QIURC: "pdpdeact"') && l.int(1) === this.c.contextId) {
      this.pdp = false;
      if (this.wait === W_PUT) this.fail(E_PDP_DEACT, 0);
    } else if (l.starts("+QSMTPPUT:") && this.wait === W_PUT) {
      this.stopTimer();
      const err = l.int(0);
      const proto = l.int(1);
      if (err === 0) this.finish(0, 0);
      else this.fail(err === err ? err : E_SEND_TIMEOUT, proto === proto ? proto : 0);
    }
  }

  /** A step failed: the ladder decides between another try and the end. */
  private fail(code: number, proto: number): void {
    this.quiet();
    if (this.op !== OP_SEND) return this.finish(code, proto);
    const kind = kindOf(code, proto);
    this.log(LOG_WARN, "mail step " + this.pos + " failed: " + code + (proto ? "/" + proto : ""));
    if (kind === KIND_CONFIG || kind === KIND_PERMANENT || kind === KIND_THROTTLED || this.recoveries >= MAX_RECOVERIES) {
      return this.finish(code, proto);
    }
    this.recoveries++;
    if (kind === KIND_NETWORK) this.deact = true;
    if (kind === KIND_MODEM || this.timeouts > 1) {
      if (this.clock.now() - this.lastReboot < REBOOT_SPACING_MS) return this.finish(E_REBOOT_SPACING, 0);
      this.reboot = true;
    }
    this.wait = W_PAUSE;
    this.timer = this.clock.setTimer(PAUSE_MS, () => {
      this.timer = null;
      this.wait = W_NONE;
      if (this.op === OP_SEND) this.start(OP_SEND);
    });
  }

  private finish(code: number, proto: number): void {
    this.quiet();
    const op = this.op;
    this.op = OP_NONE;
    this.wait = W_NONE;
    if (op === OP_SEND) {
      const done = this.done as (o: CompactOutcome) => void;
      this.done = null;
      this.mail = null;
      this.body = null;
      if (code === 0) this.log(LOG_INFO, "mail delivered");
      done({ delivered: code === 0, code: code, proto: proto, kind: code === 0 ? 0 : kindOf(code, proto), commands: this.commands, recoveries: this.recoveries });
    } else if (op === OP_RADIO) {
      const done = this.radioDone as (r: CompactRadio) => void;
      this.radioDone = null;
      if (code !== 0) {
        this.radioNow.csq = 99;
        this.radioNow.stat = -1;
      }
      done(this.radioNow);
    }
  }

  /** No timer and no command of this run left running (a cancelled command's end is ignored). */
  private quiet(): void {
    this.stopTimer();
    const op = this.op;
    this.op = OP_NONE;
    this.link.cancel();
    this.op = op;
  }

  private stopTimer(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
  }
}
