// ByteSource helpers: a payload for data mode (SHAPE_PROMPT) read in chunks through
// the engine's preallocated buffer. bytesSource wraps bytes already in RAM; a WindowSource
// is one object pointed at one window of bytes after another (a socket's writes).
import type { ByteSource } from "./types.js";

/** A ByteSource over a window of bytes in RAM, re-pointable (the bytes are not copied: do not change them while sending). */
export class WindowSource implements ByteSource {
  length: number;
  private u8: Uint8Array;
  private start: number;

  constructor(u8: Uint8Array, start: number, end: number) {
    this.u8 = u8;
    this.start = start;
    this.length = end - start;
  }

  /** Point at u8[start..end) from now on. */
  point(u8: Uint8Array, start: number, end: number): void {
    this.u8 = u8;
    this.start = start;
    this.length = end - start;
  }

  read(position: number, dst: Uint8Array, offset: number, max: number): number {
    let n = this.length - position;
    if (n > max) n = max;
    if (n > dst.length - offset) n = dst.length - offset;
    if (!(n > 0)) return 0;
    // A JS loop, not set(subarray()): XS meters about 18 units a byte for it against 2, but
    // the view is garbage, and data mode reads a chunk every 256 bytes of a body or a socket
    // send (bench xs.mail.peakFirmwareSlots, xs.socket.mail.peakFirmwareSlots).
    const u8 = this.u8;
    const d = this.start + position - offset;
    for (let i = offset; i < offset + n; i++) dst[i] = u8[d + i];
    return n;
  }

  same(position: number, data: Uint8Array, start: number, end: number): boolean {
    if (position + end - start > this.length) return false;
    const u8 = this.u8;
    const d = this.start + position - start;
    // A JS loop: no view per call (XS counts every subarray as garbage), about 18 units a byte.
    for (let i = start; i < end; i++) if (data[i] !== u8[d + i]) return false;
    return true;
  }
}

/** A ByteSource over bytes in RAM (the array is not copied: do not change it while sending). */
export function bytesSource(u8: Uint8Array): ByteSource {
  return new WindowSource(u8, 0, u8.length);
}
