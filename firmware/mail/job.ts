// The mail job state machine: one PreparedMail from the first command to a result.
//
// Happy path (each state is one phase; EV_DONE moves to the next):
//
//   NETWORK -> CONFIG -> PREPARE -> RECIPIENTS -> SUBJECT -> BODY -> ATTACH -> PUT -> WAIT -> CLEANUP -> DONE
//   bring-up   SMTP cfg   QSMTPCLR   QSMTPDST     QSMTPSUB   QSMTPBODY  QFUPL+   QSMTPPUT  +QSMTPPUT  QSMTPCLR
//   + PDP      once per   if stale   per address                        QSMTPATT           URC        + QFDEL
//   (skipped   boot
//   when up)
//
// Everything else is in the rule table (`jobRules`; all tables are built once per Mailer, `jobTables`): a row says
// "in state S, on event E, do action A (and go to state N)". The first matching row wins;
// -1 matches any state. Failures go to the recovery ladder (mail/ladder.ts, the one table of both
// mailers: conditions placing a failure on a rung, each rung's budget and the rung above it; an
// unexpected RDY is a failure too, whose rung starts again from NETWORK), which follows the seed's
// chapter 4:
//   1. final errors (config, permanent, throttled) fail at once;
//   2. a transient SMTP error: resend with AT+QSMTPPUT directly (content stays on the module),
//      but for 664 (wrong input parameter: the content was garbled on its way to the module),
//      which builds the content again;
//      a transient reply of the server (4xx) is resent once, then the job ends: the server
//      answered, so the network and the module work, and only "later" can help (the outbox
//      retries with a backoff; climbing to PDP and reboot hammered a throttling provider);
//   3. a network error (654, 657, 653, pdpdeact, failed resends): re-activate PDP, then resend;
//   4. a module that does not answer (engine timeouts in a row, no boot, no SIM), or a rung
//      that failed: reboot with AT+CFUN=1,1, at most once per job and never twice within
//      rebootSpacingMs (10 min): otherwise the job fails with the last cause.
//   5. the socket path only: a stream damaged on the UART (E_STREAM_DAMAGED 1041: a read's
//      framing broke, or a send's chunks kept being cancelled because their echo differed)
//      gets a new connection with the same Message-ID, up to maxReconnects times per job;
//      then the job fails with that cause (retryable: the outbox tries it later, with its
//      backoff). Bytes lost between board and module are not the network's or the module's
//      fault: re-activating PDP (up to 150 s of radio) or rebooting (10-minute spacing)
//      cannot mend a UART, and would cost the next alarm its reboot.
// Content-phase failures rebuild the content (AT+QSMTPCLR, then recipients again).
// A module reboot (RDY) after bring-up loses the SMTP configuration and the content: the
// job goes back to NETWORK, the configuration is re-applied (new boot) and the mail built
// again. Clean-up (QSMTPCLR, QFDEL of uploaded files) runs after success and failure.
//
// With the socket transport (transport.ts: cellmail's own SMTP client over the module's
// sockets) the content phases and PUT/WAIT are one phase, SOCKET, and CONFIG sets up only the
// SSL context; the rule table of that path is `socketRules`, and the ladder is the same but for
// the damaged stream (docs/sockets.md, "Recovery on the socket path"):
//
//   socket failure                           code            rung (budget)               when spent
//   stream damaged on the UART               1041            reconnect (maxReconnects)   fail, retryable
//   peer closed, no reply or SEND OK in time 656, 658        resend (maxResends)         PDP, reboot
//   SEND FAIL (the module's buffer full)     1040            resend (maxResends)         PDP, reboot
//   a command's echo differs, reply not SMTP 1038, 1051      resend (maxResends)         PDP, reboot
//   DNS failure, open refused, 550-574       565, 566, ...   PDP (maxPdp)                reboot
//   TLS handshake or certificate refused     566 over TLS    fail (configuration)        -
//   the server's 4xx, 5xx                    proto           resend once; 5xx fail       fail
//
// A resend or a reconnect is the same thing on this path: a new connection, the whole
// conversation again, the same Message-ID; they only count against different budgets.
// Which path a job takes is decided when it enters CONFIG (smtp.transport, or for "auto"
// whether the module has an SMTP engine), and logged.
//
// Stale callbacks are dropped with a token that changes on every state entry, so a late
// command result, a late or duplicate +QSMTPPUT URC, or a timer of an old phase can
// never act on the current one.
import type { Clock, Log, TimerHandle } from "../platform/types.js";
import { LOG_DEBUG, LOG_INFO, LOG_WARN, logs } from "../platform/types.js";
import {
  CellError,
  cellError,
  describeError,
  isFinal,
  KIND_MODEM,
  KIND_NETWORK,
  KIND_RETRYABLE,
  E_CANCELLED,
  E_PDP_DEACT,
  E_POWERED_DOWN,
  E_REBOOTED,
  E_SEND_TIMEOUT,
  E_STREAM_DAMAGED,
} from "../errors.js";
import { putResultToError } from "../modem/codes.js";
import type { Done, Ec800 } from "../modem/ec800.js";
import type { MailJob, PreparedMail } from "./message.js";
import { TRANSPORT_MODULE, TRANSPORT_SOCKET, type MailTransport } from "./transport.js";
import { nextTurn } from "../turn.js";
import {
  BUSY_PAUSE_MS, PHASE_PAUSE_MS, R_END, R_GIVE_UP, R_PDP, R_REBOOT, R_REBUILD, R_RECONNECT,
  R_RESEND, R_RESTART, R_RETRY_PHASE, R_WAIT_RDY, RESEND_PAUSE_MS, rungBudgets, rungFor, TIMEOUT_LIMIT,
} from "./ladder.js";

