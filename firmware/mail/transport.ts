// A way to send a mail other than the module's SMTP engine: cellmail's own SMTP client over
// the module's sockets (firmware/ext/smtp over firmware/ext/socket), which the targets that
// carry it compose and hand to the Mailer. The job (job.ts) runs it as one phase, SOCKET,
// after NETWORK and CONFIG (the SSL context only, when it speaks TLS), and its failures go
// up the same recovery ladder as the module path's: a transient failure sends again over a
// new connection, a network error re-activates PDP first, a silent module is rebooted.
//
// Which transport a mail takes is the configuration's `smtp.transport` (the device record's
// `transport`): TRANSPORT_MODULE (AT+QSMTP*, the default), TRANSPORT_SOCKET, or
// TRANSPORT_AUTO: the module's engine when AT+QSMTPCFG=? answers (asked once per module
// boot, Ec800.probeSmtp), the socket otherwise. The choice and its reason are logged.
import type { CellError } from "../errors.js";
import type { AtPort } from "../at/types.js";
import type { Clock } from "../platform/types.js";
import type { DeviceConfig } from "../config/device.js";
import type { Ec800 } from "../modem/ec800.js";
import type { CauseTexts } from "../modem/codes.js";
import type { MailJob, PreparedMail } from "./message.js";

export { TRANSPORT_AUTO, TRANSPORT_MODULE, TRANSPORT_SOCKET } from "../config/device.js";

export interface MailTransport {
  /** TLS from the first byte (AT+QSSLOPEN): the SSL context is configured before the first send. */
  readonly tls: boolean;
  /**
   * What this transport cannot send, refused when the job is submitted; null when it can.
   * `mail` is the job as the mail layer prepared it (not to be prepared again).
   */
  check(job: MailJob, mail: PreparedMail): CellError | null;
  /**
   * Send one mail over a connection of its own. `done` once, on a fresh turn: null when the
   * server accepted the message, else why not (err.proto holds the server's reply, if any).
   */
  send(job: MailJob, mail: PreparedMail, done: (err: CellError | null) => void): void;
  /** Stop the send in flight (a module reboot, the mailer closing): its `done` is not called. */
  cancel(): void;
  /** SMTP exchanges the last send waited for (bench sim.socket.smtpRoundTrips). */
  readonly roundTrips: number;
  /** AT commands it has written so far (the job's result counts them with the driver's). */
  readonly commands: number;
}

/** Makes the socket transport on a Mailer's driver (firmware/targets/socket-mail.ts is the one the targets carry). */
export type SocketMailFactory = (port: AtPort, clock: Clock, c: DeviceConfig, driver: Ec800, causes: CauseTexts | null) => MailTransport;
