// The socket transport of the Mailer (mail/transport.ts): one mail = one connection through
// a StreamConnector (the module's socket, firmware/ext/socket, given by the composition),
// the whole SMTP conversation by the SmtpClient and the MimeWriter, then the connection
// closed. The message is written from the job as submitted (prepareSocketMail): the sender
// of the configuration, the network's time for its Date, a Message-ID from the job's id, the
// board's name and the SIM's ICCID (the same on every resend of it; the outbox numbers its
// entries once, across restarts; the ICCID tells apart boards configured alike).
import type { CellError } from "../../errors.js";
import type { MailJob, PreparedMail } from "../../mail/message.js";
import type { MailTransport } from "../../mail/transport.js";
import type { StreamConnector } from "../../modem/stream.js";
import { nextTurn } from "../../turn.js";
import type { Clock } from "../../platform/types.js";
import { SmtpClient, type SmtpClientOptions } from "./client.js";
import { MimeWriter } from "./mime.js";
import { completeSocketMail, isMailError, socketMailError, type Sender, type SocketMail, type SocketMailJob } from "./mail.js";

export interface SocketTransportOptions {
  connector: StreamConnector;
  /** The SMTP server (the configuration's, validated) and whether TLS starts with the connection. */
  server: string;
  port: number;
  tls: boolean;
  sender: Sender;
  /**
   * Added to the job's id in the Message-ID (the board's name): readers see which board it
   * was. Boards are often named alike (the default is "cellmail"), so the SIM's identity
   * follows it (TransportModem.simIdentity).
   */
  origin: string;
  /** The modem driver (Ec800 is one), as the object: no closures over it kept for the board's life. */
  modem: TransportModem;
  client: SmtpClientOptions;
}

/** What the transport asks of the modem driver. */
export interface TransportModem {
  /**
   * Something that differs from board to board whatever their configuration (the SIM's
   * ICCID), added to the Message-ID after `origin`: two boards that share a sender address
   * and a name and number their alarms alike must not write the same Message-ID (a reader's
   * mail service may drop the second as a duplicate). "" adds nothing.
   */
  simIdentity(done: (id: string) => void): void;
  /** The network's time in ms since 1970, or <= 0 while unknown. */
  wallTime(): number;
  /**
   * Ask the module for the network time again (AT+CCLK?), `done` either way. Called before a
   * send while the time is unknown, so a damaged answer at bring-up costs one command, not
   * every resend of the job (each would fail at once without an attempt).
   */
  readTime(done: () => void): void;
}

type Step = (x?: string | CellError | null) => void;

/** The step of no send (the transport idle): a function of the module, not one per transport. */
function idleStep(): void {}

// What a send waits for (SocketTransport.phase): each step waits for the one before.
const P_IDLE = 0;
const P_TIME = 1; //  AT+CCLK?: the network time was unknown
const P_ID = 2; //    the SIM's identity (the Message-ID)
const P_OPEN = 3; //  the connection
const P_MAIL = 4; //  the SMTP conversation
const P_END = 5; //   a failure before the connection, told on a fresh turn

export class SocketTransport implements MailTransport {
  readonly tls: boolean;
  // The options' fields, not the options object (it and the client's are garbage once made).
  private readonly connector: StreamConnector;
  private readonly server: string;
  private readonly port: number;
  private readonly sender: Sender;
  private readonly origin: string;
  private readonly modem: TransportModem;
  private readonly clock: Clock;
  // Made once, their buffers with them, used for one mail after the other (SocketMailer's
  // pair, held here without it: one object fewer for the board's life).
  private readonly client: SmtpClient;
  private readonly writer: MimeWriter;
  /** Generation: a result after cancel() or a newer send is not reported. */
  private gen: number;
  /** The send under way: what it waits for, whom to tell, the job, its message, a failure to tell. */
  // (Set by idle(), which the constructor calls.)
  private phase!: number;
  private done!: ((err: CellError | null) => void) | null;
  private job!: SocketMailJob | null;
  private prepared!: PreparedMail | null;
  private mail!: SocketMail | null;
  private failure!: CellError | null;
  /**
   * The send's one callback, for every step (the time read, the identity, the open, the
   * conversation, a failure's hand-over): one closure a mail instead of one a step (XS heap).
   */
  private stepFn: Step;