// ---- states
export const ST_IDLE = 0;
export const ST_NETWORK = 1; //    bring-up if this boot has not had it; PDP if not known up
export const ST_CONFIG = 2; //     SSL + AT+QSMTPCFG, once per module boot
export const ST_PREPARE = 3; //    AT+QSMTPCLR when the module may hold stale content
export const ST_RECIPIENTS = 4; // AT+QSMTPDST per address
export const ST_SUBJECT = 5; //    AT+QSMTPSUB
export const ST_BODY = 6; //       AT+QSMTPBODY (data mode)
export const ST_ATTACH = 7; //     per attachment: AT+QFUPL (+checksum) and AT+QSMTPATT
export const ST_PUT = 8; //        PDP check (no command when up) and AT+QSMTPPUT
export const ST_WAIT = 9; //       wait for +QSMTPPUT: <err>,<proto> (put timeout + margin)
export const ST_PAUSE = 10; //     wait, then resume (resend, phase retry)
export const ST_PDP = 11; //       re-activate PDP: AT+QIDEACT, AT+QIACT, AT+QIACT?
export const ST_REBOOT = 12; //    AT+CFUN=1,1 and wait for RDY
export const ST_REBUILD = 13; //   AT+QSMTPCLR before building the content again
export const ST_CLEANUP = 14; //   AT+QSMTPCLR and AT+QFDEL for uploaded files
export const ST_DONE = 15;
export const ST_SOCKET = 16; //    the socket transport: open a connection, the whole SMTP conversation, close

export function stateName(s: number): string {
  switch (s) {
    case ST_IDLE: return "IDLE";
    case ST_NETWORK: return "NETWORK";
    case ST_CONFIG: return "CONFIG";
    case ST_PREPARE: return "PREPARE";
    case ST_RECIPIENTS: return "RECIPIENTS";
    case ST_SUBJECT: return "SUBJECT";
    case ST_BODY: return "BODY";
    case ST_ATTACH: return "ATTACH";
    case ST_PUT: return "PUT";
    case ST_WAIT: return "WAIT";
    case ST_PAUSE: return "PAUSE";
    case ST_PDP: return "PDP";
    case ST_REBOOT: return "REBOOT";
    case ST_REBUILD: return "REBUILD";
    case ST_CLEANUP: return "CLEANUP";
    case ST_DONE: return "DONE";
    case ST_SOCKET: return "SOCKET";
  }
  return "?" + s;
}

// ---- events
export const EV_DONE = 0; //     the phase finished
export const EV_FAIL = 1; //     the phase failed (a CellError)
export const EV_RESULT = 2; //   +QSMTPPUT: <err>,<proto>
export const EV_DEADLINE = 3; // the send wait expired
export const EV_REBOOT = 4; //   RDY that we did not ask for
export const EV_PDPDEACT = 5; // +QIURC: "pdpdeact" for our context
export const EV_POWERDOWN = 6; // POWERED DOWN: nothing more can be done until a power cycle

// ---- actions
const A_GOTO = 0; //     enter the row's next state
const A_LADDER = 1; //   recovery ladder with the event's error
const A_RESULT = 2; //   judge the +QSMTPPUT result
const A_IGNORE = 3;
const A_REBOOTED = 4; // content and configuration lost: back to NETWORK
const A_RESUME = 5; //   enter the saved resume state
const A_FINISH = 6; //   report the outcome
const A_SENT = 7; //     the socket transport delivered: report (nothing to clean up)

const ANY = -1;

// ---- the recovery ladder: one table for both mailers (mail/ladder.ts). The conditions are
// stated by `facts`, the budgets by `hasBudget`, the rungs acted on by `climbTo`.

/** Where a job resumes after an interruption (a pause or a PDP re-activation) in each state. */
const RESUME_SAVED = -1;
function resumeTable(): number[] {
  return [
    ST_NETWORK, //    IDLE
    ST_NETWORK, //    NETWORK
    ST_CONFIG, //     CONFIG
    ST_REBUILD, //    PREPARE     partial content: clear, build again
    ST_REBUILD, //    RECIPIENTS
    ST_REBUILD, //    SUBJECT
    ST_REBUILD, //    BODY
    ST_REBUILD, //    ATTACH
    ST_PUT, //        PUT         content is still on the module
    ST_PUT, //        WAIT
    RESUME_SAVED, //  PAUSE       where the interrupted pause was going
    RESUME_SAVED, //  PDP
    ST_NETWORK, //    REBOOT
    ST_REBUILD, //    REBUILD
    ST_NETWORK, //    CLEANUP
    ST_NETWORK, //    DONE
    ST_SOCKET, //     SOCKET      a new connection, the mail again from its start
  ];
}

