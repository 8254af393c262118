// The core's one UTF-8 module (no TextEncoder/TextDecoder, no Buffer: the core runs on
// Espruino and XS). Strings are UTF-16: a surrogate pair is one code point, a lone
// surrogate encodes as U+FFFD, malformed input bytes decode as U+FFFD.
//
// Every function reads `s.length` once and looks at each char once: in XS each
// `charCodeAt` and each `length` read costs heap, so a 10240-byte body is encoded in one
// pass (utf8Text) rather than checked, measured and then encoded.

// XS charges heap for every property read of a primitive string (text/code-at.ts): a
// 10,240-byte body read with s.charCodeAt(i) cost 20,000 slots (xs.mail.peakLiveSlots).
import { codeAt } from "./code-at.js";

/** UTF-8 bytes of the code point starting with `c` (a pair counts 4: see `pairAt`). */
function width(c: number): number {
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

/** The code point at s[i] given its first unit c: a pair combined (> 0xFFFF), a lone surrogate U+FFFD. */
function pairAt(s: string, i: number, len: number, c: number): number {
  if (c < 0xd800 || c > 0xdfff) return c;
  const d = c <= 0xdbff && i + 1 < len ? s.charCodeAt(i + 1) : 0;
  return d >= 0xdc00 && d <= 0xdfff ? 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00) : 0xfffd;
}

/** Writes code point c (of `w` bytes, 2 to 4: a caller writes an ASCII char itself) at dst[o]. */
function put(c: number, w: number, dst: Uint8Array, o: number): void {
  let shift = 6 * (w - 1);
  dst[o] = ((0xf00 >> w) & 0xff) | (c >> shift);
  while (shift > 0) {
    shift -= 6;
    dst[++o] = 0x80 | ((c >> shift) & 0x3f);
  }
}

/** Bytes `s` takes in UTF-8. */
export function utf8Length(s: string): number {
  return utf8Text(s, 0).length;
}

/** A new Uint8Array with the UTF-8 bytes of `s`. */
export function utf8Bytes(s: string): Uint8Array {
  return utf8Text(s, -1).bytes as Uint8Array;
}

/**
 * Writes the UTF-8 bytes of `s` at dst[o..limit): the new end, or -1 when they do not fit.
 * Allocates nothing (a secret can be encoded into a buffer its owner wipes).
 */
export function utf8Into(s: string, dst: Uint8Array, o: number, limit: number): number {
  const len = s.length;
  for (let i = 0; i < len; i++) {
    let c = codeAt.call(s, i);
    if (c >= 0x80) {
      c = pairAt(s, i, len, c);
      if (c > 0xffff) i++;
    }
    const w = width(c);
    if (o + w > limit) return -1;
    if (w === 1) dst[o] = c;
    else put(c, w, dst, o);
    o += w;
  }
  return o;
}

/** `s` as UTF-8, from one pass over it. */
export interface Utf8Text {
  /** The bytes (exactly `length` of them), or null when they were not asked for or exceed the limit. */
  bytes: Uint8Array | null;
  /** Bytes `s` takes in UTF-8 (counted to the end even past the limit). */
  length: number;
  /** Every char of `s` is 0x00..0x7F. */
  ascii: boolean;
}

/**
 * One pass over `s`: its UTF-8 length, whether it is ASCII, and (max > 0: when the
 * length is at most max; max < 0: always; max 0: never) its bytes. The bytes go into
 * one array of s.length bytes, the exact size for ASCII; only at the first non-ASCII
 * char does it move to an array big enough for the rest (at most 3 bytes per char, capped
 * at max), and the result is cut to the exact size.
 */
export function utf8Text(s: string, max: number): Utf8Text {
  const len = s.length;
  let cap = max === 0 ? 0 : max > 0 && len > max ? max : len;
  let dst: Uint8Array | null = cap > 0 ? new Uint8Array(cap) : null;
  let o = 0;
  let ascii = true;
  for (let i = 0; i < len; i++) {
    let c = codeAt.call(s, i);
    if (c < 0x80) {
      if (dst && o < cap) dst[o] = c;
      else dst = null;
      o++;
      continue;
    }
    c = pairAt(s, i, len, c);
    if (c > 0xffff) i++;
    const w = width(c);
    if (ascii && dst) {
      // First non-ASCII char: room for the rest, at most 3 bytes for each char left.
      let room = o + 3 * (len - i) + 1;
      if (max > 0 && room > max) room = max;
      if (room > cap) {
        const grown = new Uint8Array(room);
        grown.set(dst.subarray(0, o), 0);
        dst = grown;
        cap = room;
      }
    }
    ascii = false;
    if (dst && o + w <= cap) put(c, w, dst, o);
    else dst = null;
    o += w;
  }
  if (dst && o < cap) dst = dst.slice(0, o);
  if (!dst && max !== 0 && o === 0) dst = new Uint8Array(0);
  return { bytes: dst, length: o, ascii: ascii };
}

/** Upper-case hex of the UTF-8 bytes of `s` ("TEST" -> "54455354"). */
export function utf8Hex(s: string): string {
  const b = utf8Bytes(s);
  let out = "";
  for (let i = 0; i < b.length; i++) out += (b[i] + 256).toString(16).substring(1);
  return out.toUpperCase();
}

/** Decodes src[start..end). Malformed sequences become U+FFFD. */
export function utf8Decode(src: Uint8Array, start: number, end: number): string {
  // Chars are appended to a short chunk, and the chunk to the result every 64 chars, so
  // long texts are not copied once per char (no String.fromCharCode.apply: Espruino
  // takes at most 256 arguments).
  let out = "";
  let chunk = "";
  let i = start;
  while (i < end) {
    const b = src[i++];
    let c = 0xfffd;
    let need = 0;
    if (b < 0x80) c = b;
    else if (b >= 0xc2 && b < 0xe0) {
      c = b & 0x1f;
      need = 1;
    } else if (b >= 0xe0 && b < 0xf0) {
      c = b & 0x0f;
      need = 2;
    } else if (b >= 0xf0 && b < 0xf5) {
      c = b & 0x07;
      need = 3;
    }
    if (need > 0) {
      if (i + need > end) {
        c = 0xfffd;
        i = end;
      } else {
        let ok = true;
        for (let k = 0; k < need; k++) {
          const cb = src[i + k];
          if ((cb & 0xc0) !== 0x80) ok = false;
          c = (c << 6) | (cb & 0x3f);
        }
        if (ok) i += need;
        else c = 0xfffd;
      }
    }
    if (c >= 0x10000) {
      c -= 0x10000;
      chunk += String.fromCharCode(0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
    } else chunk += String.fromCharCode(c);
    if (chunk.length >= 64) {
      out += chunk;
      chunk = "";
    }
  }
  return out + chunk;
}

/** `s` cut to at most `maxBytes` of UTF-8 without splitting a character. */
export function clipUtf8(s: string, maxBytes: number): string {
  const len = s.length;
  let n = 0;
  for (let i = 0; i < len; i++) {
    const c = pairAt(s, i, len, s.charCodeAt(i));
    const w = width(c);
    if (n + w > maxBytes) return s.substring(0, i);
    n += w;
    if (c > 0xffff) i++;
  }
  return s;
}
