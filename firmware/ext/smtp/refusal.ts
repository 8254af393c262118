// Typed errors of the socket SMTP path, in the terms the module path already uses, so the
// recovery ladder and the outboxes treat both transports alike:
//  - a server reply 421, 450-452, 500-504, 521, 530, 535, 550-554 becomes the module's
//    <err> 666-682 for that reply, with `proto` = the reply: the same CellError the module
//    path builds from "+QSMTPPUT: <err>,<proto>" (putResultToError), plus the step and
//    the server's own words; any other 4xx/5xx reply (454 throttling, 534, ...) is
//    E_SMTP_REPLY with its kind from protoKind;
//  - no usable AUTH offered: 655 (unsupported authentication type); the peer closed the
//    connection: 656; no reply in time: 658 (the module's own codes for the same events);
//  - a reply that is not SMTP: E_SMTP_GARBLED (retryable);
//  - STARTTLS asked for on this transport: E_STARTTLS_SOCKET (configuration).
import { CellError, cellError, KIND_CONFIG, KIND_RETRYABLE, E_CONFIG, E_SMTP_GARBLED, E_SMTP_REPLY, E_STARTTLS_SOCKET } from "../../errors.js";
import { putResultToError, type CauseTexts } from "../../modem/codes.js";
import { cmeKind, protoKind, smtpErrProto } from "../../modem/kinds.js";
import { SSL_STARTTLS } from "../../modem/config.js";

/** The module's <err> (666-682) that stands for SMTP reply `proto`, or 0 when none does. */
export function replyErr(proto: number): number {
  for (let err = 666; err <= 682; err++) if (smtpErrProto(err) === proto) return err;
  return 0;
}

/** At most 80 printable ASCII chars of the server's text (it is untrusted: it only goes into logs). */
function cleanText(buf: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end && s.length < 80; i++) {
    const c = buf[i];
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : "?";
  }
  return s;
}

/**
 * The error for reply `proto` to `step` ("MAIL FROM", "RCPT TO", ...), the server's text
 * in text[start..end); `field` names the input at fault ("to[1]", "password") or "".
 * `causes`: words for the codes when the composition carries them (firmware/ext/causes).
 */
export function replyError(proto: number, step: string, field: string, text: Uint8Array, start: number, end: number, causes: CauseTexts | null): CellError {
  const err = replyErr(proto);
  let e: CellError;
  if (err > 0) e = putResultToError(err, proto, causes) as CellError;
  else {
    const kind = protoKind(proto);
    const said = kind && causes ? causes.proto(proto) : "";
    e = cellError(kind ? kind : KIND_RETRYABLE, E_SMTP_REPLY, said ? said : kind ? "SMTP " + proto : "SMTP " + proto + ": unexpected reply", "");
    e.proto = proto;
  }
  e.field = field;
  e.cause = e.cause + " (" + step + "); server: " + cleanText(text, start, end);
  return e;
}

/** One of the module's SMTP <err> codes (655, 656, 658, 659) for the same event on a socket, with detail. */
export function eventError(err: number, detail: string, causes: CauseTexts | null): CellError {
  const said = causes ? causes.smtpErr(err) : "";
  return cellError(cmeKind(err), err, (said ? said : "SMTP: error " + err) + " (" + detail + ")", "");
}

/** A reply that is not SMTP. */
export function garbledError(step: string): CellError {
  return cellError(KIND_RETRYABLE, E_SMTP_GARBLED, "the server's reply to " + step + " is not an SMTP reply", "");
}

/**
 * The check the composition runs before it chooses the socket transport: STARTTLS
 * (ssl.type 2) upgrades a plain connection in the middle of the SMTP conversation, which
 * a module socket cannot do (AT+QIOPEN is plain TCP for its whole life; TLS is chosen
 * when AT+QSSLOPEN opens it). Implicit TLS (1) and none (0) are fine. null when usable.
 */
export function socketTransportError(sslType: number): CellError | null {
  if (sslType === SSL_STARTTLS) {
    return cellError(
      KIND_CONFIG,
      E_STARTTLS_SOCKET,
      "STARTTLS (ssl.type 2) cannot be done on a module socket: use implicit TLS (ssl.type 1, port 465) or the module transport",
      "smtp.ssl.type",
    );
  }
  return null;
}

/**
 * Why `name` cannot follow EHLO/HELO (RFC 5321 4.1.1.1: a domain, or an address literal
 * such as "[10.0.0.1]"): 1..64 chars of letters, digits, '-' and '.', or '[' digits and
 * dots ']'. It goes into a command as it is, so nothing else may pass (CR, LF, spaces).
 */
export function heloError(name: string): CellError | null {
  const ok = (c: number, literal: boolean) =>
    (c >= 48 && c <= 57) || c === 46 || (!literal && ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45));
  let good = typeof name === "string" && name.length >= 1 && name.length <= 64;
  if (good) {
    const literal = name.charAt(0) === "[";
    if (literal && name.charAt(name.length - 1) !== "]") good = false;
    for (let i = literal ? 1 : 0; good && i < (literal ? name.length - 1 : name.length); i++) good = ok(name.charCodeAt(i), literal);
  }
  return good ? null : cellError(KIND_CONFIG, E_CONFIG, "the EHLO name must be a domain or an address literal such as [10.0.0.1], 1..64 characters", "heloName");
}
