// Cause texts (an optional module): one line of English for every code the EC800 and an
// SMTP server give — 3GPP +CME ERROR codes, Quectel FILE codes, the SMTP <err> codes
// 651-682 (seed chapter 5) and SMTP protocol replies (seed chapter 6). The core reports a
// code and a kind without it (firmware/modem/codes.ts); a composition that has the room
// (Moddable, Node) hands causeTexts() to the Mailer, and the host describes codes with the
// same tables when a board reports only codes (the simulator's runner). The kind of every
// code comes from modem/kinds.ts, the single source of the classification; a code is
// described only when both tables know it.
//
// Written as switch tables, so nothing is allocated at module load (Moddable preload).
// `describe*` fill a caller-owned CodeInfo.
import type { CauseTexts } from "../../modem/codes.js";
import { cmeKind, protoKind, smtpErrProto } from "../../modem/kinds.js";

export interface CodeInfo {
  kind: number;
  cause: string;
}

export function newCodeInfo(): CodeInfo {
  return { kind: 0, cause: "" };
}

/** Fill out when the code has both a kind and a cause (out untouched otherwise). */
function put(out: CodeInfo, kind: number, cause: string): boolean {
  if (kind === 0 || cause === "") return false;
  out.kind = kind;
  out.cause = cause;
  return true;
}

/**
 * SMTP <err> of +QSMTPPUT and of +CME ERROR from QSMTP* commands (seed chapter 5).
 * 666-682 are the SMTP replies 421,450,451,452,500,501,502,503,504,521,530,535,550..554.
 * Returns false (out untouched) when the code is not in the table.
 */
export function describeSmtpErr(err: number, out: CodeInfo): boolean {
  return put(out, cmeKind(err), smtpErrCause(err));
}

function smtpErrCause(err: number): string {
  switch (err) {
    case 651: return "SMTP: unknown error";
    case 652: return "SMTP: busy (uploading the body or sending)";
    case 653: return "SMTP: DNS failed to resolve the server name";
    case 654: return "SMTP: network error (PDP, TCP connect or send)";
    case 655: return "SMTP: unsupported authentication type";
    case 656: return "SMTP: connection closed by the server";
    case 657: return "SMTP: PDP context deactivated";
    case 658: return "SMTP: timeout";
    case 659: return "SMTP: no recipient";
    case 660: return "SMTP: failed to send the mail";
    case 661: return "SMTP: failed to open an attachment file";
    case 662: return "SMTP: not enough memory for the attachments";
    case 663: return "SMTP: failed to save an attachment";
    case 664: return "SMTP: wrong input parameter (our parameters are validated: a garbled command)";
    case 665: return "SMTP: SSL authentication failed (certificate, SSL type or version)";
  }
  // 666-682: the server's reply, described as the reply itself is ("" for other codes).
  return protoCause(smtpErrProto(err));
}


/** SMTP protocol reply codes (seed chapter 6, plus 454: Amazon SES throttling, a 4xx: resent once, then retried later by the outbox). */
export function describeSmtpProto(code: number, out: CodeInfo): boolean {
  return put(out, protoKind(code), protoCause(code));
}

function protoCause(code: number): string {
  switch (code) {
    case 421: return "SMTP 421: service not available, closing channel";
    case 450: return "SMTP 450: mailbox unavailable (temporary)";
    case 451: return "SMTP 451: local error in processing";
    case 452: return "SMTP 452: insufficient system storage";
    case 454: return "SMTP 454: temporary failure / sending rate exceeded";
    case 500: return "SMTP 500: syntax error, command unrecognized";
    case 501: return "SMTP 501: syntax error in parameters";
    case 502: return "SMTP 502: command not implemented";
    case 503: return "SMTP 503: bad sequence of commands";
    case 504: return "SMTP 504: command parameter not implemented";
    case 521: return "SMTP 521: domain does not accept mail";
    case 530: return "SMTP 530: access denied (sent too often)";
    case 535: return "SMTP 535: authentication failed (user name or password)";
    case 550: return "SMTP 550: mailbox unavailable";
    case 551: return "SMTP 551: user not local";
    case 552: return "SMTP 552: exceeded storage allocation";
    case 553: return "SMTP 553: mailbox name not allowed";
    case 554: return "SMTP 554: transaction failed";
  }
  if (code >= 400 && code < 500) return "SMTP " + code + ": transient server error";
  if (code >= 500 && code < 600) return "SMTP " + code + ": permanent server error";
  return "";
}

/** +CME ERROR numbers: 3GPP general/SIM/network, Quectel FILE 4xx, SSL 5xx, SMTP 65x. */
export function describeCme(code: number, out: CodeInfo): boolean {
  return put(out, cmeKind(code), cmeCause(code));
}

function cmeCause(code: number): string {
  switch (code) {
    case 0: return "phone failure";
    case 3: return "operation not allowed";
    case 4: return "operation not supported";
    case 10: return "SIM not inserted";
    case 11: return "SIM PIN required";
    case 12: return "SIM PUK required";
    case 13: return "SIM failure (may be initialising)";
    case 14: return "SIM busy";
    case 15: return "SIM wrong";
    case 16: return "incorrect password";
    case 20: return "memory full";
    case 21: return "invalid index";
    case 22: return "not found";
    case 23: return "memory failure";
    case 30: return "no network service";
    case 31: return "network timeout";
    case 32: return "network not allowed, emergency calls only";
    case 100: return "unknown error";
    case 403: return "file system full";
    case 405: return "file not found";
    case 407: return "file already exists";
    case 421: return "file upload timed out (short data)";
    case 566: return "SSL handshake or verification failed";
    case 572: return "PDP: operation not allowed";
  }
  if (code >= 651 && code <= 682) return smtpErrCause(code);
  if (code >= 400 && code < 427) return "file system error";
  if (code >= 550 && code < 580) return "TCP/IP stack error";
  return "";
}

/** The texts as the core's CauseTexts hook (one object per call: no module-level state). */
export function causeTexts(): CauseTexts {
  return { cme: cmeCause, smtpErr: smtpErrCause, proto: protoCause };
}
