// What a composition holds to send mail over a socket: one SmtpClient and one MimeWriter,
// made once (their buffers with them), used for one mail after the other. The transport
// opens the stream (AT+QIOPEN or AT+QSSLOPEN), hands it to send(), and feeds the client
// (`sink`) with what the socket reports; the outcome comes through `done`.
//
//   const mailer = new SocketMailer({ clock, user, password, heloName });   // throws on a bad heloName
//   const refused = socketTransportError(record.sslType);                  // STARTTLS: refuse the transport
//   const mail = mailer.prepare(job, sender, networkTime);                 // CellError when refused
//   mailer.send(stream, mail, (error) => ...);                            // stream's events -> mailer.sink
import type { CellError } from "../../errors.js";
import { SmtpClient, SmtpClientOptions } from "./client.js";
import { MimeWriter } from "./mime.js";
import { prepareSocketMail, Sender, SocketMail, SocketMailJob } from "./mail.js";
import type { ByteStream, StreamSink } from "../../modem/stream.js";

export class SocketMailer {
  /** Where the transport delivers the stream's events (bytes, SEND OK, closed). */
  readonly sink: StreamSink;
  private readonly client: SmtpClient;
  private readonly writer: MimeWriter;

  constructor(options: SmtpClientOptions) {
    this.client = new SmtpClient(options);
    this.writer = new MimeWriter();
    this.sink = this.client;
  }

  /** Validate a job (prepareSocketMail): the mail, or why it is refused. */
  prepare(job: SocketMailJob, sender: Sender, date: number): SocketMail | CellError {
    return prepareSocketMail(job, sender, date);
  }

  /** Send `mail` over a stream just opened; `done` once, on a fresh turn (null: delivered). */
  send(stream: ByteStream, mail: SocketMail, done: (error: CellError | null) => void): void {
    this.writer.start(mail);
    this.client.send(stream, mail, this.writer, done);
  }

  /** SMTP exchanges that waited for a reply in the last mail (sim.socket.smtpRoundTrips). */
  get roundTrips(): number {
    return this.client.roundTrips;
  }
}
