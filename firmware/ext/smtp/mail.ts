// A mail for the socket transport: the mail layer's MailJob (same rules, same validation:
// mail/message.ts prepareMail checks the id, the 1..20 addresses, the subject, the body
// and the attachments) plus what only cellmail's own client can carry: an HTML
// alternative, display names, the sender, and the date from the network's time.
//
// Injection: every user string that reaches a header or an SMTP command is either
// refused here with a typed error (addresses: modem/address.ts, printable ASCII only;
// subject and names: no control characters, CR, LF or NUL included; attachment names:
// letters, digits, '.', '_', '-') or encoded by the MIME writer (non-ASCII subject and
// names as RFC 2047 encoded words). Bodies are quoted-printable and attachments base64,
// so no body byte can end the header block, a MIME part or the SMTP DATA phase.
import { CellError, cellError, KIND_CONFIG, KIND_RETRYABLE, E_BODY_LENGTH, E_FIELD_EMPTY, E_UNSAFE_CHAR, E_FIELD_TOO_LONG } from "../../errors.js";
import type { ByteSource } from "../../at/types.js";
import { bytesSource } from "../../at/source.js";
import { addressError } from "../../modem/address.js";
import { MailJob, MAX_BODY, PreparedMail, newPreparedMail, prepareMail } from "../../mail/message.js";
import { utf8Length, utf8Text } from "../../text/utf8.js";
import { codeAt } from "../../text/code-at.js";
import type { Envelope } from "./client.js";

/** Display names: at most this many UTF-8 bytes. */
export const MAX_NAME_BYTES = 64;

export interface SocketMailJob extends MailJob {
  /** Optional HTML alternative of the body (text or UTF-8 bytes), at most 10,240 bytes. */
  html?: string | ByteSource;
  /** Display names of the To / Cc addresses, by index ("" or absent: none). Bcc has none: it is never shown. */
  toNames?: string[];
  ccNames?: string[];
}

export interface Sender {
  /** Display name ("" for none), any text without control characters. */
  name: string;
  address: string;
}

/**
 * A validated socket mail: what the MIME writer and the client need. It is the client's
 * envelope too (from: the sender's address; recipients and types: the prepared mail's).
 */
export interface SocketMail extends Envelope {
  prepared: PreparedMail;
  /** What the Message-ID is made from: the job's id (the transport adds the board's name). */
  messageKey: string;
  /** The raw subject (prepared.subjectText is the module's form). */
  subject: string;
  fromName: string;
  /** The job's display names of its To and Cc addresses, checked (by index; "" or absent: none). */
  toNames: string[] | null;
  ccNames: string[] | null;
  html: ByteSource | null;
  /** ms since 1970 UTC: the Date header. */
  date: number;
}

/** Why a display name cannot be used (control character, too long), or null. */
export function nameError(name: string, field: string): CellError | null {
  if (typeof name !== "string") return cellError(KIND_CONFIG, E_FIELD_EMPTY, field + " must be a string", field);
  const len = name.length; // read once: text/code-at.ts
  for (let i = 0; i < len; i++) {
    const c = codeAt.call(name, i);
    if (c < 0x20 || c === 0x7f) return cellError(KIND_CONFIG, E_UNSAFE_CHAR, field + " contains a control character (CR, LF, NUL, ...) at position " + i, field);
  }
  const n = utf8Length(name);
  if (n > MAX_NAME_BYTES) return cellError(KIND_CONFIG, E_FIELD_TOO_LONG, field + " is " + n + " UTF-8 bytes, limit " + MAX_NAME_BYTES, field);
  return null;
}

/** The display names of `count` addresses checked, or the first one's error. */
function namesError(list: string[] | undefined, count: number, field: string): CellError | null {
  for (let i = 0; i < count; i++) {
    const n = list && i < list.length && list[i] !== undefined ? list[i] : "";
    // The field's name is made only for an error (a string per recipient per mail otherwise).
    if (n !== "" && nameError(n, "")) return nameError(n, field + "[" + i + "]");
  }
  return null;
}

/**
 * Validate `job` for the socket transport. `date` is the network's time (ms since 1970,
 * UTC; modem/network-time.ts). Returns the mail or the first error (the job is then refused).
 */
export function prepareSocketMail(job: SocketMailJob, sender: Sender, date: number): SocketMail | CellError {
  const prepared = newPreparedMail();
  const e = prepareMail(job, prepared);
  if (e) return e;
  return completeSocketMail(prepared, job, sender, date);
}

/**
 * Why `job`, which the mail layer has already prepared, cannot go over the socket transport
 * (what only this transport carries: the sender, the display names, the HTML part), or null.
 * Builds nothing: the Mailer asks it of every job it accepts.
 */
export function socketMailError(job: SocketMailJob, sender: Sender): CellError | null {
  return senderAndNamesError(job, sender) || (job.html !== undefined && htmlSource(job.html) === null ? htmlError(job.html) : null);
}

/** The sender and the display names checked, or the first error. */
function senderAndNamesError(job: SocketMailJob, sender: Sender): CellError | null {
  return (
    addressError(sender.address, "sender.address") ||
    nameError(sender.name, "sender.name") ||
    namesError(job.toNames, job.to ? job.to.length : 0, "toNames") ||
    namesError(job.ccNames, job.cc ? job.cc.length : 0, "ccNames")
  );
}

/** The HTML part as a ByteSource, or null when it is not text or bytes of 1..MAX_BODY. */
function htmlSource(html: string | ByteSource): ByteSource | null {
  if (typeof html === "string") {
    const t = utf8Text(html, MAX_BODY);
    return t.bytes && t.length >= 1 ? bytesSource(t.bytes) : null;
  }
  return html && typeof html.read === "function" && html.length >= 1 && html.length <= MAX_BODY ? html : null;
}

function htmlError(html: string | ByteSource): CellError {
  const why = typeof html === "string" ? "html is " + utf8Length(html) + " bytes, must be 1.." + MAX_BODY : "html must be text or 1.." + MAX_BODY + " bytes";
  return cellError(KIND_CONFIG, E_BODY_LENGTH, why, "html");
}

/**
 * prepareSocketMail on a job the mail layer has already prepared (the Mailer did, when it
 * was submitted): the same checks of what only this transport carries, without encoding the
 * subject, the body and the addresses a second time. `prepared` is read, never changed.
 */
export function completeSocketMail(prepared: PreparedMail, job: SocketMailJob, sender: Sender, date: number): SocketMail | CellError {
  // Each check once, the HTML encoded once (a 10,240-byte text is one utf8Text pass).
  const e = senderAndNamesError(job, sender);
  if (e) return e;
  const html = job.html !== undefined ? htmlSource(job.html) : null;
  if (job.html !== undefined && html === null) return htmlError(job.html);
  // RFC 5322 requires a Date; without the network's time yet, the mail waits (not a configuration fault).
  if (!(date > 0)) return cellError(KIND_RETRYABLE, E_FIELD_EMPTY, "no network time yet for the Date header", "date");
  return {
    prepared: prepared,
    messageKey: prepared.id,
    from: sender.address,
    recipients: prepared.addresses,
    types: prepared.types,
    subject: job.subject,
    fromName: sender.name,
    toNames: job.toNames ? job.toNames : null,
    ccNames: job.ccNames ? job.ccNames : null,
    html: html,
    date: date,
  };
}

/** True when `x` (a prepareSocketMail result) is an error. */
export function isMailError(x: SocketMail | CellError): x is CellError {
  return (x as CellError).kind !== undefined;
}
