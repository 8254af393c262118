// The EC800 model: the module's side of the UART.
//
// Bytes from the link go through the command-line editor (echo of every byte incl. CR
// while ATE1, LF ignored, backspace, maximum line length) or, after CONNECT, to the
// active data phase (with `+++` guard-time detection). A complete line is parsed into
// sub-commands and run through the declarative command table (commands/*.ts): each
// handler answers after the timing profile's latency, and the model frames the answer
// (ATV1/ATV0, CMEE 0/1/2). One command runs at a time; lines completed meanwhile are
// queued. URCs are held while a command or data phase is in progress and sent right
// after it (unless a fault interleaves one); "service" URCs (+QIURC, +QSMTPPUT) reach
// the UART only when AT+QURCCFG="urcport" is "uart1" (or "all").
// Power: powerOn() -> boot delay -> RDY and the boot URC chain -> SIM busy window ->
// registration timeline. reboot() drops every session setting, pending timer and
// command; UFS files and QURCCFG survive. Faults come from a FaultPlan.
import type { VirtualClock } from "../clock.js";
import type { UartLink } from "../uart/link.js";
import type { OutgoingMail, SmtpEngine, SmtpOutcome, SmtpSession } from "../smtp/types.js";
import { cmeText } from "./codes.js";
import { Ctx, type CommandSpec, type DataMode, type Final } from "./command.js";
import { FaultPlan, type FaultSpec } from "./faults.js";
import { findAtPrefix, parseLine, type SubCommand } from "./parse.js";
import { makeProfile, type TimingProfile } from "./profile.js";
import { newPersistent, newSession, type PersistentState, type SessionState } from "./state.js";
import { buildCommandTable } from "./commands/index.js";
import { SocketTable } from "./sockets/table.js";
import type { SocketNetwork } from "./sockets/network.js";

export type SimState = "ready" | "absent" | "pin" | "failure";

export interface RegistrationStep {
  /** Milliseconds after the SIM became ready. */
  afterMs: number;
  /** 0 not registered, 1 home, 2 searching, 3 denied, 4 unknown, 5 roaming. */
  stat: number;
}

export interface Ec800Options {
  clock: VirtualClock;
  link: UartLink;
  smtp: SmtpEngine;
  profile?: TimingProfile;
  /** Echo after boot (the real module: always on). */
  echo?: boolean;
  /** CMEE after boot (EG800K behaves as 0, the EG800Q manual says 1). Default 0. */
  cmee?: number;
  /** AT+CMEE=<n> answers ERROR and CMEE stays at `cmee` (some firmware builds keep verbose, or no, codes). */
  refuseCmee?: boolean;
  /** Factory AT+QURCCFG="urcport" (persistent). Default "usbat" (service URCs never reach the UART). */
  urcPort?: string;
  baud?: number;
  sim?: SimState;
  /** PIN expected by AT+CPIN=<pin> when sim is "pin" (default "1234"). */
  simPin?: string;
  registration?: RegistrationStep[];
  /**
   * The radio the module registers on: "lte" (default; every registration query reports the
   * stat) or "gsm", a 2G cell of an EC200 with GSM fallback: AT+CEREG? (EPS) says 0 and only
   * AT+CGREG? and AT+CREG? report the registration (the full driver's fallback, docs/profiles.md).
   */
  rat?: "lte" | "gsm";
  operator?: string;
  csq?: [number, number];
  /**
   * Network time (ms since 1970, UTC) at virtual time 0, as NITZ would set it once the module
   * registers; AT+CCLK? reports it in local time with this offset in quarter hours.
   * Defaults: 2026-11-23T00:00:00Z and +32 (UTC+8, China Standard Time).
   */
  networkTimeMs?: number;
  timeZoneQuarters?: number;
  /** IP address given to an activated PDP context. */
  ip?: string;
  maxLineLength?: number;
  /** Firmware built without SMTP AT (every QSMTP command answers ERROR). */
  smtpSupported?: boolean;
  /** Bytes the module emits before RDY (power-up garbage). */
  bootGarbage?: string;
  /** Order of the two +QIND lines. */
  bootUrcOrder?: "sms-pb" | "pb-sms";
  faults?: FaultPlan;
  /** Where the socket commands' host names and ports lead (default: RFC 6761 names, then the system resolver). */
  network?: SocketNetwork;
  /** Real time the clock waits for a reply the server owes a socket before it goes on (default 5000 ms). */
  socketRealWaitMs?: number;
  model?: string;
  revision?: string;
  /** AT+QSSLSEND=<id>'s data is echoed while AT+QISDE=1 (default true; docs/sockets.md: a decision, no note says). */
  sslSendEcho?: boolean;
  /** The SIM's ICCID (AT+QCCID). Default 89860012345678901234. */
  iccid?: string;
}

