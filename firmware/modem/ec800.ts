// The EC800/EC200 driver: runs the command tables of steps.ts through an AtPort and
// keeps what it knows about the module (booted? registered? PDP up? SMTP configured in
// this boot? mail content possibly left on the module?), so the next mail sends only
// the commands it needs.
//
// Every operation reports through a callback `done(err)` with a typed CellError, always on a
// fresh turn (nextTurn, firmware/turn.ts): never inside the caller's call, never inside the
// engine's receive path. A command's result is taken there and the next step runs on the
// turn after, so a chain of commands is a chain of turns, not a deeper and deeper stack.
// Module events (RDY, POWERED DOWN, pdpdeact, +QSMTPPUT) reach the owner the same way. A
// module reboot (URC "RDY") bumps `gen`: chains started before it stop at their next
// step, the engine queue is flushed, the listener is told, and a network bring-up in
// progress restarts by itself. `ensureNetwork` is the only restartable unit; everything
// else is the mail job's business (mail/job.ts).
//
// Secrets: commands are logged by name only (commandName), never with arguments.
import { BODY_INPUT_S, POLL_MS } from "./timing.js";
import { RETRY_MS, stepTable, stepTries, writeAgain } from "./script.js";
import { CME_SIM_PIN, regPoll, simPoll, simState } from "./polls.js";
import {
  AtPort,
  AtDoneTarget,
  AtRequest,
  AtResult,
  ByteSource,
  Line,
  Prefix,
  SHAPE_LINE,
  SHAPE_LINES,
  SHAPE_NONE,
  UrcTarget,
} from "../at/types.js";
import type { Clock, Log, TimerHandle } from "../platform/types.js";
import { LOG_DEBUG, LOG_INFO, LOG_WARN, logs } from "../platform/types.js";
import {
  CellError,
  cellError,
  isFinal,
  KIND_CONFIG,
  KIND_MODEM,
  KIND_NETWORK,
  KIND_RETRYABLE,
  E_AT_ERROR,
  E_CANCELLED,
  E_CONFIG,
  E_BODY_SHORT,
  E_CLOSED,
  E_GARBLED,
  E_NO_BOOT,
  E_REG_DENIED,
  E_POWERED_DOWN,
  E_PDP,
  E_REBOOT_SPACING,
  E_SIM,
  E_TIMEOUT,
} from "../errors.js";
import { CauseTexts, commandName, refusal, resultToError } from "./codes.js";
import { ResolvedConfig, SSL_NONE } from "./config.js";
import { parseCclk } from "./network-time.js";
import { nextTurn } from "../turn.js";
import {
  Step,
  once,
  step,
  initSteps,
  pdpConfigStep,
  pdpQueryStep,
  pdpActivateStep,
  pdpDeactivateStep,
  sslSteps,
  smtpConfigSteps,
  recipientStep,
  subjectStep,
  bodyStep,
  attachStep,
  putStep,
  clearStep,
  rebootStep,
  queryStep,
  SIM_QUERY,
  CSQ_QUERY,
  CLOCK_QUERY,
  ICCID_QUERY,
  REG_LTE,
  REG_GPRS,
  REG_CS,
  T_PROBE,
  T_CPIN,
  T_SHORT,
} from "./steps.js";

export type Done = (err: CellError | null) => void;

/**
 * A table row on its way to the module: the engine's request and its completion in one
 * object (atDone), so a command costs the XS heap one object and no closure (AtDone), and a
 * row written again is the same object. Its step, its answer's callback, its tries so far,
 * and the driver's generation at its start.
 */
class Row implements AtRequest, AtDoneTarget {
  command: string;
  shape: number;
  prefix?: Prefix;
  timeoutMs: number;
  onLine?: (line: Line) => void;
  data?: ByteSource;
  ackEvery?: number;
  readonly step: Step;
  readonly done: Done;
  tried: number;
  readonly gen: number;
  private readonly driver: Ec800;

  constructor(driver: Ec800, s: Step, onLine: ((line: Line) => void) | null, data: ByteSource | null, ackEvery: number, done: Done) {
    this.command = s.command;
    this.shape = s.shape;
    this.timeoutMs = s.timeoutMs;
    // Only what the row has: the engine reads an absent field as "none".
    if (s.prefix) this.prefix = driver.prefix(s.prefix);
    if (onLine) this.onLine = onLine;
    if (data) this.data = data;
    if (ackEvery > 0) this.ackEvery = ackEvery;
    this.step = s;
    this.done = done;
    this.tried = 0;
    this.gen = driver.generation();
    this.driver = driver;
  }

  /** The engine's result, read here inside its receive path (it reuses the object), acted on a turn later. */
  atDone(result: AtResult): void {
    this.driver.rowEnded(this, resultToError(result, this.command, this.driver.causes));
  }
}

const UNKNOWN_TIME = -1e15;

