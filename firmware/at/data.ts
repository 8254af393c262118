// Data mode: the payload of a SHAPE_PROMPT command after CONNECT. Owns the payload's
// progress, the staging chunk read from the ByteSource, back-pressure (a write that
// took fewer bytes resumes from onWritable) and ACK pacing (AT+QFUPL ack mode: one 'A'
// from the module after every `every` bytes). It writes; the engine (the command in
// flight) decides what a stop means.
import type { Uart } from "../platform/types.js";
import type { ByteSource } from "./types.js";

/** Everything was written. */
export const DATA_DONE = 0;
/** The UART took fewer bytes: resume on onWritable. */
export const DATA_BLOCKED = 1;
/** Waiting for the module's 'A'. */
export const DATA_ACK = 2;
/** The source broke its promise (read nothing, or more than asked). */
export const DATA_BROKEN = 3;
/** The engine moved on during a write or read (the command ended under it). */
export const DATA_GONE = 4;

/** The engine, as data mode sees it: is this payload still the one being written? */
export interface DataOwner {
  dataLive(gen: number): boolean;
}

export class DataMode {
  private readonly chunk: Uint8Array;
  private src: ByteSource | null;
  private length: number;
  private pos: number;
  /** ACK pacing: bytes per 'A' (0: none), bytes since the last, and 'A's received ahead. */
  every: number;
  private since: number;
  private credit: number;
  private chunkPos: number;
  private chunkLen: number;

  constructor(chunkSize: number) {
    this.chunk = new Uint8Array(chunkSize);
    this.src = null;
    this.length = 0;
    this.pos = 0;
    this.every = 0;
    this.since = 0;
    this.credit = 0;
    this.chunkPos = 0;
    this.chunkLen = 0;
  }

  /** The payload of the command about to go out (sent only after CONNECT). */
  load(src: ByteSource | null, every: number): void {
    this.src = src;
    this.length = src === null ? 0 : src.length;
    this.every = every;
  }

  /** CONNECT came: start from the payload's first byte. */
  begin(): void {
    this.pos = 0;
    this.since = 0;
    this.credit = 0;
    this.chunkPos = 0;
    this.chunkLen = 0;
  }

  /** Drop the payload (the command ended). */
  clear(): void {
    this.src = null;
    this.length = 0;
    this.every = 0;
  }

  /** An 'A' came from the module. */
  ack(): void {
    this.credit++;
  }

  /** Write as much as may be written now; returns a DATA_* code. */
  pump(uart: Uart, owner: DataOwner, gen: number): number {
    const chunk = this.chunk;
    for (;;) {
      if (this.chunkPos < this.chunkLen) {
        const n = uart.write(chunk, this.chunkPos, this.chunkLen);
        if (!owner.dataLive(gen)) return DATA_GONE;
        if (n > 0) this.chunkPos += n;
        if (this.chunkPos < this.chunkLen) return DATA_BLOCKED;
      }
      if (this.pos >= this.length) return DATA_DONE;
      const every = this.every;
      if (every > 0 && this.since >= every) {
        if (this.credit <= 0) return DATA_ACK;
        this.credit--;
        this.since = 0;
      }
      let max = chunk.length;
      const left = this.length - this.pos;
      if (max > left) max = left;
      if (every > 0 && max > every - this.since) max = every - this.since;
      const got = (this.src as ByteSource).read(this.pos, chunk, 0, max);
      if (!owner.dataLive(gen)) return DATA_GONE;
      if (!(got > 0) || got > max || Math.floor(got) !== got) return DATA_BROKEN;
      this.pos += got;
      this.since += got;
      this.chunkPos = 0;
      this.chunkLen = got;
    }
  }
}