export interface SendRecord {
  startedAt: number;
  endedAt?: number;
  /** The session as configured, password replaced by "***". */
  session: SmtpSession;
  mail: OutgoingMail;
  outcome?: SmtpOutcome;
  /** The result was overridden by a fault or a reboot. */
  abandoned?: string;
}

interface PendingLine {
  line: string;
  overflow: boolean;
}

const CR = 13;
const LF = 10;
const BS = 8;
const CTRL_Z = 0x1a; // ends a variable-length AT+QISEND / AT+QSSLSEND input: send
const ESC = 0x1b; //    ... and cancels it
const PLUS = 43;

function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("latin1");
}

/** The byte of a URC's CR LF that a damageUrc fault loses on the UART, or none. */
type LineEndLost = "cr" | "lf" | null;

export class Ec800 {
  readonly clock: VirtualClock;
  readonly link: UartLink;
  readonly smtp: SmtpEngine;
  readonly profile: TimingProfile;
  readonly faults: FaultPlan;
  readonly opts: Ec800Options;
  persistent: PersistentState;
  session: SessionState;
  power: "off" | "booting" | "on" | "down" = "off";
  sim: "off" | "busy" | SimState = "off";
  regStat = 0;
  cgatt = 0;
  cfun = 1;
  /** The UART rate the module uses now (AT+IPR changes it, a reboot restores the saved one). */
  currentBaud: number;
  /** A +QSMTPPUT transaction is running. */
  sending = false;
  readonly sends: SendRecord[] = [];
  /** The TCP/SSL sockets (AT+QIOPEN, AT+QSSLOPEN ...). */
  readonly sockets: SocketTable;
  readonly stats = { commands: 0, reboots: 0, qfuplDropped: 0, linesDiscarded: 0, puts: 0, powerCuts: 0 };
  private epoch = 0;
  private table: Map<string, CommandSpec>;
  private lineBuf: Uint8Array;
  private lineLen = 0;
  private lineOverflow = false;
  private busy = false;
  private pendingLines: PendingLine[] = [];
  private held: [string, LineEndLost][] = [];
  private afterResponse: (() => void)[] = [];
  private data: DataMode | null = null;
  private plusPending = 0;
  private plusFirstAt = 0;
  private lastDataAt = 0;
  private guardTimer: unknown = null;
  private listeners: ((event: string, detail?: unknown) => void)[] = [];

  constructor(options: Ec800Options) {
    this.opts = options;
    this.clock = options.clock;
    this.link = options.link;
    this.smtp = options.smtp;
    this.profile = options.profile ?? makeProfile("typical");
    this.faults = options.faults ?? new FaultPlan();
    this.persistent = newPersistent(options.urcPort ?? "usbat", options.baud ?? 115200);
    this.session = newSession(options.echo ?? true, options.cmee ?? 0);
    this.currentBaud = this.persistent.savedBaud;
    this.table = buildCommandTable(options.smtpSupported ?? true);
    this.sockets = new SocketTable(this, options.network ?? {}, options.socketRealWaitMs ?? 5000);
    this.lineBuf = new Uint8Array(options.maxLineLength ?? 512);
    this.link.attachModule((bytes) => this.onReceive(bytes));
  }

