// Header field texts of the MIME writer (RFC 5322, 2047), each an ASCII string without
// CR or LF except the folds this file writes itself ("\r\n " inside a field). Made once
// per mail: a few hundred bytes, the only strings the writer builds.
//
//  - Date: from the network's time, in UTC ("Sun, 06 Dec 2026 22:33:32 +0000"), no Date
//    object (the same arithmetic on XS and Espruino);
//  - Message-ID: from the alarm's identity (the transport's key: job id, board name, SIM
//    ICCID) and the sender's address, so a resend of the same alarm carries the same id and
//    readers and servers can see the duplicate: "<" key "." sender-local "@" sender-domain
//    ">", the key's characters other than letters, digits, '-' and '_' written as "=" and two
//    hex digits per UTF-8 byte;
//  - phrases (display names) and unstructured text (the subject): as they are when they are
//    printable ASCII (a name quoted), otherwise RFC 2047 "B" encoded words in UTF-8, each
//    at most 75 characters, never splitting a character, folded onto lines of their own.
import { utf8Bytes } from "../../text/utf8.js";
import { base64Into } from "./base64.js";
import { codeAt } from "../../text/code-at.js";
import { twoDigits as two, utcDate } from "../../text/utc.js";

const DAYS = "SunMonTueWedThuFriSat";
const MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";
const HEX = "0123456789ABCDEF";

/** RFC 5322 date-time in UTC of `ms` since 1970 (text/utc.ts). */
export function dateHeader(ms: number): string {
  // From numbers, not utcParts' object (one a mail: XS heap).
  const secs = Math.floor(ms / 1000);
  const days = Math.floor(secs / 86400);
  const s = secs - days * 86400;
  const ymd = utcDate(days);
  const wd = (((days + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday (4)
  const m = Math.floor(ymd / 100) % 100;
  return (
    DAYS.substring(3 * wd, 3 * wd + 3) + ", " + two(ymd % 100) + " " + MONTHS.substring(3 * (m - 1), 3 * m) + " " + Math.floor(ymd / 10000) + " " +
    two(Math.floor(s / 3600)) + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60) + " +0000"
  );
}

/** The Message-ID (with its angle brackets) of alarm `id` sent by `from` (a validated address). */
export function messageId(id: string, from: string): string {
  let left = "";
  // An ASCII key is read as it is; any other is read as its UTF-8 bytes (an array made only then).
  const n = id.length; // read once: text/code-at.ts
  let ascii = true;
  for (let i = 0; ascii && i < n; i++) ascii = codeAt.call(id, i) < 0x80;
  const b = ascii ? null : utf8Bytes(id);
  const count = b === null ? n : b.length;
  for (let i = 0; i < count; i++) {
    const c = b === null ? codeAt.call(id, i) : b[i];
    const plain = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95;
    left += plain ? String.fromCharCode(c) : "=" + HEX.charAt(c >> 4) + HEX.charAt(c & 15);
  }
  const at = from.indexOf("@");
  return "<" + left + "." + from.substring(0, at) + "@" + from.substring(at + 1) + ">";
}

/** Every char printable ASCII (and no "=?" that a reader could take for an encoded word). */
function plainAscii(s: string): boolean {
  const n = s.length; // read once: text/code-at.ts
  for (let i = 0; i < n; i++) {
    const c = codeAt.call(s, i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return s.indexOf("=?") < 0;
}

/**
 * `s` as RFC 2047 encoded words ("=?UTF-8?B?...?="), joined by a fold (CR LF space). Each
 * word carries at most 45 bytes (60 base64 chars, 72 with its frame) and ends on a
 * character boundary.
 */
export function encodedWords(s: string): string {
  const b = utf8Bytes(s);
  const tmp = new Uint8Array(60);
  let out = "";
  let i = 0;
  while (i < b.length) {
    let end = i + 45 < b.length ? i + 45 : b.length;
    // Back off to a character start (not a UTF-8 continuation byte 10xxxxxx).
    while (end < b.length && end > i + 1 && (b[end] & 0xc0) === 0x80) end--;
    const n = base64Into(b, i, end, tmp, 0);
    let word = "=?UTF-8?B?";
    for (let k = 0; k < n; k++) word += String.fromCharCode(tmp[k]);
    out += (i > 0 ? "\r\n " : "") + word + "?=";
    i = end;
  }
  return out;
}

/** Unstructured text (the subject): as is when printable ASCII, otherwise encoded words. */
export function unstructured(s: string): string {
  return plainAscii(s) ? s : encodedWords(s);
}

/** A display name: a quoted string when printable ASCII ('"' and '\' escaped), otherwise encoded words. */
export function phrase(name: string): string {
  if (!plainAscii(name)) return encodedWords(name);
  let q = '"';
  for (let i = 0; i < name.length; i++) {
    const c = name.charAt(i);
    q += c === '"' || c === "\\" ? "\\" + c : c;
  }
  return q + '"';
}

/** One mailbox: "addr", or phrase " <addr>". */
export function mailbox(name: string, address: string): string {
  return name === "" ? address : phrase(name) + " <" + address + ">";
}

/**
 * A header field of `label` listing the addresses of `type` in types (one per line), or ""
 * when there is none. `names`: the display names of that type's addresses, by their index
 * among them ("" or absent: none).
 */
export function addressField(label: string, type: number, types: number[], addresses: string[], names: string[] | null): string {
  let s = "";
  let k = 0;
  for (let i = 0; i < types.length; i++) {
    if (types[i] !== type) continue;
    const name = names !== null && k < names.length && names[k] !== undefined ? names[k] : "";
    k++;
    s += (s === "" ? label + ": " : ",\r\n ") + mailbox(name, addresses[i]);
  }
  return s === "" ? "" : s + "\r\n";
}
