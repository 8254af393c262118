// Own UTF-8 encode/decode (no TextEncoder/TextDecoder, no Buffer: the core runs
// on Espruino and XS). Strings are UTF-16; lone surrogates encode as U+FFFD.

/** Bytes needed to encode `s`. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && isLow(s.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Encode `s` into `dst` at `offset`; returns the offset after the last byte. `dst` must be large enough. */
export function utf8Write(s: string, dst: Uint8Array, offset: number): number {
  let o = offset;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && isLow(s.charCodeAt(i + 1))) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(i + 1) - 0xdc00);
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      c = 0xfffd;
    }
    if (c < 0x80) {
      dst[o++] = c;
    } else if (c < 0x800) {
      dst[o++] = 0xc0 | (c >> 6);
      dst[o++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      dst[o++] = 0xe0 | (c >> 12);
      dst[o++] = 0x80 | ((c >> 6) & 0x3f);
      dst[o++] = 0x80 | (c & 0x3f);
    } else {
      dst[o++] = 0xf0 | (c >> 18);
      dst[o++] = 0x80 | ((c >> 12) & 0x3f);
      dst[o++] = 0x80 | ((c >> 6) & 0x3f);
      dst[o++] = 0x80 | (c & 0x3f);
    }
  }
  return o;
}

export function utf8Encode(s: string): Uint8Array {
  const out = new Uint8Array(utf8Length(s));
  utf8Write(s, out, 0);
  return out;
}

/** Decode `src[start..end)`. Malformed sequences become U+FFFD. */
export function utf8Decode(src: Uint8Array, start: number, end: number): string {
  let out = "";
  const units: number[] = [];
  let i = start;
  while (i < end) {
    const b = src[i];
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
    i++;
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
      units.push(0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
    } else units.push(c);
    // String.fromCharCode.apply takes at most 256 arguments on Espruino.
    if (units.length >= 250) {
      out += String.fromCharCode.apply(null, units);
      units.length = 0;
    }
  }
  if (units.length > 0) out += String.fromCharCode.apply(null, units);
  return out;
}

/** `s` cut to at most `maxBytes` of UTF-8 without splitting a character. */
export function clipUtf8(s: string, maxBytes: number): string {
  if (s.length <= maxBytes / 3 || utf8Length(s) <= maxBytes) return s;
  let n = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    let w = 1;
    let units = 1;
    if (c >= 0x80 && c < 0x800) w = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && isLow(s.charCodeAt(i + 1))) {
      w = 4;
      units = 2;
    } else if (c >= 0x800) w = 3;
    if (n + w > maxBytes) break;
    n += w;
    i += units;
  }
  return s.substring(0, i);
}