  // ------------------------------------------------------------------ events

  on(listener: (event: string, detail?: unknown) => void): void {
    this.listeners.push(listener);
  }

  emit(event: string, detail?: unknown): void {
    this.link.note(`module: ${event}`);
    for (const l of this.listeners) l(event, detail);
  }

  // ------------------------------------------------------------------ time

  /** Run fn after ms, unless the module reboots or powers down meanwhile. */
  later(ms: number, fn: () => void): unknown {
    const e = this.epoch;
    return this.clock.setTimer(ms, () => {
      if (e === this.epoch) fn();
    });
  }

  get epochNow(): number {
    return this.epoch;
  }

  latency(name: string): number {
    return this.profile.perCommandMs[name] ?? this.profile.commandMs;
  }

  // ------------------------------------------------------------------ power

  powerOn(): void {
    if (this.power === "booting" || this.power === "on") return;
    this.power = "booting";
    this.emit("power on");
    this.later(this.profile.bootMs, () => this.boot());
  }

  /** Reset the module (AT+CFUN=1,1, a fault, a watchdog). */
  reboot(reason: string, silenceMs = this.profile.rebootSilenceMs): void {
    this.resetVolatile();
    this.stats.reboots++;
    this.power = "booting";
    this.emit(`reboot (${reason})`);
    this.later(silenceMs + this.profile.bootMs, () => this.boot());
  }

  /** The supply is cut (a board power cut that takes the module along): silent, everything volatile lost, until powerOn(). */
  powerCut(): void {
    this.resetVolatile();
    this.stats.powerCuts++;
    this.power = "off";
    this.emit("power cut");
  }

  /** AT+QPOWD: POWERED DOWN later, then nothing until powerOn(). */
  powerDown(afterMs: number): void {
    this.later(afterMs, () => {
      this.send("\r\nPOWERED DOWN\r\n");
      this.resetVolatile();
      this.power = "down";
      this.emit("powered down");
    });
  }

  private resetVolatile(): void {
    this.epoch++;
    this.busy = false;
    this.pendingLines = [];
    this.held = [];
    this.afterResponse = [];
    this.data = null;
    this.plusPending = 0;
    this.lineLen = 0;
    this.lineOverflow = false;
    if (this.sending) {
      const last = this.sends[this.sends.length - 1];
      if (last && !last.outcome) last.abandoned = "module reset during the send";
    }
    this.sending = false;
    this.sockets.closeAll();
    this.sockets.lastError = 0;
    this.session = newSession(this.opts.echo ?? true, this.opts.cmee ?? 0);
    for (const name of [...this.persistent.files.keys()]) if (name.startsWith("RAM:")) this.persistent.files.delete(name);
    this.sim = "off";
    this.regStat = 0;
    this.cgatt = 0;
    this.cfun = 1;
    this.currentBaud = this.persistent.savedBaud;
    this.link.setModuleBaud(this.persistent.savedBaud);
  }

  /** AT+IPR: switch once the bytes already queued (the OK) have left. */
  changeBaud(baud: number): void {
    const wait = this.link.pendingToFirmware() * this.link.byteTimeMs();
    this.currentBaud = baud;
    this.later(wait, () => this.link.setModuleBaud(baud));
  }

  /** AT+CFUN=0/1/4: radio (and for 0 the SIM) off or on. */
  setFun(fun: number): void {
    const was = this.cfun;
    this.cfun = fun;
    if (fun === 0 || fun === 4) {
      this.session.active.clear();
      this.setRegistration(0);
      if (fun === 0 && this.sim === "ready") this.sim = "off";
    } else if (was !== 1) {
      if (this.sim === "off") this.simReady();
      else for (const step of this.registrationSteps()) this.later(step.afterMs, () => this.setRegistration(step.stat));
    }
  }

