// Base64 (RFC 4648, with padding) written straight into a byte buffer: AUTH PLAIN/LOGIN
// and the MIME writer's attachments and encoded words. No strings, no allocation: the
// alphabet is read from a constant string by index.
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const codeAt = "".charCodeAt;

/** Encodes src[start..end) at dst[o..]; returns the new offset (4 bytes for every 3, rounded up). */
export function base64Into(src: Uint8Array, start: number, end: number, dst: Uint8Array, o: number): number {
  let i = start;
  while (i + 2 < end) {
    const v = (src[i] << 16) | (src[i + 1] << 8) | src[i + 2];
    dst[o] = codeAt.call(ALPHABET, v >> 18);
    dst[o + 1] = codeAt.call(ALPHABET, (v >> 12) & 63);
    dst[o + 2] = codeAt.call(ALPHABET, (v >> 6) & 63);
    dst[o + 3] = codeAt.call(ALPHABET, v & 63);
    o += 4;
    i += 3;
  }
  if (i < end) {
    const two = i + 1 < end;
    const v = (src[i] << 16) | (two ? src[i + 1] << 8 : 0);
    dst[o] = codeAt.call(ALPHABET, v >> 18);
    dst[o + 1] = codeAt.call(ALPHABET, (v >> 12) & 63);
    dst[o + 2] = two ? codeAt.call(ALPHABET, (v >> 6) & 63) : 61;
    dst[o + 3] = 61; // '='
    o += 4;
  }
  return o;
}

/** Bytes base64Into writes for n input bytes. */
export function base64Length(n: number): number {
  return 4 * Math.ceil(n / 3);
}
