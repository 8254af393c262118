// The Mailer: owns the EC800 driver and runs mail jobs one at a time from a bounded
// queue. This is the public entry point of the mail layer:
//
//   const mailer = new Mailer(port, clock, config, { log });   // throws a CellError on bad config
//   const err = mailer.submit(job, (result) => { ... });      // null = accepted
//   mailer.readStatus((err, status) => { status.rssi, status.reg });
//
// A job that fails validation (or finds the queue full) is refused by submit with a
// KIND_CONFIG (or KIND_RETRYABLE E_QUEUE_FULL) error, and its callback is never called.
// An accepted job always ends with exactly one callback: delivered, or failed with a
// typed cause. Callbacks run on a fresh turn (nextTurn, firmware/turn.ts), and so does
// the next job: what the owner does with a result never stacks on the finished job.
import type { AtPort } from "../at/types.js";
import type { Clock, Log } from "../platform/types.js";
import { CellError, cellError, KIND_CONFIG, KIND_MODEM, KIND_RETRYABLE, E_CLOSED, E_CONFIG, E_QUEUE_FULL } from "../errors.js";
import type { CauseTexts } from "../modem/codes.js";
import { Ec800, ModemListener, ModemStatus, ModuleFiles, Done, noFilesError, poweredDownError } from "../modem/ec800.js";
import { ModemConfig, resolveConfig, ResolvedConfig } from "../modem/config.js";
import { MailJob, PreparedMail, newPreparedMail, prepareMail } from "./message.js";
import { JobRoute, JobTables, MailJobRun, MailResult, RecoveryLimits, defaultLimits, jobTables, newMailResult } from "./job.js";
import { TRANSPORT_MODULE, TRANSPORT_SOCKET, type MailTransport } from "./transport.js";
import { nextTurn } from "../turn.js";

export interface MailerOptions {
  /** Jobs waiting behind the running one. Default 4. */
  queueLength?: number;
  log?: Log;
  /** Words for error codes (firmware/ext/causes); without them a cause names the code. */
  causes?: CauseTexts;
  /** smtp.transport: TRANSPORT_MODULE (default), TRANSPORT_SOCKET or TRANSPORT_AUTO (transport.ts). */
  transport?: number;
  /**
   * Makes the socket transport on the Mailer's driver, when the composition carries it
   * (firmware/ext/smtp over firmware/ext/socket; firmware/targets/socket-mail.ts).
   */
  socket?: (driver: Ec800) => MailTransport;
  /**
   * Files on the module (firmware/ext/upload), when the composition carries them: without
   * them a job with attachments is refused at submit and a CA certificate in the
   * configuration when the Mailer is made.
   */
  files?: (driver: Ec800) => ModuleFiles;
  /** Overrides of the recovery ladder bounds. */
  limits?: {
    maxResends?: number;
    maxReconnects?: number;
    maxRebuilds?: number;
    maxPdp?: number;
    maxReboots?: number;
    maxResets?: number;
    maxPhaseRetries?: number;
    timeoutLimit?: number;
    resendPauseMs?: number;
    phasePauseMs?: number;
  };
}

interface Queued {
  job: MailJob;
  mail: PreparedMail;
  onResult: (r: MailResult) => void;
  submittedAt: number;
}

function isCellError(v: ResolvedConfig | CellError): v is CellError {
  return (v as CellError).kind !== undefined && (v as CellError).cause !== undefined;
}

export class Mailer implements ModemListener {
  readonly modem: Ec800;
  /** +QSMTPPUT results that arrived with no job waiting for them (late or duplicate). */
  ignoredResults: number;
  private clock: Clock;
  private log: Log | null;
  private queue: Queued[];
  private queueLength: number;
  private limits: RecoveryLimits;
  /** The job state table, built once and shared by every job. */
  private tables: JobTables;
  /** smtp.transport and the socket transport (when carried), shared by every job. */
  private route: JobRoute;
  private current: MailJobRun | null;
  private starting: boolean;
  private closed: boolean;
  /** Results not yet handed over (see report()). */
  private finished: { onResult: (r: MailResult) => void; result: MailResult }[];
  private readonly reportFn: () => void;

  constructor(port: AtPort, clock: Clock, config: ModemConfig, options?: MailerOptions) {
    const resolved = resolveConfig(config);
    if (isCellError(resolved)) throw resolved;
    const o = options ? options : {};
    this.clock = clock;
    this.log = o.log ? o.log : null;
    this.queue = [];
    this.queueLength = o.queueLength === undefined ? 4 : o.queueLength;
    this.limits = defaultLimits();
    this.tables = jobTables();
    if (o.limits) {
      const l = o.limits;
      const d = this.limits;
      if (l.maxResends !== undefined) d.maxResends = l.maxResends;
      if (l.maxReconnects !== undefined) d.maxReconnects = l.maxReconnects;
      if (l.maxRebuilds !== undefined) d.maxRebuilds = l.maxRebuilds;
      if (l.maxPdp !== undefined) d.maxPdp = l.maxPdp;
      if (l.maxReboots !== undefined) d.maxReboots = l.maxReboots;
      if (l.maxResets !== undefined) d.maxResets = l.maxResets;
      if (l.maxPhaseRetries !== undefined) d.maxPhaseRetries = l.maxPhaseRetries;
      if (l.timeoutLimit !== undefined) d.timeoutLimit = l.timeoutLimit;
      if (l.resendPauseMs !== undefined) d.resendPauseMs = l.resendPauseMs;
      if (l.phasePauseMs !== undefined) d.phasePauseMs = l.phasePauseMs;
    }
    this.current = null;
    this.starting = false;
    this.closed = false;
    this.finished = [];
    this.reportFn = () => this.report();
    this.ignoredResults = 0;
    const mode = o.transport === undefined ? TRANSPORT_MODULE : o.transport;
    this.modem = new Ec800(port, clock, resolved, this.log, mode !== TRANSPORT_SOCKET);
    this.modem.listener = this;
    this.modem.causes = o.causes ? o.causes : null;
    this.modem.files = o.files ? o.files(this.modem) : null;
    if (resolved.secLevel > 0 && resolved.caCert && !this.modem.files) {
      throw noFilesError("ssl.ca: ", "caCert");
    }
    // Made only when the configuration may use it: its buffers cost a module-only board nothing.
    this.route = { mode: mode, socket: o.socket && mode !== TRANSPORT_MODULE ? o.socket(this.modem) : null };
    if (mode !== TRANSPORT_MODULE && !o.socket) {
      throw cellError(KIND_CONFIG, E_CONFIG, "smtp.transport asks for the socket transport, which this build does not carry: use \"module\"", "smtp.transport");
    }
  }