  registrationSteps(): RegistrationStep[] {
    return this.opts.registration ?? [
      { afterMs: 0, stat: 2 },
      { afterMs: 1500, stat: 1 },
    ];
  }

  private boot(): void {
    if (this.opts.bootGarbage) this.send(this.opts.bootGarbage);
    this.power = "on";
    this.send("\r\nRDY\r\n");
    this.emit("ready");
    const gap = this.profile.urcGapMs;
    const simKind = this.opts.sim ?? "ready";
    this.later(gap, () => this.urc("+CFUN: 1"));
    if (simKind === "absent") {
      this.sim = "absent";
      return;
    }
    this.sim = "busy";
    this.later(this.profile.simBusyMs, () => {
      if (simKind === "pin") {
        this.sim = "pin";
        this.urc("+CPIN: SIM PIN");
        return;
      }
      if (simKind === "failure") {
        this.sim = "failure";
        return;
      }
      this.simReady();
    });
  }

  simReady(): void {
    this.sim = "ready";
    const gap = this.profile.urcGapMs;
    this.urc("+CPIN: READY");
    this.later(gap, () => this.urc("+QUSIM: 1"));
    const order = this.opts.bootUrcOrder === "pb-sms" ? ["PB DONE", "SMS DONE"] : ["SMS DONE", "PB DONE"];
    this.later(2 * gap, () => this.urc(`+QIND: ${order[0]}`));
    this.later(3 * gap, () => this.urc(`+QIND: ${order[1]}`));
    for (const step of this.registrationSteps()) this.later(step.afterMs, () => this.setRegistration(step.stat));
  }

  setRegistration(stat: number): void {
    if (stat === this.regStat) return;
    this.regStat = stat;
    this.cgatt = stat === 1 || stat === 5 ? 1 : 0;
    const registered = this.cgatt === 1;
    for (const kind of ["CREG", "CGREG", "CEREG"] as const) {
      const n = this.session.regUrc[kind];
      const s = this.regStatOf(kind);
      if (kind === "CEREG" && s === 0 && this.opts.rat === "gsm") continue; // nothing changes on LTE
      if (n === 1 || (n === 2 && !registered)) this.urc(`+${kind}: ${s}`);
      else if (n === 2) this.urc(`+${kind}: ${s},"D509","80D413D",7`);
    }
  }

  /** What the registration query of `kind` reports: the stat, but 0 for EPS on a GSM cell (`rat`). */
  regStatOf(kind: "CREG" | "CGREG" | "CEREG"): number {
    return kind === "CEREG" && this.opts.rat === "gsm" ? 0 : this.regStat;
  }

  // ------------------------------------------------------------------ output

  send(text: string): void {
    if (text.length > 0) this.link.moduleSend(Buffer.from(text, "latin1"));
  }

  sendBytes(bytes: Uint8Array): void {
    this.link.moduleSend(bytes);
  }

  /** Queue a URC: held during a command or data phase; service URCs gated by urcport. */
  urc(text: string, service = false): void {
    if (this.power !== "on") return;
    let copies = 1;
    let split: { afterBytes: number; gapMs: number } | null = null;
    let endLost: LineEndLost = null;
    for (const f of this.faults.atUrc(text)) {
      if (f.kind === "loseUrc") {
        this.link.note(`fault: URC lost: ${text}`);
        return;
      }
      if (f.kind === "lateUrc") {
        this.link.note(`fault: URC delayed ${f.delayMs} ms: ${text}`);
        this.later(f.delayMs, () => this.deliverUrc(text, service));
        return;
      }
      if (f.kind === "damageUrc" && f.lineEnd) {
        endLost = f.lineEnd;
        this.link.note(`fault: the ${f.lineEnd.toUpperCase()} ending a URC lost on the UART: ${text}`);
      } else if (f.kind === "damageUrc") {
        const at = Math.min(f.byte ?? text.length - 1, text.length - 1);
        this.link.note(`fault: byte ${at} of a URC lost on the UART: ${text}`);
        text = text.slice(0, at) + text.slice(at + 1);
      }
      if (f.kind === "duplicateUrc") copies += f.count ?? 1;
      if (f.kind === "splitUrc") split = f;
    }
    for (let i = 0; i < copies; i++) this.deliverUrc(text, service, i === 0 ? split : null, i === 0 ? endLost : null);
  }

