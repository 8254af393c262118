// The AT+QFUPL checksum: XOR of the data taken as big-endian 16-bit words; an odd last
// byte is the high byte of a final word whose low byte is 0. The module prints it in
// lowercase hex in "+QFUPL: <size>,<checksum>"; comparing it with ours is the only check
// that the UART did not corrupt the file.
import type { ByteSource } from "../../at/types.js";

/** Checksum of bytes[start..end) as if they began at an even offset. */
export function xor16(bytes: Uint8Array, start: number, end: number): number {
  let ck = 0;
  let i = start;
  for (; i + 1 < end; i += 2) ck ^= (bytes[i] << 8) | bytes[i + 1];
  if (i < end) ck ^= bytes[i] << 8;
  return ck & 0xffff;
}

/**
 * Checksum of a whole ByteSource, read through `scratch` (any size >= 1). A read that
 * ends on an odd byte leaves it pending as the high byte of the next word.
 */
export function xor16Source(src: ByteSource, scratch: Uint8Array): number {
  let ck = 0;
  let pos = 0;
  let pending = -1; // high byte waiting for its low byte, or -1
  while (pos < src.length) {
    const n = src.read(pos, scratch, 0, scratch.length);
    if (n <= 0) break;
    let i = 0;
    if (pending >= 0) {
      ck ^= (pending << 8) | scratch[0];
      pending = -1;
      i = 1;
    }
    const even = i + ((n - i) & ~1);
    ck ^= xor16(scratch, i, even);
    if (even < n) pending = scratch[even];
    pos += n;
  }
  if (pending >= 0) ck ^= pending << 8;
  return ck & 0xffff;
}
