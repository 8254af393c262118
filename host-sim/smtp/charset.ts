// Character sets of AT+QSMTPSUB / AT+QSMTPBODY: 0 ASCII, 1 UTF-8, 2 GB2312, 3 BIG5.
// Decoding uses Node's TextDecoder; the 'gb2312' and 'big5' labels need Node's full ICU
// (the default build has it). GB2312 decodes as GBK (the WHATWG encoding standard maps the
// label that way), a superset, so every valid GB2312 byte string decodes as it should.
import type { Charset } from "./types.js";

/** WHATWG encoding labels for TextDecoder. ASCII decodes as UTF-8 (a superset): bytes above
 * 0x7F in an "ASCII" subject are kept rather than turned into mojibake. */
export const DECODER_LABEL: Readonly<Record<Charset, string>> = {
  0: "utf-8",
  1: "utf-8",
  2: "gb2312",
  3: "big5",
};

/** MIME charset names, as they go into `Content-Type: text/plain; charset=...`. */
export const MIME_CHARSET: Readonly<Record<Charset, string>> = {
  0: "us-ascii",
  1: "utf-8",
  2: "gb2312",
  3: "big5",
};

export function isCharset(n: number): n is Charset {
  return n === 0 || n === 1 || n === 2 || n === 3;
}

/** Decode bytes in one of the module's charsets to a JS string (invalid sequences become U+FFFD). */
export function decodeCharset(charset: Charset, bytes: Uint8Array): string {
  const label = DECODER_LABEL[charset];
  if (label === undefined) throw new RangeError(`unknown charset ${String(charset)}`);
  return new TextDecoder(label, { fatal: false, ignoreBOM: true }).decode(bytes);
}

/** Whether every byte is 7-bit ASCII. */
export function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}