  private deliverUrc(text: string, service: boolean, split: { afterBytes: number; gapMs: number } | null = null, endLost: LineEndLost = null): void {
    if (this.power !== "on") return;
    const port = this.persistent.urcPort;
    if (service && port !== "uart1" && port !== "all") {
      this.link.note(`URC routed to ${port}, not the UART: ${text}`);
      return;
    }
    if (this.busy || this.data) this.held.push([text, endLost]);
    else if (split) {
      // Two writes with a silence between: the firmware must keep the partial line.
      const framed = this.frameInfo([text]);
      this.link.note(`fault: URC split after ${split.afterBytes} bytes, the rest ${split.gapMs} ms later: ${text}`);
      this.send(framed.slice(0, split.afterBytes));
      this.later(split.gapMs, () => this.send(framed.slice(split.afterBytes)));
    } else this.send(this.framedUrc(text, endLost));
  }

  /** A URC as the UART carries it: framed, without the CR or LF of its line end that `endLost` names. */
  private framedUrc(text: string, endLost: LineEndLost): string {
    const framed = this.frameInfo([text]); // ends in CR LF in either mode
    return endLost === "cr" ? framed.slice(0, -2) + "\n" : endLost === "lf" ? framed.slice(0, -1) : framed;
  }

  private flushHeld(): void {
    if (this.busy || this.data) return;
    const held = this.held;
    this.held = [];
    for (const [text, endLost] of held) this.send(this.framedUrc(text, endLost));
  }

  private frameInfo(lines: string[]): string {
    if (lines.length === 0) return "";
    if (!this.session.verbose) return lines.map((l) => l + "\r\n").join("");
    return "\r\n" + lines.join("\r\n") + "\r\n";
  }

  frameFinal(f: Final): string {
    const v = this.session.verbose;
    if (f.kind === "none") return "";
    if (this.session.quiet) return "";
    if (f.kind === "ok") return v ? "\r\nOK\r\n" : "0\r";
    if (f.kind === "error" || this.session.cmee === 0) return v ? "\r\nERROR\r\n" : "4\r";
    const text = this.session.cmee === 2 && !f.numeric ? cmeText(f.code) : null;
    const body = `+CME ERROR: ${text ?? f.code}`;
    return v ? `\r\n${body}\r\n` : `${body}\r\n`;
  }

  /** Write info lines now (used by handlers whose output has an unusual shape). */
  writeInfo(lines: string[]): void {
    this.send(this.frameInfo(lines));
  }

  /** Run fn once the current command's response has been written. */
  onResponseSent(fn: () => void): void {
    this.afterResponse.push(fn);
  }

  // ------------------------------------------------------------------ input

  private onReceive(bytes: Uint8Array): void {
    if (this.power !== "on") {
      this.stats.linesDiscarded++;
      return;
    }
    const t = this.clock.now();
    let echoStart = -1;
    const flushEcho = (end: number) => {
      if (echoStart >= 0 && end > echoStart) this.sendBytes(bytes.slice(echoStart, end));
      echoStart = -1;
    };
    for (let i = 0; i < bytes.length; i++) {
      if (this.power !== "on") return; // a fault rebooted the module inside this slice
      if (this.data) {
        flushEcho(i);
        this.dataByte(bytes[i], t);
        continue;
      }
      const b = bytes[i];
      if (this.session.echo && echoStart < 0) echoStart = i;
      if (!this.session.echo && echoStart >= 0) flushEcho(i);
      if (b === CR) {
        flushEcho(i + 1);
        this.lineDone();
        if (this.power !== "on") return;
        continue;
      }
      if (b === LF) continue;
      if (b === CTRL_Z || b === ESC) {
        // The ends of a variable-length send's input, outside one: dropped, not echoed
        // (docs/sockets.md, decisions: a late ESC must not spoil the next command line).
        flushEcho(i);
        continue;
      }
      if (b === BS) {
        if (this.lineLen > 0) this.lineLen--;
        continue;
      }
      if (this.lineLen < this.lineBuf.length) this.lineBuf[this.lineLen++] = b;
      else this.lineOverflow = true;
    }
    flushEcho(bytes.length);
  }

