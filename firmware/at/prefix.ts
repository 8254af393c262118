// Prefixes: encoded once, when made, into what the engine's receive loop compares:
// the first and the last four bytes as signed 32-bit words (one DataView read each
// instead of a JS loop per byte: in XS a getInt32 costs about what reading one byte
// does), the words in between for prefixes longer than 8 bytes, and where the fields
// of a line that starts with the prefix begin.
import type { Prefix } from "./types.js";
import { codeAt } from "../text/code-at.js";

/** A prefix containing this byte can never start a line (a CR always ends one). */
export const PFX_CR = 1;
/** A prefix containing an LF: it cannot start a line when a bare LF ends lines. */
export const PFX_LF = 2;

/** A Prefix made by makePrefix (or by prepare() for a foreign Prefix). */
export interface WordPrefix extends Prefix {
  /** Bytes 0..3 as a big-endian int32 (bytes past a shorter prefix's end as zero). */
  readonly w0: number;
  /** Which bits of a line's first word w0 covers: -1 for 4 bytes or more, 0 for none. */
  readonly mask: number;
  /** Bytes n-4..n-1 as a big-endian int32 (when at least 4 bytes). */
  readonly wl: number;
  /** Words at offsets 4, 8, ... below n-4 (prefixes longer than 8 bytes), else null. */
  readonly mid: Int32Array | null;
  /**
   * Where the fields begin in a line that starts with this prefix (the offset after
   * its colon), when the prefix holds exactly one ':' as its last byte and no quote or
   * comma; -1 otherwise (the getters then look for the colon themselves).
   */
  readonly fieldsAt: number;
  /** PFX_CR / PFX_LF bits. */
  readonly ends: number;
}

/** Mask for a line's first word against an n-byte prefix (big-endian: its first min(n, 4) bytes). */
export function maskOf(n: number): number {
  if (n >= 4) return -1;
  if (n === 3) return -256; // 0xFFFFFF00
  if (n === 2) return -65536; // 0xFFFF0000
  if (n === 1) return -16777216; // 0xFF000000
  return 0;
}

/** Words past the first 8 bytes (prefixes longer than 8): all equal at `start`? */
export function midMatch(dv: DataView, start: number, mid: Int32Array | null): boolean {
  if (mid === null) return true;
  for (let k = 0; k < mid.length; k++) if (dv.getInt32(start + 4 + 4 * k) !== mid[k]) return false;
  return true;
}

function word(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
}

/** Encode bytes (already made) as a WordPrefix. */
export function wordPrefix(text: string, bytes: Uint8Array): WordPrefix {
  const n = bytes.length;
  let w0 = 0;
  let wl = 0;
  let mid: Int32Array | null = null;
  for (let i = 0; i < 4; i++) w0 = (w0 << 8) | (i < n ? bytes[i] : 0);
  if (n >= 4) {
    wl = word(bytes, n - 4);
    if (n > 8) {
      const count = Math.floor((n - 5) / 4); // words at 4, 8, ... that start before n-4
      mid = new Int32Array(count);
      for (let k = 0; k < count; k++) mid[k] = word(bytes, 4 + 4 * k);
    }
  }
  let ends = 0;
  let colons = 0;
  let other = false;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0x0d) ends |= PFX_CR;
    else if (b === 0x0a) ends |= PFX_LF;
    else if (b === 0x3a) colons++;
    else if (b === 0x22 || b === 0x2c) other = true;
  }
  const fieldsAt = n > 0 && colons === 1 && bytes[n - 1] === 0x3a && !other ? n : -1;
  return { text: text, bytes: bytes, w0: w0, mask: maskOf(n), wl: wl, mid: mid, fieldsAt: fieldsAt, ends: ends };
}

export function makePrefix(text: string): WordPrefix {
  const n = text.length; // read once, chars through codeAt: text/code-at.ts
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = codeAt.call(text, i) & 0xff;
  return wordPrefix(text, bytes);
}

/** The WordPrefix for any Prefix (a foreign one is encoded now; made ones are returned as they are). */
export function asWordPrefix(prefix: Prefix): WordPrefix {
  const wp = prefix as WordPrefix;
  if (typeof wp.fieldsAt === "number" && typeof wp.ends === "number") return wp;
  return wordPrefix(prefix.text, prefix.bytes);
}