/** Bounds of the recovery ladder (all optional in MailerOptions). */
export interface RecoveryLimits {
  /** AT+QSMTPPUT resends after a transient error (socket path: new connections). Default 2. */
  maxResends: number;
  /**
   * Socket path: new connections after the stream was damaged on the UART (E_STREAM_DAMAGED),
   * before the job fails retryable and the outbox tries later. Default 3: over 64 seeds of
   * byte-loss, 62 jobs delivered within three and a fourth helped one; after that the link is
   * bad now and the outbox's backoff spaces the tries better (docs/sockets.md, "Recovery on
   * the socket path").
   */
  maxReconnects: number;
  /** Content rebuilds (QSMTPCLR + content again) after a content-phase error. Default 2. */
  maxRebuilds: number;
  /** PDP re-activations per job. Default 2. */
  maxPdp: number;
  /** Module reboots the job may request. Default 1. */
  maxReboots: number;
  /** Unexpected module reboots (RDY) a job survives. Default 3. */
  maxResets: number;
  /** Retries of the NETWORK and CONFIG phases before escalating. Default 2. */
  maxPhaseRetries: number;
  /** Engine timeouts in a row that mean "module not answering": reboot. Default 3. */
  timeoutLimit: number;
  /** Pause before a resend. Default 2000 ms (10000 after 652 busy). */
  resendPauseMs: number;
  /** Pause before retrying a phase. Default 3000 ms. */
  phasePauseMs: number;
}

export function defaultLimits(): RecoveryLimits {
  const b = rungBudgets();
  return {
    maxResends: b[R_RESEND],
    maxReconnects: b[R_RECONNECT],
    maxRebuilds: b[R_REBUILD],
    maxPdp: b[R_PDP],
    maxReboots: b[R_REBOOT],
    maxResets: b[R_RESTART],
    maxPhaseRetries: b[R_RETRY_PHASE],
    timeoutLimit: TIMEOUT_LIMIT,
    resendPauseMs: RESEND_PAUSE_MS,
    phasePauseMs: PHASE_PAUSE_MS,
  };
}

/** After a flushed command, wait this long for the RDY that usually explains it. */
const CANCEL_PAUSE_MS = 500;
const MAX_CANCELS = 3;

/** The outcome of one job. */
export interface MailResult {
  id: string;
  delivered: boolean;
  /** null when delivered. */
  error: CellError | null;
  /** AT+QSMTPPUT commands sent. */
  attempts: number;
  resends: number;
  /** Socket path: new connections after a stream damaged on the UART. */
  reconnects: number;
  rebuilds: number;
  pdpReactivations: number;
  /** Reboots this job requested (AT+CFUN=1,1). */
  reboots: number;
  /** Unexpected reboots (RDY) survived. */
  moduleResets: number;
  /** AT commands issued while the job ran (including clean-up). */
  commands: number;
  /** Clock ms. */
  submittedAt: number;
  startedAt: number;
  /** First AT+QSMTPPUT, -1 if none. */
  firstPutAt: number;
  finishedAt: number;
  /** From the last AT+QSMTPPUT to its +QSMTPPUT result (socket path: the last send's start to its end), -1 if none. */
  sendWaitMs: number;
  /** Socket path: SMTP exchanges the last send waited for (0 on the module path). */
  smtpRoundTrips: number;
}

/** A result with nothing done yet (the job fills it in; the mailer uses it for refused jobs). */
export function newMailResult(id: string, submittedAt: number): MailResult {
  return {
    id: id,
    delivered: false,
    error: null,
    attempts: 0,
    resends: 0,
    reconnects: 0,
    rebuilds: 0,
    pdpReactivations: 0,
    reboots: 0,
    moduleResets: 0,
    commands: 0,
    submittedAt: submittedAt,
    startedAt: -1,
    firstPutAt: -1,
    finishedAt: -1,
    sendWaitMs: -1,
    smtpRoundTrips: 0,
  };
}

/**
 * The rows both paths share after their own: pauses and PDP re-activation resume, a reboot
 * starts again from NETWORK, clean-up ends the job, and the events nothing waits for.
 */