/** The error every job gets once the module has said POWERED DOWN. */
export function poweredDownError(): CellError {
  return cellError(KIND_MODEM, E_POWERED_DOWN, "module powered down (POWERED DOWN): power-cycle it (PWRKEY)", "");
}

/** Files on the module (UFS) for its SMTP engine: the optional module firmware/ext/upload. */
export interface ModuleFiles {
  /** Put `src` into "UFS:<name>", checked against the module's checksum. */
  upload(name: string, src: ByteSource, done: Done): void;
  /** Remove "UFS:<name>" (a missing file counts as removed). */
  remove(name: string, done: Done): void;
  /** Uploads the module's checksum refused (each one sent again). */
  readonly checksumMismatches: number;
}

/** What a board without firmware/ext/upload answers to anything that needs a file on the module (`what`: the field's words, "" for none). */
export function noFilesError(what: string, field: string): CellError {
  return cellError(KIND_CONFIG, E_CONFIG, what + "this build carries no file upload (firmware/ext/upload): no attachments, no CA certificate", field);
}

/** What the driver tells its owner (the Mailer). */
export interface ModemListener {
  /** RDY seen: the module rebooted. `expected` when we asked for it (AT+CFUN=1,1). */
  onReboot(expected: boolean): void;
  /** POWERED DOWN seen: the module stopped and answers nothing until it is powered up again. */
  onPowerDown(): void;
  /** +QIURC: "pdpdeact",<cid> for our context. */
  onPdpDeact(contextId: number): void;
  /** +QSMTPPUT: <err>,<proto>. */
  onPutResult(err: number, proto: number): void;
}

/** Signal and registration, for alarm templates. */
export interface ModemStatus {
  /** AT+CSQ rssi 0..31, 99 unknown. */
  rssi: number;
  /** AT+CSQ ber 0..7, 99 unknown. */
  ber: number;
  /** Registration stat 0..5 (1 home, 5 roaming), -1 unknown. */
  reg: number;
  /** Which query gave `reg`: "CEREG", "CGREG", "CREG" or "". */
  regSource: string;
  /** Clock ms of the last reading, -1 never. */
  at: number;
}

const PROBE_PAUSE_MS = 1000;
const MAX_NET_RESTARTS = 5;

export class Ec800 implements UrcTarget {
  readonly config: ResolvedConfig;
  readonly status: ModemStatus;
  listener: ModemListener | null;
  /** Words for error codes (firmware/ext/causes), or null: causes then name the code. */
  causes: CauseTexts | null;
  /** RDY seen (or assumed after a silent reboot) since start. */
  bootCount: number;
  /** Bring-up (echo, CMEE, URC port, SIM, registration) done in this boot. */
  ready: boolean;
  /** POWERED DOWN seen and no RDY since. */
  poweredDown: boolean;
  /** Network time minus Clock.now(), or UNKNOWN_TIME. Kept across reboots (the network time does not change). */
  private wallOffset: number;
  /** The SIM's ICCID ("" when the module would not say), and the boot it was read in (-1: not yet). */
  private iccid: string;
  private iccidBoot: number;
  /** Our PDP context is known to be active. */
  pdpUp: boolean;
  /** The module may hold recipients/subject/body/attachments: AT+QSMTPCLR before a new mail. */
  contentDirty: boolean;
  /** AT commands handed to the engine (bench: commands per mail). */
  commands: number;
  /** Reboots we asked for. */
  reboots: number;
  /** The module's files (firmware/ext/upload), when the composition carries them: attachments and the CA certificate need them. */
  files: ModuleFiles | null;

  private port: AtPort;
  private clock: Clock;
  private log: Log | null;
  /** The log prints LOG_DEBUG: only then is a line per command built. */
  private debug: boolean;
  private gen: number;
  private smtpBoot: number;
  /** Boot in which the SSL context was configured (-1: not in this boot). */
  private sslBoot: number;
  /** Boot in which AT+QSMTPCFG=? was asked, and whether it answered (the module has the SMTP engine). */
  private probeBoot: number;
  private hasSmtp: boolean;
  private pdpCfgBoot: number;
  private lastRebootAt: number;
  private hasRebooted: boolean;
  private bootWaiter: Done | null;
  private bootTimer: TimerHandle | null;
  private netDone: Done | null;
  private netRestarts: number;
  private closed: boolean;
  private prefixes: Prefix[];
  /** The +QSMTPPUT URC is taken (hearPut). */
  private putHeard: boolean;
  private regQueries: string[];
  private regPrefixes: string[];
  private regNames: string[];
  /** The chat script's command table (script.ts, shared with Espruino's mailer): which steps are written once. */
  private steps: { [name: string]: number };

