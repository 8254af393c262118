// A mail job as the alarm layer hands it over, and its validation into a PreparedMail
// whose every string is ready for the AT command tables (modem/steps.ts).
//
// Rules (seed chapter 2, DESIGN.md section 3):
//   recipients   to + cc + bcc: 1..20 in all, each a valid address of at most 50 bytes
//   subject      0..100 bytes; sent as ASCII (charset 0) when every char is printable ASCII
//                other than '"', otherwise as UTF-8 hex (charset 1, at most 200 hex chars);
//                CR, LF and other control characters are refused (header injection)
//   body         1..10240 bytes. A string body is encoded to UTF-8; charset "auto" picks
//                0 (ASCII) or 1 (UTF-8). Charset 0 with non-ASCII text is refused. Charsets
//                2 (GB2312) and 3 (BIG5) need a pre-encoded ByteSource body.
//   attachments  at most 10, names of 1..40 letters/digits/'.'/'_'/'-', unique, 1+ bytes
//   id           1..64 characters (not sent to the module)
import type { ByteSource } from "../at/types.js";
import {
  CellError,
  cellError,
  KIND_CONFIG,
  E_ATTACHMENTS,
  E_BODY_LENGTH,
  E_CHARSET,
  E_FIELD_EMPTY,
  E_RECIPIENTS,
  E_SUBJECT,
} from "../errors.js";
import { addressError } from "../modem/address.js";
import { fileNameError } from "../modem/config.js";
import { bytesSource } from "../at/source.js";
import { DST_BCC, DST_CC, DST_TO } from "../modem/steps.js";
import { utf8Hex, utf8Length, utf8Text } from "../text/utf8.js";
import { codeAt } from "../text/code-at.js";

export const CHARSET_AUTO = -1;
export const CHARSET_ASCII = 0;
export const CHARSET_UTF8 = 1;
export const CHARSET_GB2312 = 2;
export const CHARSET_BIG5 = 3;

export const MAX_RECIPIENTS = 20;
export const MAX_ATTACHMENTS = 10;
export const MAX_BODY = 10240;
export const MAX_SUBJECT_BYTES = 100;

export interface Attachment {
  /** File name, also the name the recipient sees: letters, digits, '.', '_', '-'. */
  name: string;
  data: ByteSource;
}

export interface MailJob {
  id: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  subject: string;
  /** Text (encoded to UTF-8 here) or pre-encoded bytes. */
  body: string | ByteSource;
  /** CHARSET_AUTO (default), CHARSET_ASCII, CHARSET_UTF8, CHARSET_GB2312, CHARSET_BIG5. */
  charset?: number;
  attachments?: Attachment[];
}

/** A validated job, in the form the state machine sends. */
export interface PreparedMail {
  id: string;
  /** Parallel arrays: QSMTPDST type (1 To, 2 Cc, 3 Bcc) and address. */
  types: number[];
  addresses: string[];
  subjectCharset: number;
  /** ASCII subject, or the UTF-8 hex of it. */
  subjectText: string;
  bodyCharset: number;
  body: ByteSource;
  attachments: Attachment[];
}

function countOf(list: string[] | undefined): number {
  return list ? list.length : 0;
}

function addList(out: PreparedMail, list: string[] | undefined, type: number, field: string): CellError | null {
  if (!list) return null;
  if (!(list instanceof Array)) return cellError(KIND_CONFIG, E_RECIPIENTS, field + " must be a list", field);
  for (let i = 0; i < list.length; i++) {
    const f = field + "[" + i + "]";
    const e = addressError(list[i], f);
    if (e) return e;
    out.types.push(type);
    out.addresses.push(list[i]);
  }
  return null;
}

/** Subject: ASCII form when safe, otherwise UTF-8 hex; control characters refused. */
export function prepareSubject(subject: string, out: PreparedMail): CellError | null {
  if (typeof subject !== "string") return cellError(KIND_CONFIG, E_SUBJECT, "subject must be a string", "subject");
  let plain = true;
  const len = subject.length; // read once, chars through codeAt: text/code-at.ts
  for (let i = 0; i < len; i++) {
    const c = codeAt.call(subject, i);
    if (c < 0x20 || c === 0x7f) {
      return cellError(KIND_CONFIG, E_SUBJECT, "subject contains a control character (CR, LF, ...) at position " + i, "subject");
    }
    if (c > 0x7e || c === 0x22) plain = false;
  }
  if (plain) {
    if (len > MAX_SUBJECT_BYTES) {
      return cellError(KIND_CONFIG, E_SUBJECT, "subject is " + len + " bytes, limit " + MAX_SUBJECT_BYTES, "subject");
    }
    out.subjectCharset = CHARSET_ASCII;
    out.subjectText = subject;
    return null;
  }
  const n = utf8Length(subject);
  if (n > MAX_SUBJECT_BYTES) {
    return cellError(KIND_CONFIG, E_SUBJECT, "subject is " + n + " UTF-8 bytes, limit " + MAX_SUBJECT_BYTES, "subject");
  }
  out.subjectCharset = CHARSET_UTF8;
  out.subjectText = utf8Hex(subject);
  return null;
}

