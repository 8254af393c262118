// Error tables of the EC800/EC200: 3GPP +CME ERROR codes, the Quectel FILE codes, the
// SMTP <err> codes 651-682 (seed chapter 5) and SMTP protocol replies (seed chapter 6),
// each with a cause text. The kind (retry class, KIND_* of ../errors) of every code comes
// from ./kinds, the single source of the classification; a code is described only when
// both tables know it.
//
// Written as switch tables, so nothing is allocated at module load (Moddable preload)
// and each row reads like the manual. `describe*` fill a caller-owned CodeInfo.
import {
  KIND_CONFIG,
  KIND_RETRYABLE,
  E_AT_ERROR,
  E_CANCELLED,
  E_GARBLED,
  E_NO_CARRIER,
  E_REJECTED,
  E_SMTP,
  E_TIMEOUT,
  CellError,
  cellError,
} from "../errors.js";
import {
  AtResult,
  RESULT_CANCELLED,
  RESULT_CME,
  RESULT_CMS,
  RESULT_ERROR,
  RESULT_GARBLED,
  RESULT_NO_CARRIER,
  RESULT_OK,
  RESULT_REJECTED,
  RESULT_TIMEOUT,
} from "../at/types.js";
import { cmeKind, protoKind, smtpErrProto } from "./kinds.js";

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

/** Map +CME ERROR text (AT+CMEE=2, or mixed sessions) to a number; -1 when unknown. */
export function cmeTextToCode(text: string): number {
  const t = text.toLowerCase();
  if (t.indexOf("sim busy") >= 0) return 14;
  if (t.indexOf("sim failure") >= 0) return 13;
  if (t.indexOf("sim not inserted") >= 0) return 10;
  if (t.indexOf("sim pin required") >= 0) return 11;
  if (t.indexOf("sim puk required") >= 0) return 12;
  if (t.indexOf("operation not allowed") >= 0) return 3;
  if (t.indexOf("operation not supported") >= 0) return 4;
  if (t.indexOf("already exist") >= 0) return 407;
  if (t.indexOf("not found") >= 0) return 405;
  if (t.indexOf("no network") >= 0) return 30;
  if (t.indexOf("phone failure") >= 0) return 0;
  return -1;
}

/** The command's name for messages: text before '=' or '?' (never its arguments: they may hold secrets). */
export function commandName(command: string): string {
  let end = command.length;
  const eq = command.indexOf("=");
  const q = command.indexOf("?");
  if (eq >= 0 && eq < end) end = eq;
  if (q >= 0 && q < end) end = q;
  return "AT" + command.substring(0, end);
}

/** Turn an engine result into a typed error, or null for OK. */
export function resultToError(result: AtResult, command: string): CellError | null {
  const name = commandName(command);
  switch (result.code) {
    case RESULT_OK:
      return null;
    case RESULT_TIMEOUT:
      return cellError(KIND_RETRYABLE, E_TIMEOUT, "no answer to " + name, "");
    case RESULT_CANCELLED:
      return cellError(KIND_RETRYABLE, E_CANCELLED, name + " cancelled (module reboot or flush)", "");
    case RESULT_REJECTED:
      return cellError(KIND_CONFIG, E_REJECTED, name + " rejected by the AT engine", "");
    case RESULT_NO_CARRIER:
      return cellError(KIND_RETRYABLE, E_NO_CARRIER, "NO CARRIER on " + name, "");
    case RESULT_ERROR:
      return cellError(KIND_RETRYABLE, E_AT_ERROR, "ERROR on " + name, "");
    case RESULT_GARBLED:
      return cellError(KIND_RETRYABLE, E_GARBLED, "the module's echo of " + name + " differs from what was sent (a byte lost or changed on the wire)", "");
    case RESULT_CME:
    case RESULT_CMS: {
      let n = result.errorCode;
      if (n < 0 && result.errorText) n = cmeTextToCode(result.errorText);
      const info = newCodeInfo();
      if (n >= 0 && describeCme(n, info)) {
        return cellError(info.kind, n, info.cause + " (" + name + ")", "");
      }
      const what = result.errorText ? result.errorText : "" + n;
      return cellError(KIND_RETRYABLE, n >= 0 ? n : E_AT_ERROR, "+CME ERROR: " + what + " (" + name + ")", "");
    }
  }
  return cellError(KIND_RETRYABLE, E_AT_ERROR, "unexpected result " + result.code + " on " + name, "");
}

/**
 * The outcome of +QSMTPPUT: <err>,<proto>. null for 0,0. When the server gave a
 * protocol code, its class decides (it is more specific than <err>).
 */
export function putResultToError(err: number, proto: number): CellError | null {
  if (err === 0) return null;
  const info = newCodeInfo();
  let e: CellError;
  if (describeSmtpErr(err, info)) e = cellError(info.kind, err, info.cause, "");
  else e = cellError(KIND_RETRYABLE, err > 0 ? err : E_SMTP, "SMTP: error " + err, "");
  if (proto > 0 && describeSmtpProto(proto, info)) {
    e.kind = info.kind;
    if (e.cause.indexOf("" + proto) < 0) e.cause = e.cause + "; server: " + info.cause;
  }
  e.proto = proto;
  return e;
}