  private lineDone(): void {
    const line = latin1(this.lineBuf, 0, this.lineLen);
    const overflow = this.lineOverflow;
    this.lineLen = 0;
    this.lineOverflow = false;
    if (!overflow && findAtPrefix(line) < 0) {
      // No AT prefix: the module ignores the line (blank lines, stray bytes).
      if (line.replace(/[\0 ]/g, "").length > 0) this.stats.linesDiscarded++;
      return;
    }
    if (this.busy) {
      if (this.pendingLines.length < 8) this.pendingLines.push({ line, overflow });
      else this.stats.linesDiscarded++;
      return;
    }
    this.execLine(line, overflow);
  }

  private execLine(line: string, overflow: boolean): void {
    this.busy = true;
    this.stats.commands++;
    const subs = overflow ? null : parseLine(line);
    if (!subs) {
      this.later(this.profile.commandMs, () => this.respond([], { kind: "error" }, [], line));
      return;
    }
    this.runSub(line, subs, 0, []);
  }

  private runSub(line: string, subs: SubCommand[], k: number, lines: string[]): void {
    const sub = subs[k];
    if (sub.name === "+QSMTPPUT" && sub.form === "write") this.stats.puts++;
    const faults = this.faults.atCommand(sub.name, sub.form, line);
    for (const f of faults) {
      if (f.kind === "powerCut") {
        // The board's supply fails as this line arrives; the runner cuts the module too unless told not to.
        this.emit(`board power cut at ${sub.name || "AT"}`, f);
        if (this.power !== "on") return;
      }
      if (f.kind === "echoOff") {
        this.session.echo = false;
        this.link.note(`fault: echo stops after "${line}"`);
      }
      if (f.kind === "reboot" && f.at === "command" && (f.phase ?? "before") === "before") {
        this.reboot(`fault at ${sub.name || "AT"}`);
        return;
      }
      if (f.kind === "interleaveUrc" && f.where === "afterEcho") this.send(this.frameInfo([f.text]));
    }
    const epoch = this.epoch;
    const finish = (ctxLines: string[], final: Final) => {
      if (epoch !== this.epoch) return;
      lines.push(...ctxLines);
      if (final.kind === "ok" && k + 1 < subs.length) this.runSub(line, subs, k + 1, lines);
      else this.respond(lines, final, faults, line);
    };
    const injected = faults.find((f) => f.kind === "commandError");
    const spec = this.table.get(sub.name);
    const handler = spec ? spec[sub.form] : undefined;
    const delay = this.latency(sub.name);
    if (injected && injected.kind === "commandError") {
      this.later(delay, () =>
        finish([], injected.plain || injected.code === undefined ? { kind: "error" } : { kind: "cme", code: injected.code, numeric: false }),
      );
      return;
    }
    if (!spec || !handler) {
      this.later(delay, () => finish([], { kind: "error" }));
      return;
    }
    if (spec.sim && this.sim !== "ready") {
      const code = this.sim === "absent" ? 10 : this.sim === "pin" ? 11 : this.sim === "failure" ? 13 : 14;
      this.later(delay, () => finish([], spec.sim === "error" ? { kind: "error" } : { kind: "cme", code, numeric: false }));
      return;
    }
    this.later(delay, () => {
      const ctx = new Ctx(this, sub.name, sub.form, sub.args);
      ctx.faults = faults;
      ctx.whenDone(() => finish(ctx.lines, ctx.final as Final));
      try {
        handler(ctx);
      } catch (e) {
        this.link.note(`model error in ${sub.name}: ${(e as Error).message}`);
        if (!ctx.final) ctx.error();
      }
    });
  }