  /**
   * `moduleSmtp` false: the board sends only through its own SMTP client over the module's
   * sockets (smtp.transport "socket"), so the module's SMTP engine's URC is not taken until
   * an AT+QSMTPPUT is written (never): a registration less for the board's life.
   */
  constructor(port: AtPort, clock: Clock, config: ResolvedConfig, log: Log | null, moduleSmtp?: boolean) {
    this.port = port;
    this.clock = clock;
    this.config = config;
    this.log = log;
    this.debug = logs(log, LOG_DEBUG);
    this.listener = null;
    this.causes = null;
    this.status = { rssi: 99, ber: 99, reg: -1, regSource: "", at: -1 };
    this.bootCount = 0;
    this.ready = false;
    this.poweredDown = false;
    this.wallOffset = UNKNOWN_TIME;
    this.iccid = "";
    this.iccidBoot = -1;
    this.pdpUp = false;
    this.contentDirty = true; // unknown after our own start: clear once
    this.commands = 0;
    this.reboots = 0;
    this.files = null;
    this.gen = 0;
    this.smtpBoot = -1;
    this.sslBoot = -1;
    this.probeBoot = -1;
    this.hasSmtp = false;
    this.pdpCfgBoot = -1;
    this.lastRebootAt = 0;
    this.hasRebooted = false;
    this.bootWaiter = null;
    this.bootTimer = null;
    this.netDone = null;
    this.netRestarts = 0;
    this.closed = false;
    this.prefixes = [];
    this.regQueries = [REG_LTE, REG_GPRS, REG_CS];
    this.regPrefixes = ["+CEREG:", "+CGREG:", "+CREG:"];
    this.regNames = ["CEREG", "CGREG", "CREG"];
    this.steps = stepTable();
    // What every board asks. The module path's prefixes (+QSMTPBODY:, +QFUPL:) are made at
    // their first use, and its URC is taken only by a board that may use that path: a board
    // on the socket transport never builds them (a prefix is about 25 XS slots, a
    // registration about 37: bench xs.socket.mail.peakFirmwareSlots).
    const names = ["+CPIN:", "+CSQ:", "+CEREG:", "+CGREG:", "+CREG:", "+QIACT:"];
    for (let i = 0; i < names.length; i++) this.prefixes.push(port.prefix(names[i]));
    this.putHeard = false;
    // The driver is the handler of its URCs (urc(): no closure each for the board's life).
    port.onUrc(port.prefix("RDY"), this);
    port.onUrc(port.prefix("POWERED DOWN"), this);
    port.onUrc(port.prefix("+QIURC:"), this);
    if (moduleSmtp !== false) this.hearPut();
  }

  /** A URC of the driver's: RDY, POWERED DOWN, +QIURC: or +QSMTPPUT: (told apart by their first bytes). */
  urc(line: Line): void {
    const b = line.buf[line.start];
    if (b === 0x52) this.onRdy(); // R
    else if (b === 0x50) this.onPoweredDown(); // P
    else if (line.buf[line.start + 2] === 0x49) this.onQiurc(line); // +QI
    else this.onPut(line); // +QS
  }

  /** Take +QSMTPPUT URCs from now on (once; put() makes sure of it before it writes). */
  private hearPut(): void {
    if (this.putHeard) return;
    this.putHeard = true;
    this.port.onUrc(this.port.prefix("+QSMTPPUT:"), this);
  }

  private onPut(line: Line): void {
    const err = line.int(0, -1);
    const proto = line.int(1, 0);
    this.tell(() => {
      if (this.listener) this.listener.onPutResult(err, proto);
    });
  }

  // ---------------------------------------------------------------- commands

  /** The engine's prefix for `text`, made once and kept (Row). */
  prefix(text: string): Prefix {
    for (let i = 0; i < this.prefixes.length; i++) if (this.prefixes[i].text === text) return this.prefixes[i];
    const p = this.port.prefix(text);
    if (this.prefixes.length < 32) this.prefixes.push(p);
    return p;
  }

  /** Log through the driver's log (optional modules too: the socket transport's notes, the module's files). */
  note(level: number, message: string): void {
    if (this.log) this.log(level, message);
  }

  /**
   * Run one table row. `onLine` gets its information lines; `data` is the CONNECT payload.
   * A row the module may not have taken as sent (a timeout, a plain ERROR, an echo that
   * differs, a 664: script.ts writeAgain) is written again in place, RETRY_MS later, up to
   * its tries (the one rule of both mailers, script.ts); a row written once has one. An
   * optional row (AT+CMEE=1) that the module refuses counts as done.
   */
  private exec(s: Step, onLine: ((line: Line) => void) | null, data: ByteSource | null, ackEvery: number, done: Done): void {
    this.tryRow(new Row(this, s, onLine, data, ackEvery, done));
  }

  /** One try of a row (exec, then again after RETRY_MS). */
  private tryRow(r: Row): void {
    if (this.closed) {
      this.answer(r.done, cellError(KIND_MODEM, E_CLOSED, "modem driver closed", ""));
      return;
    }
    r.tried++;
    this.commands++;
    if (this.debug) this.note(LOG_DEBUG, "-> " + commandName(r.command));
    if (!this.port.send(r, r)) this.answer(r.done, refusal(this.port, commandName(r.command), KIND_MODEM));
  }

