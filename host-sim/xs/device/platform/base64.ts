// XS bridge: base64 to bytes (no atob, no Buffer in XS). Accepts the standard and the
// URL-safe alphabet, skips padding and whitespace, throws on any other character.

/** 0-63 for a digit, 64 for padding or whitespace, -1 for anything else. */
function digit(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41; // A-Z
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 26; // a-z
  if (c >= 0x30 && c <= 0x39) return c - 0x30 + 52; // 0-9
  if (c === 0x2b || c === 0x2d) return 62; // + -
  if (c === 0x2f || c === 0x5f) return 63; // / _
  if (c === 0x3d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) return 64;
  return -1;
}

export function base64Decode(s: string): Uint8Array {
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const v = digit(s.charCodeAt(i));
    if (v < 0) throw new Error("base64: bad character at " + i);
    if (v < 64) digits++;
  }
  if (digits % 4 === 1) throw new Error("base64: truncated input");
  const out = new Uint8Array((digits * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const v = digit(s.charCodeAt(i));
    if (v >= 64) continue;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}