function recoveryRules(): number[][] {
  // state           event         action      next state
  return [
    [ST_PAUSE,      EV_DONE,     A_RESUME,   0],
    [ST_PDP,        EV_DONE,     A_RESUME,   0],
    [ST_REBOOT,     EV_DONE,     A_GOTO,     ST_NETWORK],
    [ST_CLEANUP,    EV_DONE,     A_FINISH,   0],
    [ST_REBOOT,     EV_REBOOT,   A_IGNORE,   0], //             our own AT+CFUN=1,1
    [ST_NETWORK,    EV_REBOOT,   A_IGNORE,   0], //             the driver restarts bring-up
    [ST_CLEANUP,    EV_REBOOT,   A_IGNORE,   0], //             content is gone anyway
    [ST_DONE,       EV_REBOOT,   A_IGNORE,   0],
    [ANY,           EV_REBOOT,   A_REBOOTED, 0], //             content, configuration or connection lost with the module
    [ST_CLEANUP,    EV_POWERDOWN, A_FINISH,  0], //             the outcome stands; clean-up cannot run
    [ANY,           EV_POWERDOWN, A_LADDER,  0], //             the ladder ends the job (no reboot can help)
    [ST_CLEANUP,    EV_FAIL,     A_IGNORE,   0], //             clean-up is best effort
    [ANY,           EV_FAIL,     A_LADDER,   0],
    [ST_PAUSE,      EV_RESULT,   A_RESULT,   0], //             a success before a resend (onPutResult): delivered
    [ANY,           EV_RESULT,   A_IGNORE,   0], //             stale or duplicate URC (and never the socket path's)
    [ANY,           EV_DEADLINE, A_IGNORE,   0],
    [ANY,           EV_PDPDEACT, A_IGNORE,   0], //             PUT and SOCKET re-activate PDP when needed
  ];
}

/**
 * The job's rule table on the module's SMTP engine: "in state S, on event E, do action A (and
 * go to state N)"; the first matching row wins. Constant: the Mailer builds it once and every
 * job shares it.
 */
function jobRules(): number[][] {
  // state           event         action      next state
  return [
    [ST_NETWORK,    EV_DONE,     A_GOTO,     ST_CONFIG],
    [ST_CONFIG,     EV_DONE,     A_GOTO,     ST_PREPARE],
    [ST_PREPARE,    EV_DONE,     A_GOTO,     ST_RECIPIENTS],
    [ST_RECIPIENTS, EV_DONE,     A_GOTO,     ST_SUBJECT],
    [ST_SUBJECT,    EV_DONE,     A_GOTO,     ST_BODY],
    [ST_BODY,       EV_DONE,     A_GOTO,     ST_ATTACH],
    [ST_ATTACH,     EV_DONE,     A_GOTO,     ST_PUT],
    [ST_PUT,        EV_DONE,     A_GOTO,     ST_WAIT],
    [ST_PUT,        EV_RESULT,   A_RESULT,   0], //             the URC overtook the OK
    [ST_WAIT,       EV_RESULT,   A_RESULT,   0],
    [ST_WAIT,       EV_DEADLINE, A_LADDER,   0], //             E_SEND_TIMEOUT
    [ST_PUT,        EV_PDPDEACT, A_LADDER,   0], //             E_PDP_DEACT (network)
    [ST_WAIT,       EV_PDPDEACT, A_LADDER,   0],
    [ST_REBUILD,    EV_DONE,     A_GOTO,     ST_RECIPIENTS],
  ].concat(recoveryRules());
}

/**
 * The rule table of the socket transport's path: NETWORK, CONFIG (the SSL context only),
 * SOCKET (the whole conversation), and nothing to clean up on the module afterwards.
 */
function socketRules(): number[][] {
  // state           event         action      next state
  return [
    [ST_NETWORK,    EV_DONE,     A_GOTO,     ST_CONFIG],
    [ST_CONFIG,     EV_DONE,     A_GOTO,     ST_SOCKET],
    [ST_SOCKET,     EV_DONE,     A_SENT,     0],
    [ST_SOCKET,     EV_PDPDEACT, A_LADDER,   0], //             E_PDP_DEACT (network)
  ].concat(recoveryRules());
}

/** Every table of the job, built once per Mailer and shared by its jobs (constant data). */
export interface JobTables {
  rules: number[][];
  socketRules: number[][];
  resumeAfter: number[];
}

export function jobTables(): JobTables {
  return { rules: jobRules(), socketRules: socketRules(), resumeAfter: resumeTable() };
}

/** How a Mailer's jobs may send: smtp.transport and the socket transport, when the composition carries one. */
export interface JobRoute {
  /** TRANSPORT_MODULE, TRANSPORT_SOCKET or TRANSPORT_AUTO. */
  mode: number;
  socket: MailTransport | null;
}