  /** A try's end (Row.atDone), acted on a turn later: done, refused but optional, or another try. */
  rowEnded(r: Row, err: CellError | null): void {
    nextTurn(this.clock, () => {
      const s = r.step;
      if (err && r.gen === this.gen) {
        if (s.optional && (err.code === E_AT_ERROR || (err.code < 1000 && err.code >= 0))) {
          this.note(LOG_WARN, commandName(s.command) + " refused (" + err.cause + "): carrying on without it");
          return r.done(null);
        }
        if (writeAgain(err.code) && r.tried < (s.tries || stepTries(this.steps, s.command, err.code))) {
          this.note(LOG_WARN, "writing " + commandName(s.command) + " again: " + err.cause);
          return this.wait(r.gen, RETRY_MS, () => this.tryRow(r), r.done);
        }
      }
      r.done(err);
    });
  }

  /** Call `done(err)` on a fresh turn (see the top of this file). */
  private answer(done: Done, err: CellError | null): void {
    nextTurn(this.clock, () => done(err));
  }

  /** The error of work ended by a new generation (optional modules too). */
  cancelled(): CellError {
    return cellError(KIND_RETRYABLE, E_CANCELLED, "superseded by a module reboot", "");
  }

  /** Run `steps` in order, stopping at the first error or when a reboot supersedes the chain (each row's tries are exec's). */
  private runSteps(g: number, steps: Step[], done: Done): void {
    let i = 0;
    const next: Done = (err) => {
      if (err) return done(err);
      if (g !== this.gen) return done(this.cancelled());
      if (i >= steps.length) return done(null);
      this.exec(steps[i++], null, null, 0, next);
    };
    next(null);
  }

  private wait(g: number, ms: number, then: () => void, done: Done): void {
    this.clock.setTimer(ms, () => {
      if (g !== this.gen || this.closed) done(this.cancelled());
      else then();
    });
  }

  // ---------------------------------------------------------------- URCs

  private onRdy(): void {
    const powerUp = (this.bootCount === 0 || this.poweredDown) && !this.ready;
    this.poweredDown = false;
    this.bootCount++;
    this.gen++;
    this.ready = false;
    this.pdpUp = false;
    this.contentDirty = false; // a fresh module holds no mail content
    const waiter = this.bootWaiter;
    this.bootWaiter = null;
    if (this.bootTimer !== null) this.clock.clearTimer(this.bootTimer);
    this.bootTimer = null;
    const why = waiter ? " (requested)" : powerUp ? " (power-up)" : " (unexpected RDY)";
    this.note(waiter || powerUp ? LOG_INFO : LOG_WARN, "module boot " + this.bootCount + why);
    const bringingUp = this.netDone !== null;
    // Flush first: results of commands the module will never answer arrive as
    // E_CANCELLED (the job pauses on those), then the owner learns of the reboot and
    // may start new commands that the flush must not touch. Both on the turns after this
    // one (the flushed results first: nextTurn keeps the order).
    this.port.flush();
    const g = this.gen;
    nextTurn(this.clock, () => {
      if (this.closed) return;
      if (this.listener) this.listener.onReboot(waiter !== null);
      if (waiter) {
        waiter(null);
      } else if (bringingUp && this.netDone && g === this.gen) {
        if (this.netRestarts++ < MAX_NET_RESTARTS) this.runNetwork();
        else this.finishNet(g, cellError(KIND_MODEM, E_NO_BOOT, "module keeps rebooting during bring-up", ""));
      }
    });
  }

  /**
   * After POWERED DOWN the module accepts no command until it is powered up again (a new RDY),
   * so waiting for replies would only run out the clock: fail at once and say why.
   */
  private onPoweredDown(): void {
    this.poweredDown = true;
    this.ready = false;
    this.pdpUp = false;
    this.gen++;
    this.note(LOG_WARN, "module powered down (POWERED DOWN): it needs a power cycle");
    // The owner hears of it first, then of the flushed commands (on the turns after this one).
    this.tell(() => {
      if (this.listener) this.listener.onPowerDown();
    });
    this.port.flush();
  }

  private onQiurc(line: Line): void {
    if (line.str(0) !== "pdpdeact") return;
    const cid = line.int(1, -1);
    if (cid !== this.config.contextId) return;
    this.pdpUp = false;
    this.note(LOG_WARN, "PDP context " + cid + " deactivated by the network");
    this.tell(() => {
      if (this.listener) this.listener.onPdpDeact(cid);
    });
  }

  /** Tell the owner about a module event on a fresh turn (not inside the engine's receive path). */
  private tell(fn: () => void): void {
    nextTurn(this.clock, () => {
      if (!this.closed) fn();
    });
  }

  // ---------------------------------------------------------------- network

  /**
   * Make the module ready to send: bring-up if this boot has not had it, PDP if it is not
   * known to be up. No command at all when both are known good.
   */
  ensureNetwork(done: Done): void {
    if (this.poweredDown) {
      this.answer(done, poweredDownError());
      return;
    }
    if (this.ready && this.pdpUp) {
      this.answer(done, null);
      return;
    }
    this.netDone = done;
    this.netRestarts = 0;
    this.runNetwork();
  }

