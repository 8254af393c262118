// UTF-8 without TextEncoder (not in the ES2015 core on Espruino/XS): byte length,
// encoding into a caller's buffer, and the upper-case hex form the module wants for
// a non-ASCII subject (AT+QSMTPSUB=1,"E4BDA0..."). Lone surrogates become U+FFFD.

/** Code point at i, combining a surrogate pair; writes how many UTF-16 units it took into step[0]. */
function codePointAt(s: string, i: number, step: number[]): number {
  const c = s.charCodeAt(i);
  step[0] = 1;
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) {
      step[0] = 2;
      return 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
    }
  }
  if (c >= 0xd800 && c <= 0xdfff) return 0xfffd;
  return c;
}

function cpBytes(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** Number of bytes `s` takes in UTF-8. */
export function utf8Length(s: string): number {
  const step = [1];
  let n = 0;
  for (let i = 0; i < s.length; i += step[0]) n += cpBytes(codePointAt(s, i, step));
  return n;
}

/** Encode `s` into dst[offset..]; returns the offset after the last byte. dst must be big enough. */
export function utf8Encode(s: string, dst: Uint8Array, offset: number): number {
  const step = [1];
  let o = offset;
  for (let i = 0; i < s.length; i += step[0]) {
    const cp = codePointAt(s, i, step);
    if (cp < 0x80) {
      dst[o++] = cp;
    } else if (cp < 0x800) {
      dst[o++] = 0xc0 | (cp >> 6);
      dst[o++] = 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
      dst[o++] = 0xe0 | (cp >> 12);
      dst[o++] = 0x80 | ((cp >> 6) & 0x3f);
      dst[o++] = 0x80 | (cp & 0x3f);
    } else {
      dst[o++] = 0xf0 | (cp >> 18);
      dst[o++] = 0x80 | ((cp >> 12) & 0x3f);
      dst[o++] = 0x80 | ((cp >> 6) & 0x3f);
      dst[o++] = 0x80 | (cp & 0x3f);
    }
  }
  return o;
}

/** A new Uint8Array with the UTF-8 bytes of `s`. */
export function utf8Bytes(s: string): Uint8Array {
  const b = new Uint8Array(utf8Length(s));
  utf8Encode(s, b, 0);
  return b;
}

const HEX = "0123456789ABCDEF";

/** Upper-case hex of the UTF-8 bytes of `s` ("TEST" -> "54455354"). */
export function utf8Hex(s: string): string {
  const b = utf8Bytes(s);
  let out = "";
  for (let i = 0; i < b.length; i++) out += HEX.charAt(b[i] >> 4) + HEX.charAt(b[i] & 15);
  return out;
}

/** True when every char is 0x00..0x7F. */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
