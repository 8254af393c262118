// The <err> and <protocol_error> tables of the Quectel EC200x-CN & EC800x-CN SMTP
// Application Note (seeds/001, chapters 5 and 6), kept as data.
//
// `+QSMTPPUT: <err>,<protocol_error>`: <err> 0 is success; 651-665 are the module's own
// failures (DNS, TCP, TLS, timeout, ...); 666-682 follow the SMTP reply codes of chapter 6
// one by one, in order, and then <protocol_error> carries the server's reply code.

/** Chapter 5, Table 3: every <err> code with its meaning, as the note prints it. */
export const QSMTP_ERR_TEXT: Readonly<Record<number, string>> = {
  0: "Operation successful",
  651: "Unknown error",
  652: "The SMTP server is busy, such as uploading the body or sending an email.",
  653: "Failed to get IP address according to the domain name.",
  654: "Network error, such as failed to activate GPRS/CSD context, failed to establish the TCP connection with the SMTP server or failed to send an email to the SMTP server, etc.",
  655: "Unsupported authentication type",
  656: "The connection for the SMTP server is closed by peer.",
  657: "GPRS/CSD context is deactivated.",
  658: "Timeout",
  659: "No recipient for the SMTP server",
  660: "Failed to send an email",
  661: "Failed to open a file",
  662: "No enough memory for the attachment",
  663: "Failed to save the attachment",
  664: "The input parameter is wrong",
  665: "SSL authentication failed",
  666: "Service not available, closing transmission channel",
  667: "Requested mail action not taken: mailbox unavailable",
  668: "Requested action aborted: local error in processing",
  669: "Requested action not taken: insufficient system storage",
  670: "Syntax error, command unrecognized",
  671: "Syntax error in parameters or arguments",
  672: "Command not implemented",
  673: "Bad sequence of commands",
  674: "Command parameter not implemented",
  675: "<domain> does not accept mail (see RFC1846)",
  676: "Access denied",
  677: "Authentication failed",
  678: "Requested action not taken: mailbox unavailable",
  679: "User not local; please try <forward-path>",
  680: "Requested mail action aborted: exceeded storage allocation",
  681: "Requested action not taken: mailbox name not allowed",
  682: "Transaction failed",
};

/** Named <err> codes used by the engine. */
export const QSMTP_ERR = {
  OK: 0,
  UNKNOWN: 651,
  BUSY: 652,
  DNS: 653,
  NETWORK: 654,
  AUTH_TYPE: 655,
  PEER_CLOSED: 656,
  PDP_DEACT: 657,
  TIMEOUT: 658,
  NO_RECIPIENT: 659,
  SEND_FAILED: 660,
  FILE_OPEN: 661,
  NO_MEMORY: 662,
  FILE_SAVE: 663,
  BAD_PARAM: 664,
  SSL: 665,
} as const;

/**
 * Chapter 6, Table 4, in the note's order. Entry i maps to <err> 666 + i, which is exactly how
 * chapter 5 lists 666-682 (421 -> 666 ... 535 -> 677, 550 -> 678 ... 554 -> 682).
 */
export const SMTP_REPLY_ORDER: readonly number[] = [
  421, 450, 451, 452, 500, 501, 502, 503, 504, 521, 530, 535, 550, 551, 552, 553, 554,
];

/** First <err> of the SMTP reply block. */
export const SMTP_ERR_BASE = 666;

/**
 * Reply codes the note does not list, and the <err> we report for them. Our choices, each the
 * listed code whose meaning is closest; <protocol_error> still carries the real reply code, so the
 * firmware can tell them apart (and a 4xx stays recognisably transient).
 */
export const SMTP_REPLY_EXTRA: Readonly<Record<number, { err: number; why: string }>> = {
  // "454 Temporary authentication failure" / "454 TLS not available" / Amazon SES
  // "454 Throttling failure": a transient refusal -> 668 (like 451, local error in processing).
  454: { err: 668, why: "transient refusal (TLS/auth temporarily unavailable, throttling); like 451" },
  432: { err: 677, why: "password transition needed; an authentication failure" },
  534: { err: 677, why: "authentication mechanism too weak; an authentication failure" },
  538: { err: 677, why: "encryption required for the authentication mechanism; an authentication failure" },
  555: { err: 671, why: "MAIL/RCPT parameters not recognized; a syntax error in parameters" },
  523: { err: 680, why: "message too large for the recipient; like 552" },
  541: { err: 682, why: "message rejected (spam/policy); like 554" },
};

/** Fallbacks by reply class when a code is neither listed nor in SMTP_REPLY_EXTRA. */
export const SMTP_CLASS_FALLBACK = {
  /** Any other 4yz: transient, like 451. */
  transient: 668,
  /** Any other 5yz: permanent, like 554 "transaction failed". */
  permanent: 682,
} as const;

/** <err> for an SMTP reply code (the refusal's code), per the tables above. */
export function errForSmtpReply(code: number): number {
  const i = SMTP_REPLY_ORDER.indexOf(code);
  if (i >= 0) return SMTP_ERR_BASE + i;
  const extra = SMTP_REPLY_EXTRA[code];
  if (extra) return extra.err;
  if (code >= 400 && code < 500) return SMTP_CLASS_FALLBACK.transient;
  if (code >= 500 && code < 600) return SMTP_CLASS_FALLBACK.permanent;
  return QSMTP_ERR.SEND_FAILED;
}

/** Inverse of the chapter-5/6 correspondence: the reply code a 666-682 <err> stands for, else 0. */
export function smtpReplyForErr(err: number): number {
  const i = err - SMTP_ERR_BASE;
  return i >= 0 && i < SMTP_REPLY_ORDER.length ? SMTP_REPLY_ORDER[i]! : 0;
}

/** Meaning of an <err> code (chapter 5), or "" when unknown. */
export function errText(err: number): string {
  return QSMTP_ERR_TEXT[err] ?? "";
}

// ---------------------------------------------------------------------------------------------
// Failures that are not SMTP replies: which Node / nodemailer error codes mean what.

/** DNS lookup failed (getaddrinfo / c-ares codes, nodemailer's EDNS). */
export const DNS_ERROR_CODES: readonly string[] = [
  "EDNS", "ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "EAI_NODATA", "ENODATA", "ESERVFAIL",
  "ENONAME", "EBADNAME", "EREFUSED", "ECONNREFUSED_DNS", "ETIMEOUT_DNS",
];

/** The TCP connection could not be made, or the network failed under it. */
export const NETWORK_ERROR_CODES: readonly string[] = [
  "ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENETDOWN", "EHOSTDOWN", "EADDRNOTAVAIL",
  "EADDRINUSE", "EACCES", "EPERM", "ESOCKET",
];

/** The peer closed or reset the connection. */
export const PEER_CLOSED_CODES: readonly string[] = ["ECONNRESET", "EPIPE", "ECONNECTION", "ECONNABORTED"];

/** Timeouts (nodemailer's phases, socket inactivity, our own put timeout). */
export const TIMEOUT_CODES: readonly string[] = ["ETIMEDOUT", "ETIMEOUT", "EABORT", "ABORT_ERR"];