  private runNetwork(): void {
    const g = this.gen;
    const afterBringUp: Done = (err) => {
      if (err) return this.finishNet(g, err);
      if (g !== this.gen) return;
      if (this.pdpUp) return this.finishNet(g, null);
      this.pdp(g, (err2) => this.finishNet(g, err2));
    };
    if (this.ready) afterBringUp(null);
    else this.bringUp(g, afterBringUp);
  }

  private finishNet(g: number, err: CellError | null): void {
    if (g !== this.gen) return; // superseded: the run restarted after RDY will answer
    const d = this.netDone;
    this.netDone = null;
    if (d) d(err);
  }

  private bringUp(g: number, done: Done): void {
    const c = this.config;
    this.probe(g, c.probeTries, (err) => {
      if (err) return done(err);
      this.runSteps(g, initSteps(), (err2) => {
        if (err2) return done(err2);
        this.simReady(g, this.clock.now(), (err3) => {
          if (err3) return done(err3);
          this.readCsq(g, (err4) => {
            if (err4) return done(err4);
            this.registered(g, this.clock.now(), (err5) => {
              if (err5) return done(err5);
              this.readClock(g, () => {
                if (g !== this.gen) return done(this.cancelled());
                this.ready = true;
                this.note(LOG_INFO, "module ready: rssi " + this.status.rssi + ", reg " + this.status.reg);
                done(null);
              });
            });
          });
        });
      });
    });
  }

  private probe(g: number, tries: number, done: Done): void {
    this.exec(once(step("", SHAPE_NONE, "", T_PROBE)), null, null, 0, (err) => {
      if (!err) return done(null);
      if (g !== this.gen) return done(this.cancelled());
      if (tries <= 1) return done(cellError(KIND_MODEM, E_NO_BOOT, "module does not answer AT", ""));
      this.wait(g, PROBE_PAUSE_MS, () => this.probe(g, tries - 1, done), done);
    });
  }

  /**
   * AT+CPIN? until READY, by the one rule of both mailers (polls.ts simPoll): a PIN or PUK is a
   * configuration error at once (the state is in the cause); NOT READY (a SIM being swapped), a
   * state line lost on the UART and any error that is not final (+CME ERROR: 14/13 busy, a bare
   * ERROR) are polled through the window.
   */
  private simReady(g: number, since: number, done: Done): void {
    let state = "";
    this.exec(step(SIM_QUERY, SHAPE_LINE, "+CPIN:", T_CPIN), (line) => { state = line.str(0); }, null, 0, (err) => {
      const v = simPoll(err ? err.code : 0, err !== null && isFinal(err.kind), simState(state), this.clock.now() - since, this.config.simWaitMs);
      if (v === 0) return done(null);
      if (err && v === err.code) return done(err); // final: 10 not inserted, 11/12 PIN/PUK
      if (v === CME_SIM_PIN) return done(cellError(KIND_CONFIG, CME_SIM_PIN, "SIM is locked (" + state + "); use a SIM without PIN", ""));
      if (g !== this.gen) return done(this.cancelled());
      if (v === E_SIM) return done(cellError(KIND_MODEM, E_SIM, "SIM not ready: " + (err ? err.cause : state), ""));
      this.wait(g, POLL_MS, () => this.simReady(g, since, done), done);
    });
  }

  private readCsq(g: number, done: Done): void {
    this.exec(step(CSQ_QUERY, SHAPE_LINE, "+CSQ:", T_SHORT), (line) => {
      this.status.rssi = line.int(0, 99);
      this.status.ber = line.int(1, 99);
      this.status.at = this.clock.now();
    }, null, 0, (err) => done(g !== this.gen ? this.cancelled() : err));
  }

  /**
   * Network time for the mails (AT+CCLK?, once per boot, after registration). Optional: a
   * module or network without it leaves the time unknown and bring-up goes on.
   */
  private readClock(g: number, done: () => void): void {
    // Asked once: an ERROR is the module's answer while the network has not set its clock, and readTime() asks again later.
    this.exec(once(step(CLOCK_QUERY, SHAPE_LINE, "+CCLK:", T_SHORT)), (line) => {
      const utc = parseCclk(line.str(0));
      if (utc >= 0) this.wallOffset = utc - this.clock.now();
    }, null, 0, () => done());
  }

  /**
   * Read the network time again (AT+CCLK?) when bring-up's read did not get it (its answer
   * damaged on the UART, or the network had not set the clock yet). `done` either way.
   */
  readTime(done: () => void): void {
    this.readClock(this.gen, done);
  }

