// Prefixes: encoded once (bytes plus big-endian 32-bit words), and matched against a
// line with one DataView read per 4 bytes instead of a JS loop per byte (in XS a
// getUint32 costs about what reading one byte does). The last word may overlap the
// one before it, so no byte loop is needed for prefixes of 4 bytes or more.
import type { Prefix } from "./types.js";

/** A Prefix made by makePrefix: `words` holds the bytes at offsets 0, 4, 8, ... and n-4. */
export interface WordPrefix extends Prefix {
  readonly words: Uint32Array;
}

export function makePrefix(text: string): WordPrefix {
  const n = text.length;
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  const count = n < 4 ? 0 : Math.floor((n + 3) / 4);
  const words = new Uint32Array(count);
  for (let k = 0; k < count; k++) {
    let off = k * 4;
    if (off > n - 4) off = n - 4;
    words[k] = ((bytes[off] << 24) | (bytes[off + 1] << 16) | (bytes[off + 2] << 8) | bytes[off + 3]) >>> 0;
  }
  return { text: text, bytes: bytes, words: words };
}

/**
 * True when buf[start..start+length) begins with the prefix. `dv` must view the same
 * bytes as `buf` (same buffer, offset 0). Prefixes not made by makePrefix are compared
 * byte by byte.
 */
export function prefixAt(dv: DataView, buf: Uint8Array, start: number, length: number, prefix: Prefix): boolean {
  const bytes = prefix.bytes;
  const n = bytes.length;
  if (n > length) return false;
  const words = (prefix as WordPrefix).words;
  if (words !== undefined && n >= 4) {
    const count = words.length;
    let off = 0;
    for (let k = 0; k < count; k++) {
      if (dv.getUint32(start + off) !== words[k]) return false;
      off += 4;
      if (off > n - 4) off = n - 4;
    }
    return true;
  }
  for (let i = 0; i < n; i++) if (buf[start + i] !== bytes[i]) return false;
  return true;
}