function prepareBody(job: MailJob, out: PreparedMail): CellError | null {
  const cs = job.charset === undefined ? CHARSET_AUTO : job.charset;
  if (cs !== CHARSET_AUTO && cs !== CHARSET_ASCII && cs !== CHARSET_UTF8 && cs !== CHARSET_GB2312 && cs !== CHARSET_BIG5) {
    return cellError(KIND_CONFIG, E_CHARSET, "charset must be -1 (auto), 0, 1, 2 or 3", "charset");
  }
  const body = job.body;
  if (typeof body === "string") {
    if (cs === CHARSET_GB2312 || cs === CHARSET_BIG5) {
      return cellError(KIND_CONFIG, E_CHARSET, "GB2312/BIG5 bodies must be given as encoded bytes", "charset");
    }
    // One pass over the text: ASCII or not, its length, and its bytes when they fit.
    const text = utf8Text(body, MAX_BODY);
    if (cs === CHARSET_ASCII && !text.ascii) {
      return cellError(KIND_CONFIG, E_CHARSET, "body has non-ASCII text but charset is ASCII", "charset");
    }
    const n = text.length;
    if (n < 1 || !text.bytes) {
      return cellError(KIND_CONFIG, E_BODY_LENGTH, "body is " + n + " bytes, must be 1.." + MAX_BODY, "body");
    }
    out.body = bytesSource(text.bytes);
    out.bodyCharset = cs === CHARSET_AUTO ? (text.ascii ? CHARSET_ASCII : CHARSET_UTF8) : cs;
    return null;
  }
  if (!body || typeof body.read !== "function" || typeof body.length !== "number") {
    return cellError(KIND_CONFIG, E_FIELD_EMPTY, "body must be a string or a ByteSource", "body");
  }
  if (body.length < 1 || body.length > MAX_BODY) {
    return cellError(KIND_CONFIG, E_BODY_LENGTH, "body is " + body.length + " bytes, must be 1.." + MAX_BODY, "body");
  }
  out.body = body;
  out.bodyCharset = cs === CHARSET_AUTO ? CHARSET_UTF8 : cs;
  return null;
}

function prepareAttachments(list: Attachment[] | undefined, out: PreparedMail): CellError | null {
  if (!list) return null;
  if (!(list instanceof Array)) return cellError(KIND_CONFIG, E_ATTACHMENTS, "attachments must be a list", "attachments");
  if (list.length > MAX_ATTACHMENTS) {
    return cellError(KIND_CONFIG, E_ATTACHMENTS, list.length + " attachments, limit " + MAX_ATTACHMENTS, "attachments");
  }
  for (let i = 0; i < list.length; i++) {
    const a = list[i];
    const f = "attachments[" + i + "]";
    if (!a || typeof a.name !== "string") return cellError(KIND_CONFIG, E_ATTACHMENTS, f + " has no name", f);
    const e = fileNameError(a.name, f + ".name");
    if (e) {
      e.code = E_ATTACHMENTS;
      return e;
    }
    if (!a.data || typeof a.data.read !== "function" || !(a.data.length > 0)) {
      return cellError(KIND_CONFIG, E_ATTACHMENTS, f + " is empty", f + ".data");
    }
    for (let j = 0; j < i; j++) {
      if (list[j].name === a.name) return cellError(KIND_CONFIG, E_ATTACHMENTS, f + " repeats the name " + a.name, f + ".name");
    }
    out.attachments.push(a);
  }
  return null;
}

/** Validate `job` into `out` (fresh arrays are assigned); null when the job can be sent. */
export function prepareMail(job: MailJob, out: PreparedMail): CellError | null {
  if (!job || typeof job !== "object") return cellError(KIND_CONFIG, E_FIELD_EMPTY, "job must be an object", "job");
  if (typeof job.id !== "string" || job.id.length < 1 || job.id.length > 64) {
    return cellError(KIND_CONFIG, E_FIELD_EMPTY, "id must be 1..64 characters", "id");
  }
  out.id = job.id;
  out.types = [];
  out.addresses = [];
  out.attachments = [];
  const total = countOf(job.to) + countOf(job.cc) + countOf(job.bcc);
  if (total < 1) return cellError(KIND_CONFIG, E_RECIPIENTS, "no recipient", "to");
  if (total > MAX_RECIPIENTS) {
    return cellError(KIND_CONFIG, E_RECIPIENTS, total + " recipients, limit " + MAX_RECIPIENTS + " (to + cc + bcc)", "to");
  }
  const e =
    addList(out, job.to, DST_TO, "to") ||
    addList(out, job.cc, DST_CC, "cc") ||
    addList(out, job.bcc, DST_BCC, "bcc") ||
    prepareSubject(job.subject, out) ||
    prepareBody(job, out) ||
    prepareAttachments(job.attachments, out);
  return e;
}

/** An empty PreparedMail to fill. */
export function newPreparedMail(): PreparedMail {
  return {
    id: "",
    types: [],
    addresses: [],
    subjectCharset: 0,
    subjectText: "",
    bodyCharset: 0,
    body: bytesSource(new Uint8Array(0)),
    attachments: [],
  };
}

/** Validation only (no module): null when `job` would be accepted. */
export function validateMail(job: MailJob): CellError | null {
  return prepareMail(job, newPreparedMail());
}