export class MailJobRun {
  state: number;
  readonly mail: PreparedMail;
  private driver: Ec800;
  private clock: Clock;
  private log: Log | null;
  private limits: RecoveryLimits;
  private putTimeoutS: number;
  private putMarginMs: number;
  private onFinish: (r: MailResult) => void;
  private tables: JobTables;
  private token: number;
  private timer: TimerHandle | null;
  private resumeState: number;
  private pauseMs: number;
  private putSent: boolean;
  private putAt: number;
  private files: string[];
  private outcome: CellError | null;
  private commandsAtStart: number;
  private cancels: number;
  private phaseRetries: number;
  /** The job as submitted (the socket transport writes its own message from it). */
  private job: MailJob | null;
  private route: JobRoute | null;
  /** The path decided at CONFIG: the socket transport's, or the module's. */
  private viaSocket: boolean;
  private pathTold: boolean;
  /** A socket send is in flight: cancel it when the job moves on without its result. */
  private sending: boolean;
  /** The socket transport's command count when the job started (result.commands counts both). */
  private transportAtStart: number;
  readonly result: MailResult;

  constructor(
    driver: Ec800,
    clock: Clock,
    mail: PreparedMail,
    submittedAt: number,
    limits: RecoveryLimits,
    tables: JobTables,
    onFinish: (r: MailResult) => void,
    log: Log | null,
    job: MailJob | null,
    route: JobRoute | null,
  ) {
    this.driver = driver;
    this.clock = clock;
    this.mail = mail;
    this.limits = limits;
    this.putTimeoutS = driver.config.putTimeoutS;
    this.putMarginMs = driver.config.putMarginMs;
    this.onFinish = onFinish;
    this.log = log;
    this.state = ST_IDLE;
    this.token = 0;
    this.timer = null;
    this.resumeState = ST_NETWORK;
    this.pauseMs = 0;
    this.putSent = false;
    this.putAt = -1;
    this.files = [];
    this.outcome = null;
    this.commandsAtStart = 0;
    this.cancels = 0;
    this.phaseRetries = 0;
    this.result = newMailResult(mail.id, submittedAt);
    this.tables = tables;
    this.job = job;
    this.route = route;
    // smtp.transport "socket": the socket path from the start (a failure before CONFIG cleans
    // nothing on the module); "auto" decides at CONFIG.
    this.viaSocket = route !== null && route.socket !== null && route.mode === TRANSPORT_SOCKET;
    this.pathTold = false;
    this.sending = false;
    this.transportAtStart = 0;
  }

  // ---------------------------------------------------------------- inputs

  start(): void {
    this.result.startedAt = this.clock.now();
    this.commandsAtStart = this.driver.commands;
    const socket = this.route !== null ? this.route.socket : null;
    this.transportAtStart = socket !== null ? socket.commands : 0;
    this.note(LOG_INFO, "start, " + this.mail.addresses.length + " recipient(s), " + this.mail.attachments.length + " attachment(s)");
    this.enter(ST_NETWORK);
  }

  /** POWERED DOWN: the job cannot go on (the driver flushes the command in flight next). */
  onPowerDown(err: CellError): void {
    this.post(EV_POWERDOWN, err);
  }

  /** RDY: `expected` when we asked for the reboot. */
  onReboot(expected: boolean): void {
    if (!expected) this.post(EV_REBOOT, null);
  }

  onPdpDeact(): void {
    this.post(EV_PDPDEACT, cellError(KIND_NETWORK, E_PDP_DEACT, "PDP context deactivated by the network during the send", ""));
  }

  onPutResult(err: number, proto: number): void {
    // Only a result that follows our AT+QSMTPPUT counts; anything else is stale or a duplicate.
    // In the pause before a resend, a success is the result of the AT+QSMTPPUT that failed
    // on the UART (its OK lost: the module was sending): the mail went, and sending it again
    // would deliver it twice. A failure there is left to the resend that follows.
    const beforeResend = this.state === ST_PAUSE && this.resumeState === ST_PUT && err === 0;
    if ((this.state !== ST_PUT && this.state !== ST_WAIT && !beforeResend) || !this.putSent) {
      this.note(LOG_DEBUG, "ignored +QSMTPPUT: " + err + "," + proto + " in " + stateName(this.state));
      return;
    }
    this.result.sendWaitMs = this.clock.now() - this.putAt;
    this.outcome = putResultToError(err, proto, this.driver.causes);
    this.dispatch(EV_RESULT, this.outcome);
  }

  /** Stop without clean-up (the mailer is closing). */
  abort(err: CellError): void {
    if (this.state === ST_DONE) return;
    this.outcome = err;
    this.token++;
    this.clearTimer();
    this.finish();
  }

  done(): boolean {
    return this.state === ST_DONE;
  }

  // ---------------------------------------------------------------- engine

  private note(level: number, message: string): void {
    if (this.log) this.log(level, "mail " + this.mail.id + ": " + message);
  }

  private clearTimer(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
  }

  /** A completion callback valid only for the current state entry. */
  private cb(): Done {
    const t = this.token;
    return (err) => {
      if (t !== this.token) return;
      this.post(err ? EV_FAIL : EV_DONE, err);
    };
  }

  /**
   * The phase ended without waiting for the module (nothing to clear, the last recipient
   * or attachment, no file to delete): the next state is entered on a fresh turn, like
   * after a command (nextTurn), so phases never stack up on one another.
   */
  private phaseDone(): void {
    const done = this.cb();
    nextTurn(this.clock, () => done(null));
  }