  /**
   * Queue a mail. Returns null when accepted (onResult will be called exactly once), or
   * the reason it was refused (validation: KIND_CONFIG; queue full: KIND_RETRYABLE).
   */
  submit(job: MailJob, onResult: (r: MailResult) => void): CellError | null {
    if (this.closed) return cellError(KIND_MODEM, E_CLOSED, "mailer closed", "");
    const mail = newPreparedMail();
    const e = prepareMail(job, mail);
    if (e) return e;
    if (mail.attachments.length > 0 && !this.modem.files) {
      return noFilesError("attachments: ", "attachments");
    }
    const socket = this.route.socket;
    if (socket !== null && this.route.mode !== TRANSPORT_MODULE) {
      const refused = socket.check(job, mail);
      if (refused) return refused;
    }
    if (this.queue.length >= this.queueLength) {
      return cellError(KIND_RETRYABLE, E_QUEUE_FULL, "mail queue full (" + this.queueLength + ")", "");
    }
    this.queue.push({ job: job, mail: mail, onResult: onResult, submittedAt: this.clock.now() });
    this.schedule();
    return null;
  }

  /** Bring the module up and the PDP context active ahead of the first mail (optional). */
  start(done: Done): void {
    if (this.current || this.starting) {
      nextTurn(this.clock, () => done(null));
      return;
    }
    this.starting = true;
    this.modem.ensureNetwork((err) => {
      this.starting = false;
      done(err);
      this.schedule();
    });
  }

  /** Jobs waiting (not counting the running one). */
  queued(): number {
    return this.queue.length;
  }

  busy(): boolean {
    return this.current !== null;
  }

  /** Last known signal and registration, without any command (for templates). */
  status(): ModemStatus {
    return this.modem.status;
  }

  /** Fresh AT+CSQ and AT+CEREG? (2 commands when registered on LTE). */
  readStatus(done: (err: CellError | null, status: ModemStatus) => void): void {
    this.modem.readStatus(done);
  }

  /** Stop: the running job and queued jobs end as failed (E_CLOSED); no callback after that. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const err = cellError(KIND_MODEM, E_CLOSED, "mailer closed", "");
    this.report(); // results still on their way are handed over now, not after close
    const cur = this.current;
    this.current = null;
    if (cur) cur.abort(err);
    const q = this.queue;
    this.queue = [];
    for (let i = 0; i < q.length; i++) q[i].onResult(this.refusedResult(q[i], err));
    this.modem.close();
  }

  // ---------------------------------------------------------------- ModemListener

  onReboot(expected: boolean): void {
    if (this.current) this.current.onReboot(expected);
  }

  onPdpDeact(): void {
    if (this.current) this.current.onPdpDeact();
  }

  onPowerDown(): void {
    if (this.current) this.current.onPowerDown(poweredDownError());
  }

  onPutResult(err: number, proto: number): void {
    if (this.current && !this.current.done()) {
      const before = this.current.state;
      this.current.onPutResult(err, proto);
      if (before === this.current.state) this.ignoredResults++;
    } else {
      this.ignoredResults++;
    }
  }

  // ---------------------------------------------------------------- internals

  /** The next job, on a fresh turn (after the result of the last one). */
  private schedule(): void {
    nextTurn(this.clock, () => this.pump());
  }

  private pump(): void {
    if (this.closed || this.current || this.starting || this.queue.length === 0) return;
    const item = this.queue.shift() as Queued;
    const run = new MailJobRun(this.modem, this.clock, item.mail, item.submittedAt, this.limits, this.tables, (r) => {
      if (this.current === run) this.current = null;
      this.finished.push({ onResult: item.onResult, result: r });
      if (this.closed) {
        this.report(); // close(): every job ends before it returns
        return;
      }
      nextTurn(this.clock, this.reportFn);
      this.schedule();
    }, this.log, item.job, this.route);
    this.current = run;
    run.start();
  }

  /** Hand over the finished jobs' results, in order (on the turn after they finished, or in close()). */
  private report(): void {
    const list = this.finished;
    while (list.length > 0) {
      const f = list.shift() as { onResult: (r: MailResult) => void; result: MailResult };
      f.onResult(f.result);
    }
  }

  private refusedResult(item: Queued, err: CellError): MailResult {
    const r = newMailResult(item.mail.id, item.submittedAt);
    r.error = err;
    r.finishedAt = this.clock.now();
    return r;
  }
}