  /**
   * The SIM's ICCID (AT+QCCID, once per module boot), for what must differ between boards
   * that are configured alike (the socket transport's Message-ID); "" when the module does
   * not answer it (logged). `done` on a fresh turn.
   */
  simIdentity(done: (iccid: string) => void): void {
    if (this.iccidBoot === this.bootCount) {
      nextTurn(this.clock, () => done(this.iccid));
      return;
    }
    const boot = this.bootCount;
    let id = "";
    this.exec(step(ICCID_QUERY, SHAPE_LINE, "+QCCID:", T_SHORT), (line) => { id = line.str(0); }, null, 0, (err) => {
      if (err) this.note(LOG_WARN, "AT+QCCID: " + err.cause + " (no SIM identity)");
      this.iccid = err ? "" : id;
      this.iccidBoot = boot;
      done(this.iccid);
    });
  }

  /** Wall-clock ms since 1970 (UTC) from the network time, or -1 when unknown. */
  wallTime(): number {
    return this.wallOffset === UNKNOWN_TIME ? -1 : this.clock.now() + this.wallOffset;
  }

  /** Poll registration until stat 1 (home) or 5 (roaming), or the deadline. */
  /** The registration queries until one says registered, by the one rule of both mailers (polls.ts regPoll). */
  private registered(g: number, since: number, done: Done): void {
    this.queryReg(g, 0, -1, (stat) => {
      const v = regPoll(stat, this.clock.now() - since, this.config.regWaitMs);
      if (v === 0) return done(null);
      if (g !== this.gen) return done(this.cancelled());
      if (v > 0) {
        const why = v === E_REG_DENIED ? "registration denied by the network" : "not registered";
        return done(cellError(KIND_NETWORK, v, why + " (stat " + stat + ") before the deadline", ""));
      }
      this.wait(g, POLL_MS, () => this.registered(g, since, done), done);
    });
  }

  /** Ask CEREG, then CGREG, then CREG until one says registered. Reports the best stat seen. */
  private queryReg(g: number, i: number, first: number, report: (stat: number) => void): void {
    let stat = -1;
    this.exec(queryStep(this.regQueries[i], this.regPrefixes[i], T_SHORT), (line) => { stat = line.int(1, -1); }, null, 0, (err) => {
      const reg = !err && (stat === 1 || stat === 5);
      if (reg || i === 0) {
        this.status.reg = stat;
        this.status.regSource = this.regNames[i];
        this.status.at = this.clock.now();
      }
      if (reg) return report(stat);
      const f = i === 0 ? stat : first;
      if (i + 1 < this.regQueries.length && g === this.gen) return this.queryReg(g, i + 1, f, report);
      report(f);
    });
  }

  private netError(err: CellError, what: string): CellError {
    if (err.code === E_CANCELLED || isFinal(err.kind)) return err;
    return cellError(KIND_NETWORK, E_PDP, what + ": " + err.cause, "");
  }

  /** AT+QIACT? -> active when a line "+QIACT: <cid>,1,..." names our context (bare OK = none). */
  private queryPdp(g: number, report: (err: CellError | null, active: boolean) => void): void {
    let active = false;
    const cid = this.config.contextId;
    this.exec(pdpQueryStep(), (line) => {
      if (line.int(0, -1) === cid && line.int(1, 0) === 1) active = true;
    }, null, 0, (err) => report(err ? err : g !== this.gen ? this.cancelled() : null, active));
  }

  /** Configure (once per boot), check, activate (up to 150 s) and verify the PDP context. */
  private pdp(g: number, done: Done): void {
    const c = this.config;
    const afterConfig: Done = (err) => {
      if (err) return done(this.netError(err, "PDP configuration failed"));
      this.queryPdp(g, (err2, active) => {
        if (err2) return done(err2);
        if (active) {
          this.pdpUp = true;
          return done(null);
        }
        this.exec(pdpActivateStep(c), null, null, 0, (err3) => {
          if (err3) return done(this.netError(err3, "PDP activation failed"));
          this.queryPdp(g, (err4, active2) => {
            if (err4) return done(err4);
            if (!active2) return done(cellError(KIND_NETWORK, E_PDP, "PDP context " + c.contextId + " not active after AT+QIACT", ""));
            this.pdpUp = true;
            this.note(LOG_INFO, "PDP context " + c.contextId + " active");
            done(null);
          });
        });
      });
    };
    if (this.pdpCfgBoot === this.bootCount) {
      afterConfig(null);
      return;
    }
    const boot = this.bootCount;
    this.exec(pdpConfigStep(c), null, null, 0, (err) => {
      if (!err) this.pdpCfgBoot = boot;
      afterConfig(err);
    });
  }

  /** Re-activate the PDP context: AT+QIDEACT (errors ignored), then activate and verify. */
  reactivatePdp(done: Done): void {
    const g = this.gen;
    this.pdpUp = false;
    this.exec(pdpDeactivateStep(this.config), null, null, 0, (err) => {
      if (err && err.code === E_CANCELLED) return done(err);
      if (g !== this.gen) return done(this.cancelled());
      this.pdp(g, done);
    });
  }

