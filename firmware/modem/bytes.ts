// ByteSource helpers: a source over a Uint8Array, and reading a whole source into
// caller-owned scratch memory chunk by chunk (for checksums).
import type { ByteSource } from "../at/types.js";

/** A ByteSource over bytes in RAM (a body, a certificate, a test attachment). */
export class BytesSource implements ByteSource {
  readonly length: number;
  private bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.length = bytes.length;
  }

  read(position: number, dst: Uint8Array, offset: number, max: number): number {
    let n = this.length - position;
    if (n > max) n = max;
    if (n <= 0) return 0;
    dst.set(this.bytes.subarray(position, position + n), offset);
    return n;
  }
}

/** A ByteSource over an ASCII/Latin-1 string (one byte per char; chars above 0xFF are masked). */
export function latin1Source(text: string): BytesSource {
  const b = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i) & 0xff;
  return new BytesSource(b);
}
