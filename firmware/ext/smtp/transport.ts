// The socket transport of the Mailer (mail/transport.ts): one mail = one connection through
// a StreamConnector (the module's socket, firmware/ext/socket, given by the composition),
// the whole SMTP conversation by SocketMailer (client + MIME writer), then the connection
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
import type { SmtpClientOptions } from "./client.js";
import { completeSocketMail, isMailError, socketMailError, type Sender, type SocketMailJob } from "./mail.js";
import { SocketMailer } from "./mailer.js";

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
  private readonly mailer: SocketMailer;
  /** Generation: a result after cancel() or a newer send is not reported. */
  private gen: number;

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
    this.mailer = new SocketMailer(o.client);
    this.gen = 0;
  }

  get roundTrips(): number {
    return this.mailer.roundTrips;
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
    const answer = (err: CellError | null): void => {
      if (g === this.gen) done(err);
    };
    if (!(this.modem.wallTime() > 0)) {
      this.modem.readTime(() => {
        if (g === this.gen) this.start(job, mail, g, answer);
      });
      return;
    }
    this.start(job, mail, g, answer);
  }

  private start(job: MailJob, mail: PreparedMail, g: number, answer: (err: CellError | null) => void): void {
    // The Mailer prepared the job when it was submitted: its subject, body and addresses are reused.
    const m = completeSocketMail(mail, job as SocketMailJob, this.sender, this.modem.wallTime());
    if (isMailError(m)) {
      nextTurn(this.clock, () => answer(m));
      return;
    }
    if (this.origin !== "") m.messageKey = m.messageKey + "_" + this.origin;
    const connect = (): void => {
      if (g !== this.gen) return;
      try {
        this.connector.connect(this.server, this.port, this.tls, this.mailer.sink, (err) => {
          if (g !== this.gen) return;
          if (err) return answer(err);
          this.mailer.send(this.connector, m, (e) => {
            if (g !== this.gen) return;
            this.connector.close();
            answer(e);
          });
        });
      } catch (e) {
        nextTurn(this.clock, () => answer(e as CellError));
      }
    };
    this.modem.simIdentity((id) => {
      if (id !== "") m.messageKey = m.messageKey + "_" + id;
      connect();
    });
  }

  cancel(): void {
    this.gen++;
    this.connector.close();
  }
}