  /** Activate the PDP context if it is not known to be up (bring-up must have happened). */
  activatePdp(done: Done): void {
    if (this.pdpUp) {
      this.answer(done, null);
      return;
    }
    if (!this.ready) {
      this.ensureNetwork(done);
      return;
    }
    this.pdp(this.gen, done);
  }

  /** AT+QIDEACT (the alarm layer calls it after 30 idle minutes). */
  deactivatePdp(done: Done): void {
    this.exec(pdpDeactivateStep(this.config), null, null, 0, (err) => {
      if (!err) this.pdpUp = false;
      done(err);
    });
  }

  // ---------------------------------------------------------------- SMTP server

  /** True when the SMTP server configuration is in place for the current boot. */
  smtpConfigured(): boolean {
    return this.smtpBoot === this.bootCount;
  }

  /** SSL context (+ CA upload) and AT+QSMTPCFG, once per module boot. */
  ensureSmtpConfig(done: Done): void {
    if (this.smtpBoot === this.bootCount) {
      this.answer(done, null);
      return;
    }
    const c = this.config;
    const g = this.gen;
    const boot = this.bootCount;
    const smtp: Done = (err) => {
      if (err) return done(err);
      this.runSteps(g, smtpConfigSteps(c), (err2) => {
        if (!err2 && boot === this.bootCount) {
          this.smtpBoot = boot;
          this.note(LOG_INFO, "SMTP server configured for boot " + boot);
        }
        done(err2);
      });
    };
    if (c.sslType === SSL_NONE) smtp(null);
    else this.ensureSslConfig(smtp);
  }

  /** The SSL context (AT+QSSLCFG, + the CA upload for seclevel 1), once per module boot: TLS for either transport. */
  ensureSslConfig(done: Done): void {
    if (this.sslBoot === this.bootCount) {
      this.answer(done, null);
      return;
    }
    const c = this.config;
    const g = this.gen;
    const boot = this.bootCount;
    const ssl: Done = (err) => {
      if (err) return done(err);
      this.runSteps(g, sslSteps(c), (err2) => {
        if (!err2 && boot === this.bootCount) this.sslBoot = boot;
        done(err2);
      });
    };
    if (c.secLevel > 0 && c.caCert) this.uploadFile(c.caCert.name, c.caCert.data, ssl);
    else ssl(null);
  }

  /**
   * Whether the module's firmware has the SMTP engine: AT+QSMTPCFG=? answers on builds that
   * have it and is ERROR on many EC800/EC200 builds that do not. Asked once per boot
   * (smtpProbed, hasSmtpEngine); a timeout or a flushed command is an error, not an answer.
   */
  probeSmtp(done: Done): void {
    if (this.probeBoot === this.bootCount) {
      this.answer(done, null);
      return;
    }
    const boot = this.bootCount;
    this.exec(step("+QSMTPCFG=?", SHAPE_LINES, "+QSMTPCFG:", T_SHORT), null, null, 0, (err) => {
      if (err && (err.code === E_TIMEOUT || err.code === E_CANCELLED || err.kind === KIND_MODEM)) return done(err);
      if (boot === this.bootCount) {
        this.probeBoot = boot;
        this.hasSmtp = err === null;
        this.note(LOG_INFO, "the module's SMTP engine: " + (err === null ? "present (AT+QSMTPCFG=? answered)" : "absent (AT+QSMTPCFG=? gave " + err.cause + ")"));
      }
      done(null);
    });
  }

  /** probeSmtp has asked in this boot. */
  smtpProbed(): boolean {
    return this.probeBoot === this.bootCount;
  }

  /** What probeSmtp found in this boot (false until it has asked). */
  hasSmtpEngine(): boolean {
    return this.probeBoot === this.bootCount && this.hasSmtp;
  }

  // ---------------------------------------------------------------- files

  /**
   * Put `src` into the module's file "UFS:<name>" (firmware/ext/upload, when the composition
   * carries it: `files`); without it, a configuration error (the core refuses attachments
   * and a CA certificate earlier, so this is the last line).
   */
  uploadFile(name: string, src: ByteSource, done: Done): void {
    if (this.files) this.files.upload(name, src, done);
    else this.answer(done, noFilesError("", ""));
  }

  /** Remove the module's file "UFS:<name>" (a missing file counts as removed). */
  deleteFile(name: string, done: Done): void {
    if (this.files) this.files.remove(name, done);
    else this.answer(done, null);
  }

  // ---------------------------------------------------------------- for optional modules

  /** Run one step as the driver's own commands run (counted, logged, ended with its boot). */
  run(s: Step, onLine: ((line: Line) => void) | null, data: ByteSource | null, ackEvery: number, done: Done): void {
    this.exec(s, onLine, data, ackEvery, done);
  }

  /** Changes whenever the driver gives up what it was doing (a reboot, a power-down, close). */
  generation(): number {
    return this.gen;
  }

  // ---------------------------------------------------------------- mail content

  addRecipient(type: number, address: string, done: Done): void {
    this.contentDirty = true;
    this.exec(recipientStep(type, address), null, null, 0, done);
  }