  /** Throws the CellError of a bad EHLO name (SmtpClient). */
  constructor(o: SocketTransportOptions) {
    this.tls = o.tls;
    this.connector = o.connector;
    this.server = o.server;
    this.port = o.port;
    this.sender = o.sender;
    this.origin = o.origin;
    this.modem = o.modem;
    this.clock = o.client.clock;
    this.client = new SmtpClient(o.client);
    this.writer = new MimeWriter();
    this.gen = 0;
    this.idle();
    this.stepFn = idleStep;
  }

  get roundTrips(): number {
    return this.client.roundTrips;
  }

  get commands(): number {
    return this.connector.commands;
  }

  check(job: MailJob, mail: PreparedMail): CellError | null {
    // What only this transport carries; the subject, body and addresses were prepared by
    // the mail layer already, and the date only the send knows (bench xs.socket.mail.peakLiveSlots).
    return socketMailError(job as SocketMailJob, this.sender);
  }

  send(job: MailJob, mail: PreparedMail, done: (err: CellError | null) => void): void {
    const g = ++this.gen;
    this.done = done;
    this.job = job as SocketMailJob;
    this.prepared = mail;
    this.mail = null;
    this.failure = null;
    // A result for an older send (cancelled, or superseded) is not this one's.
    this.stepFn = (x) => {
      if (g === this.gen) this.step(x);
    };
    if (!(this.modem.wallTime() > 0)) {
      this.phase = P_TIME;
      this.modem.readTime(this.stepFn);
      return;
    }
    this.start();
  }

  /** The next step of the send under way, with what the last one gave (an identity, an error). */
  private step(x?: string | CellError | null): void {
    switch (this.phase) {
      case P_TIME:
        return this.start();
      case P_ID: {
        const m = this.mail as SocketMail;
        if (typeof x === "string" && x !== "") m.messageKey = m.messageKey + "_" + x;
        this.phase = P_OPEN;
        try {
          this.connector.connect(this.server, this.port, this.tls, this.client, this.stepFn);
        } catch (e) {
          this.fail(e as CellError);
        }
        return;
      }
      case P_OPEN:
        if (x) return this.end(x as CellError);
        this.phase = P_MAIL;
        const m = this.mail as SocketMail;
        this.writer.start(m);
        this.client.send(this.connector, m, this.writer, this.stepFn);
        return;
      case P_MAIL:
        this.connector.close();
        return this.end(x ? (x as CellError) : null);
      case P_END:
        return this.end(this.failure);
    }
  }

  private start(): void {
    // The Mailer prepared the job when it was submitted: its subject, body and addresses are reused.
    const m = completeSocketMail(this.prepared as PreparedMail, this.job as SocketMailJob, this.sender, this.modem.wallTime());
    if (isMailError(m)) return this.fail(m);
    if (this.origin !== "") m.messageKey = m.messageKey + "_" + this.origin;
    this.mail = m;
    this.phase = P_ID;
    this.modem.simIdentity(this.stepFn);
  }

  /** A failure before the connection: told on a fresh turn. */
  private fail(err: CellError): void {
    this.failure = err;
    this.phase = P_END;
    nextTurn(this.clock, this.stepFn);
  }

  /** The send's outcome, told once; the transport is idle again. */
  private end(err: CellError | null): void {
    const done = this.done;
    this.idle();
    if (done) done(err);
  }

  cancel(): void {
    this.gen++;
    this.idle();
    this.connector.close();
  }

  /** No send under way: its fields let go. */
  private idle(): void {
    this.phase = P_IDLE;
    this.done = null;
    this.job = null;
    this.prepared = null;
    this.mail = null;
    this.failure = null;
  }
}
