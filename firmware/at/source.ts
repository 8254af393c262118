// ByteSource helpers: a payload for data mode (SHAPE_PROMPT) read in chunks through
// the engine's preallocated buffer. bytesSource wraps bytes already in RAM.
import type { ByteSource } from "./types.js";

class Uint8Source implements ByteSource {
  readonly length: number;
  private readonly u8: Uint8Array;

  constructor(u8: Uint8Array) {
    this.u8 = u8;
    this.length = u8.length;
  }

  read(position: number, dst: Uint8Array, offset: number, max: number): number {
    const src = this.u8;
    let n = src.length - position;
    if (n > max) n = max;
    if (n > dst.length - offset) n = dst.length - offset;
    if (!(n > 0)) return 0;
    // Native copy: XS meters about 2 units per byte for set(), about 18 for a JS loop.
    dst.set(src.subarray(position, position + n), offset);
    return n;
  }
}

/** A ByteSource over bytes in RAM (the array is not copied: do not change it while sending). */
export function bytesSource(u8: Uint8Array): ByteSource {
  return new Uint8Source(u8);
}
