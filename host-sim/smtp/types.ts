// The contract between the simulated EC800 (which collects what the AT commands
// configured) and the module's SMTP engine (which delivers it for real). The EC800
// model builds an OutgoingMail at AT+QSMTPPUT and reports the SmtpOutcome as
// "+QSMTPPUT: <err>,<protocol_error>".
import type { RadioUse } from "../ec800/sockets/radio.js";

export interface SmtpServerSetting {
  host: string;
  port: number;
}

/** AT+QSMTPCFG state plus the SSL context it points at. */
export interface SmtpSession {
  server: SmtpServerSetting;
  /** 0 plain, 1 implicit TLS, 2 STARTTLS. */
  sslType: 0 | 1 | 2;
  /** AT+QSSLCFG "seclevel": 0 accept any certificate, 1 verify the server against `caCertPem`. */
  secLevel: 0 | 1 | 2;
  /** Contents of the UFS file named by AT+QSSLCFG "cacert", when seclevel >= 1. */
  caCertPem?: string;
  /** AT+QSSLCFG "sni" (0/1): send the server name during the handshake. */
  sni: boolean;
  /** Empty user means: do not authenticate. */
  account: { user: string; password: string };
  sender: { name: string; email: string };
  /** AT+QSMTPCFG "bodyoriginal": send the body bytes as they are, with no charset. */
  bodyOriginal: boolean;
}

/** Character sets of AT+QSMTPSUB / AT+QSMTPBODY: 0 ASCII, 1 UTF-8, 2 GB2312, 3 BIG5. */
export type Charset = 0 | 1 | 2 | 3;

export interface OutgoingMail {
  to: string[];
  cc: string[];
  bcc: string[];
  /** Subject bytes already decoded from the hex form the module received. */
  subject: { charset: Charset; bytes: Uint8Array };
  body: { charset: Charset; bytes: Uint8Array };
  /** Attachments read from UFS at send time, in index order. */
  attachments: { name: string; bytes: Uint8Array }[];
}

export interface SmtpOutcome {
  /** 0 success; otherwise the seed's chapter-5 code (653 DNS, 654 connect, 665 SSL, 658 timeout, 666-682 SMTP). */
  err: number;
  /** The SMTP server's reply code when it refused (e.g. 535), else 0. */
  protocolError: number;
  /** Human-readable detail for logs and transcripts (never contains the password). */
  detail: string;
  /** Optional: recipients the server refused while others accepted the mail (it was still sent). */
  rejected?: string[];
  /** Optional: the Message-ID of a delivered mail. */
  messageId?: string;
  /**
   * What the transaction used of the radio (DNS, connect, TLS, SMTP replies waited for); the
   * model prices it with its radio round trip (ec800/sockets/radio.ts). Absent: nothing was
   * exchanged (a scripted outcome), no round trips are added.
   */
  radio?: RadioUse;
}

/** Optional controls for one delivery. */
export interface DeliverOptions {
  /**
   * Cancels the delivery (e.g. the model's PDP context was deactivated, or the module rebooted).
   * The outcome's <err> is `reason.err` when the abort reason carries a number there
   * (e.g. `controller.abort({ err: 657 })`), else 657 (GPRS/CSD context deactivated).
   */
  signal?: AbortSignal;
  /** The EHLO name for this delivery (default: the engine's). A fleet names each transaction (mailserver/providers/tickets.ts). */
  clientName?: string;
}

/** The module's SMTP engine. Real I/O: the caller holds the virtual clock while it runs. */
export interface SmtpEngine {
  deliver(session: SmtpSession, mail: OutgoingMail, timeoutMs: number, options?: DeliverOptions): Promise<SmtpOutcome>;
}