  /** charset 0: ASCII text; 1: UTF-8 hex (see text/utf8.ts). */
  setSubject(charset: number, text: string, done: Done): void {
    this.contentDirty = true;
    this.exec(subjectStep(charset, text), null, null, 0, done);
  }

  /** AT+QSMTPBODY: CONNECT, exactly src.length bytes, +QSMTPBODY: <n> must equal the length. */
  setBody(charset: number, src: ByteSource, done: Done): void {
    this.contentDirty = true;
    let n = -1;
    this.exec(bodyStep(charset, src.length, BODY_INPUT_S), (line) => { n = line.int(0, -1); }, src, 0, (err) => {
      if (err) return done(err);
      if (n !== src.length) {
        return done(cellError(KIND_RETRYABLE, E_BODY_SHORT, "module took " + n + " of " + src.length + " body bytes", ""));
      }
      done(null);
    });
  }

  /** AT+QSMTPATT=1,<index 1..10>,"UFS:<name>". */
  attach(index: number, name: string, done: Done): void {
    this.contentDirty = true;
    this.exec(attachStep(index, "UFS:" + name), null, null, 0, done);
  }

  /**
   * AT+QSMTPPUT=<timeoutS>: done on OK; the result comes later through onPutResult. Judged
   * by its final result only: an OK whose echo differed (E_GARBLED) counts as OK, since the
   * module may be sending, and a second mail is worse than a doubt about the echo.
   */
  put(timeoutS: number, done: Done): void {
    this.hearPut();
    this.exec(putStep(timeoutS), null, null, 0, (err) => {
      if (err && err.code === E_GARBLED) {
        this.note(LOG_WARN, "AT+QSMTPPUT: " + err.cause + "; taken as OK (the module may be sending)");
        return done(null);
      }
      done(err);
    });
  }

  /** AT+QSMTPCLR (recipients, subject, body, attachment list; files stay). */
  clear(done: Done): void {
    this.exec(clearStep(), null, null, 0, (err) => {
      if (!err) this.contentDirty = false;
      done(err);
    });
  }

  // ---------------------------------------------------------------- reboot

  /** A reboot is allowed when none was requested in the last rebootSpacingMs. */
  canReboot(): boolean {
    return !this.hasRebooted || this.clock.now() - this.lastRebootAt >= this.config.rebootSpacingMs;
  }

  /** Ms until canReboot() becomes true (0 when it is). */
  rebootAllowedInMs(): number {
    if (this.canReboot()) return 0;
    return this.config.rebootSpacingMs - (this.clock.now() - this.lastRebootAt);
  }

  /**
   * AT+CFUN=1,1 and wait for RDY (bootWaitMs). Refused with E_REBOOT_SPACING when the
   * last reboot was less than rebootSpacingMs ago. After done(null), call ensureNetwork.
   */
  reboot(done: Done): void {
    if (!this.canReboot()) {
      this.answer(done, cellError(KIND_MODEM, E_REBOOT_SPACING, "module reboot needed but the last one was " +
        Math.floor((this.clock.now() - this.lastRebootAt) / 1000) + " s ago", ""));
      return;
    }
    this.hasRebooted = true;
    this.lastRebootAt = this.clock.now();
    this.reboots++;
    this.bootWaiter = done;
    this.note(LOG_WARN, "rebooting the module (AT+CFUN=1,1)");
    this.bootTimer = this.clock.setTimer(this.config.bootWaitMs, () => {
      // No RDY seen: treat the module as rebooted anyway; bring-up will probe it.
      this.bootTimer = null;
      const w = this.bootWaiter;
      this.bootWaiter = null;
      if (!w) return;
      this.bootCount++;
      this.gen++;
      this.ready = false;
      this.pdpUp = false;
      this.contentDirty = true;
      w(null);
    });
    this.exec(rebootStep(), null, null, 0, () => { /* RDY (or the boot timer) decides */ });
  }

  // ---------------------------------------------------------------- status

  /** A wait of the job ended: a line whose CR was lost on the UART is read now (AtPort.takeOpenLine). */
  takeOpenLine(): void {
    this.port.takeOpenLine();
  }

  /** Engine's consecutive command timeouts (recovery trigger). */
  consecutiveTimeouts(): number {
    return this.port.consecutiveTimeouts();
  }

  /** Fresh AT+CSQ and registration (CEREG, then CGREG/CREG when not registered on LTE). */
  readStatus(done: (err: CellError | null, status: ModemStatus) => void): void {
    const g = this.gen;
    this.readCsq(g, (err) => {
      if (err) return done(err, this.status);
      this.queryReg(g, 0, -1, () => done(null, this.status));
    });
  }

  close(): void {
    this.closed = true;
    this.gen++;
    if (this.bootTimer !== null) this.clock.clearTimer(this.bootTimer);
    this.bootTimer = null;
    this.bootWaiter = null;
    this.netDone = null;
    this.listener = null;
  }
}