  private respond(lines: string[], final: Final, faults: FaultSpec[], line: string): void {
    let info = lines;
    let fin = final;
    let lateMs = 0;
    let between = "";
    let rebootAfter = false;
    for (const f of faults) {
      if (f.kind === "loseFinal") {
        this.link.note(`fault: ${f.what === "all" ? "response" : "final result"} of "${line}" lost`);
        if (f.what === "all") info = [];
        fin = { kind: "none" };
      } else if (f.kind === "lateFinal") lateMs = f.delayMs;
      else if (f.kind === "interleaveUrc" && f.where !== "afterEcho") between = this.frameInfo([f.text]);
      else if (f.kind === "reboot" && f.at === "command" && f.phase === "after") rebootAfter = true;
    }
    const head = this.frameInfo(info);
    const done = () => {
      this.busy = false;
      const after = this.afterResponse;
      this.afterResponse = [];
      for (const fn of after) fn();
      if (rebootAfter) {
        this.reboot("fault after response");
        return;
      }
      if (this.power !== "on") return;
      this.flushHeld();
      const next = this.pendingLines.shift();
      if (next && !this.busy && !this.data) this.execLine(next.line, next.overflow);
    };
    if (lateMs > 0) {
      this.send(head + between);
      this.link.note(`fault: final result of "${line}" delayed ${lateMs} ms`);
      this.later(lateMs, () => {
        this.send(this.frameFinal(fin));
        done();
      });
      return;
    }
    if (between && info.length === 0) this.send(between + this.frameFinal(fin));
    else this.send(head + between + this.frameFinal(fin));
    done();
  }

  // ------------------------------------------------------------------ data mode

  /** Enter a data phase after `prompt` (default CONNECT; AT+QISEND's is "> "). */
  enterDataMode(mode: DataMode, prompt?: string): void {
    this.send(prompt ?? (this.session.verbose ? "\r\nCONNECT\r\n" : "1\r"));
    this.data = mode;
    this.plusPending = 0;
    this.lastDataAt = this.clock.now();
  }

  /** End the data phase (the handler then answers with its result lines). */
  exitDataMode(): void {
    this.flushPlus();
    this.data = null;
    this.plusPending = 0;
    if (this.guardTimer !== null) {
      this.clock.clearTimer(this.guardTimer);
      this.guardTimer = null;
    }
  }

  get inDataMode(): boolean {
    return this.data !== null;
  }

  /** Held '+' bytes that turned out to be payload. */
  flushPlus(): void {
    const n = this.plusPending;
    this.plusPending = 0;
    if (this.guardTimer !== null) {
      this.clock.clearTimer(this.guardTimer);
      this.guardTimer = null;
    }
    for (let i = 0; i < n && this.data; i++) this.data.onByte(PLUS);
  }

  private dataByte(b: number, t: number): void {
    const mode = this.data as DataMode;
    if (this.plusPending > 0) {
      if (b === PLUS && this.plusPending < 3 && t - this.plusFirstAt <= 1000) {
        this.plusPending++;
        this.lastDataAt = t;
        if (this.plusPending >= mode.remaining()) {
          this.flushPlus();
          return;
        }
        if (this.plusPending === 3) {
          this.guardTimer = this.later(1000, () => {
            this.guardTimer = null;
            this.plusPending = 0;
            const m = this.data;
            if (m) m.onEscape();
          });
        }
        return;
      }
      this.flushPlus();
      if (!this.data) return;
    }
    if (b === PLUS && mode.plusEscape && t - this.lastDataAt >= 1000 && mode.remaining() > 1) {
      this.plusPending = 1;
      this.plusFirstAt = t;
      this.lastDataAt = t;
      return;
    }
    this.lastDataAt = t;
    mode.onByte(b);
  }
}