  private post(ev: number, err: CellError | null): void {
    if (this.state === ST_DONE) return;
    this.dispatch(ev, err);
  }

  private dispatch(ev: number, err: CellError | null): void {
    const rules = this.viaSocket ? this.tables.socketRules : this.tables.rules;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i];
      if ((r[0] === this.state || r[0] === ANY) && r[1] === ev) {
        this.act(r[2], r[3], err);
        return;
      }
    }
  }

  private act(action: number, next: number, err: CellError | null): void {
    switch (action) {
      case A_GOTO:
        this.enter(next);
        return;
      case A_LADDER:
        this.ladder(err ? err : cellError(KIND_RETRYABLE, E_SEND_TIMEOUT, "no +QSMTPPUT result within " + this.putTimeoutS + " s + margin", ""));
        return;
      case A_RESULT:
        if (!err) {
          this.note(LOG_INFO, "delivered after " + this.result.attempts + " attempt(s)");
          this.result.delivered = true;
          this.outcome = null;
          this.enter(ST_CLEANUP);
        } else {
          this.note(LOG_WARN, "send failed: " + describeError(err));
          this.ladder(err);
        }
        return;
      case A_REBOOTED:
        // Counted as seen (MailResult.moduleResets); the ladder's R_RESTART has the budget (maxResets).
        this.result.moduleResets++;
        this.ladder(cellError(KIND_MODEM, E_REBOOTED, "module rebooted " + this.result.moduleResets + " times during the job", ""));
        return;
      case A_RESUME:
        this.enter(this.resumeState);
        return;
      case A_FINISH:
        this.finish();
        return;
      case A_SENT:
        this.note(LOG_INFO, "delivered over the socket after " + this.result.attempts + " attempt(s)");
        this.result.delivered = true;
        this.outcome = null;
        this.finish();
        return;
    }
    // A_IGNORE
  }

  private enter(s: number): void {
    this.token++;
    this.clearTimer();
    this.stopSocket();
    this.state = s;
    if (logs(this.log, LOG_DEBUG)) this.note(LOG_DEBUG, "-> " + stateName(s)); // built only when printed
    const d = this.driver;
    const m = this.mail;
    switch (s) {
      case ST_NETWORK:
        d.ensureNetwork(this.cb());
        return;
      case ST_CONFIG:
        this.configure();
        return;
      case ST_SOCKET:
        this.sendSocket(this.token);
        return;
      case ST_PREPARE:
        if (d.contentDirty) d.clear(this.cb());
        else this.phaseDone();
        return;
      case ST_RECIPIENTS:
        this.recipient(0, this.token);
        return;
      case ST_SUBJECT:
        d.setSubject(m.subjectCharset, m.subjectText, this.cb());
        return;
      case ST_BODY:
        d.setBody(m.bodyCharset, m.body, this.cb());
        return;
      case ST_ATTACH:
        this.attachment(0, this.token);
        return;
      case ST_PUT:
        this.sendPut(this.token);
        return;
      case ST_WAIT: {
        const t = this.token;
        this.timer = this.clock.setTimer(this.putTimeoutS * 1000 + this.putMarginMs, () => {
          this.timer = null;
          if (t !== this.token) return;
          // The result may be there with its CR lost on the UART: the engine would wait for the
          // module's next CR, and the mail would go twice. It is read first (it ends the wait).
          this.driver.takeOpenLine();
          if (t === this.token) this.post(EV_DEADLINE, null);
        });
        return;
      }
      case ST_PAUSE: {
        const done = this.cb();
        this.timer = this.clock.setTimer(this.pauseMs, () => {
          this.timer = null;
          this.driver.takeOpenLine(); // as at the send wait's end: a result that came in the pause (onPutResult)
          done(null);
        });
        return;
      }
      case ST_PDP:
        this.result.pdpReactivations++;
        d.reactivatePdp(this.cb());
        return;
      case ST_REBOOT:
        this.result.reboots++;
        d.reboot(this.cb());
        return;
      case ST_REBUILD:
        this.result.rebuilds++;
        d.clear(this.cb());
        return;
      case ST_CLEANUP:
        if (this.viaSocket || !this.engineMayHoldContent()) this.phaseDone(); // nothing of the mail is on the module
        else this.cleanup(this.token);
        return;
    }
  }

  private recipient(i: number, t: number): void {
    if (t !== this.token) return;
    if (i >= this.mail.addresses.length) {
      this.phaseDone();
      return;
    }
    this.driver.addRecipient(this.mail.types[i], this.mail.addresses[i], (err) => {
      if (t !== this.token) return;
      if (err) this.post(EV_FAIL, err);
      else this.recipient(i + 1, t);
    });
  }

  private attachment(i: number, t: number): void {
    if (t !== this.token) return;
    const list = this.mail.attachments;
    if (i >= list.length) {
      this.phaseDone();
      return;
    }
    const name = list[i].name;
    if (this.files.indexOf(name) < 0) this.files.push(name); // delete it in clean-up even if the upload fails
    this.driver.uploadFile(name, list[i].data, (err) => {
      if (t !== this.token) return;
      if (err) return this.post(EV_FAIL, err);
      this.driver.attach(i + 1, name, (err2) => {
        if (t !== this.token) return;
        if (err2) this.post(EV_FAIL, err2);
        else this.attachment(i + 1, t);
      });
    });
  }

  private sendPut(t: number): void {
    this.putSent = false;
    this.driver.activatePdp((err) => {
      if (t !== this.token) return;
      if (err) return this.post(EV_FAIL, err);
      this.putSent = true;
      this.putAt = this.clock.now();
      if (this.result.firstPutAt < 0) this.result.firstPutAt = this.putAt;
      this.result.attempts++;
      this.driver.put(this.putTimeoutS, this.cb());
    });
  }

  /** CONFIG: decide the path (once per job, logged), then configure what that path needs. */
  private configure(): void {
    const r = this.route;
    const d = this.driver;
    if (r === null || r.socket === null || r.mode === TRANSPORT_MODULE) return this.usePath(false, "");
    if (r.mode === TRANSPORT_SOCKET) return this.usePath(true, "smtp.transport is socket");
    if (d.smtpProbed()) return this.usePath(!d.hasSmtpEngine(), d.hasSmtpEngine() ? "the module has an SMTP engine" : "the module has no SMTP engine");
    const t = this.token;
    d.probeSmtp((err) => {
      if (t !== this.token) return;
      if (err) return this.post(EV_FAIL, err);
      this.usePath(!d.hasSmtpEngine(), d.hasSmtpEngine() ? "the module has an SMTP engine (AT+QSMTPCFG=? answers)" : "the module has no SMTP engine (AT+QSMTPCFG=? is ERROR)");
    });
  }

  private usePath(socket: boolean, why: string): void {
    if (why !== "" && (!this.pathTold || socket !== this.viaSocket)) {
      this.note(LOG_INFO, "transport: " + (socket ? "socket" : "module") + " (" + why + ")");
      this.pathTold = true;
    }
    this.viaSocket = socket;
    if (!socket) this.driver.ensureSmtpConfig(this.cb());
    else if ((this.route as JobRoute).socket!.tls) this.driver.ensureSslConfig(this.cb());
    else this.phaseDone();
  }

  /** SOCKET: PDP (no command when it is up), then the whole conversation over a new connection. */
  private sendSocket(t: number): void {
    const transport = (this.route as JobRoute).socket as MailTransport;
    this.driver.activatePdp((err) => {
      if (t !== this.token) return;
      if (err) return this.post(EV_FAIL, err);
      this.putAt = this.clock.now();
      if (this.result.firstPutAt < 0) this.result.firstPutAt = this.putAt;
      this.result.attempts++;
      this.sending = true;
      transport.send(this.job as MailJob, this.mail, (e) => {
        this.sending = false;
        if (t !== this.token) return;
        this.result.sendWaitMs = this.clock.now() - this.putAt;
        this.result.smtpRoundTrips = transport.roundTrips;
        this.post(e ? EV_FAIL : EV_DONE, e);
      });
    });
  }

  /** Whether the module's SMTP engine may hold this mail's content ("auto" before CONFIG: only if it has an engine). */
  private engineMayHoldContent(): boolean {
    const r = this.route;
    return r === null || r.socket === null || r.mode === TRANSPORT_MODULE || this.driver.hasSmtpEngine();
  }

  /** A socket send still in flight when the job moves on (a reboot, a power-down, the end) is cancelled. */
  private stopSocket(): void {
    if (!this.sending) return;
    this.sending = false;
    ((this.route as JobRoute).socket as MailTransport).cancel();
  }

  private cleanup(t: number): void {
    const files = this.files;
    let i = 0;
    const next = () => {
      if (t !== this.token) return;
      if (i >= files.length) {
        this.phaseDone();
        return;
      }
      this.driver.deleteFile(files[i++], next);
    };
    this.driver.clear(next);
  }

  private finish(): void {
    this.stopSocket();
    this.state = ST_DONE;
    this.token++;
    this.clearTimer();
    const r = this.result;
    r.error = r.delivered ? null : this.outcome;
    if (!r.delivered && !r.error) r.error = cellError(KIND_MODEM, E_CANCELLED, "job ended without a result", "");
    r.finishedAt = this.clock.now();
    const socket = this.route !== null ? this.route.socket : null;
    r.commands = this.driver.commands - this.commandsAtStart + (socket !== null ? socket.commands - this.transportAtStart : 0);
    if (!r.delivered && r.error) this.note(LOG_WARN, "failed: " + describeError(r.error));
    this.onFinish(r);
  }

  // ---------------------------------------------------------------- recovery

  private fail(err: CellError): void {
    this.outcome = err;
    this.result.delivered = false;
    this.enter(ST_CLEANUP);
  }

  private pause(ms: number, resume: number): void {
    this.pauseMs = ms;
    this.resumeState = resume;
    this.enter(ST_PAUSE);
  }

  /** Where to continue after an interruption in state `from` (resumeTable). */
  private resumeFor(from: number): number {
    const r = this.tables.resumeAfter[from];
    return r === RESUME_SAVED ? this.resumeState : r;
  }

  /** The recovery ladder (mail/ladder.ts): place the failure on a rung, climb while the rung's budget is spent, act. */
  private ladder(err: CellError): void {
    const from = this.state;
    this.outcome = err;
    this.climbTo(rungFor(this.facts(err, from), (r) => this.hasBudget(r)), err, from);
  }

  /** The ladder's conditions for a failure in state `from`, by condition (mail/ladder.ts). */
  private facts(err: CellError, from: number): boolean[] {
    const sending = from === ST_PUT || from === ST_WAIT || from === ST_SOCKET;
    return [
      err.code === E_CANCELLED && this.cancels < MAX_CANCELS, //   C_CANCELLED
      err.code === E_REBOOTED, //                                  C_RESET (only A_REBOOTED makes one)
      isFinal(err.kind), //                                        C_FINAL
      err.code === E_POWERED_DOWN, //                              C_POWERED_DOWN
      err.kind === KIND_MODEM || this.driver.consecutiveTimeouts() >= this.limits.timeoutLimit, // C_SILENT
      from === ST_SOCKET && err.code === E_STREAM_DAMAGED, //      C_DAMAGED
      from === ST_PDP || from === ST_REBOOT, //                    C_RUNG_FAILED
      from === ST_NETWORK || from === ST_CONFIG, //                C_BRINGUP
      err.kind === KIND_NETWORK, //                                C_NETWORK
      sending && err.proto > 0 && this.result.resends >= 1, //     C_SERVER_AGAIN
      (from === ST_PUT || from === ST_WAIT) && err.code === 664, // C_BAD_CONTENT
      sending, //                                                  C_SENDING
      true, //                                                     C_CONTENT: what is left failed while building the content
    ];
  }

  /** Whether a rung has budget left in this job (a rung without a budget always has). */
  private hasBudget(rung: number): boolean {
    const l = this.limits;
    const r = this.result;
    switch (rung) {
      case R_RETRY_PHASE: return this.phaseRetries < l.maxPhaseRetries;
      case R_RESEND: return r.resends < l.maxResends;
      case R_RECONNECT: return r.reconnects < l.maxReconnects;
      case R_PDP: return r.pdpReactivations < l.maxPdp;
      case R_REBUILD: return r.rebuilds < l.maxRebuilds;
      case R_REBOOT: return r.reboots < l.maxReboots && this.driver.canReboot();
      case R_RESTART: return r.moduleResets <= l.maxResets; // counted when seen (A_REBOOTED)
    }
    return true;
  }

  private climbTo(rung: number, err: CellError, from: number): void {
    switch (rung) {
      case R_WAIT_RDY:
        // A flushed command is usually followed by RDY, which restarts the job properly.
        this.cancels++;
        this.pause(CANCEL_PAUSE_MS, this.resumeFor(from));
        return;
      case R_RETRY_PHASE:
        this.phaseRetries++;
        this.pause(this.limits.phasePauseMs, from);
        return;
      case R_RESEND:
        this.result.resends++;
        this.pause(err.code === 652 ? BUSY_PAUSE_MS : this.limits.resendPauseMs, this.viaSocket ? ST_SOCKET : ST_PUT);
        return;
      case R_RECONNECT:
        this.result.reconnects++;
        this.note(LOG_WARN, "stream damaged on the UART: a new connection (" + this.result.reconnects + " of " + this.limits.maxReconnects + "), no PDP or reboot");
        this.pause(this.limits.resendPauseMs, ST_SOCKET);
        return;
      case R_PDP:
        this.resumeState = this.resumeFor(from);
        this.enter(ST_PDP);
        return;
      case R_REBUILD:
        this.enter(ST_REBUILD);
        return;
      case R_REBOOT:
        this.enter(ST_REBOOT);
        return;
      case R_RESTART:
        this.note(LOG_WARN, "module rebooted in " + stateName(from) + ": configure and build again");
        this.enter(ST_NETWORK);
        return;
      case R_END:
        // AT+CFUN=1,1 cannot wake a module that powered down: only PWRKEY or power can.
        this.finish();
        return;
      case R_GIVE_UP:
        if (!this.driver.canReboot()) {
          // A new error that says why: the one passed in is its maker's, never changed here.
          const why = cellError(err.kind, err.code, err.cause + "; module reboot not allowed for another " + Math.ceil(this.driver.rebootAllowedInMs() / 1000) + " s", err.field);
          why.proto = err.proto;
          this.fail(why);
          return;
        }
        this.fail(err);
        return;
    }
    this.fail(err); // R_FAIL (mail/ladder.ts)
  }
}
