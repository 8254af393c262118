// Moddable adapter: Uart over ECMA-419 `embedded:io/serial` (format "buffer").
//
// Receive: onReadable drains the port into one receive buffer allocated here. Where the
// port supports `read(view)` (ESP32 in current SDKs) bytes land in place with no
// allocation; where it does not (the Linux `lin` port, older ESP32 builds treat the view
// as a count of 0) the adapter notices on the first read and falls back to `read(n)`,
// which allocates one ArrayBuffer per read, never per byte.
//
// Transmit: ECMA-419 `write` never accepts part of a buffer: it throws ("output full",
// "would overflow") when the data does not fit. So the adapter tracks the room the port
// last reported through onWritable, offers at most that much, and tells the sink when
// room frees again. This is the back-pressure the AT engine's data mode relies on.
import Serial from "embedded:io/serial";
import type { Uart, UartSink } from "../types.js";

/** The constructor's own options, plus `device` (the `lin` port opens a device path). */
export type SerialOptions = ConstructorParameters<typeof Serial>[0] & { device?: string };

export interface ModdableUartOptions {
  /** Port options as for `new Serial()`; onReadable/onWritable/format are set by the adapter. */
  serial: SerialOptions;
  /** Receive buffer size (bytes handed to the sink per call at most). Default 256. */
  rxSize?: number;
}

const READ_UNKNOWN = 0;
const READ_IN_PLACE = 1;
const READ_COPY = 2;

export class ModdableUart implements Uart {
  private port: Serial | undefined;
  private sink: UartSink | undefined;
  private readonly rx: Uint8Array;
  private readMode: number;
  /** Bytes the port can take now, as last reported by onWritable minus what we wrote since. */
  private room: number;
  /** A write was refused or cut short: tell the sink when room frees. */
  private blocked: boolean;
  private closed: boolean;

  constructor(options: ModdableUartOptions) {
    this.rx = new Uint8Array(options.rxSize !== undefined ? options.rxSize : 256);
    this.readMode = READ_UNKNOWN;
    this.room = 0;
    this.blocked = false;
    this.closed = false;
    this.sink = undefined;
    this.port = undefined;
    const self = this;
    const serialOptions = Object.assign({}, options.serial, {
      format: "buffer" as const,
      onReadable(this: Serial, count: number) {
        self.readable(count);
      },
      onWritable(this: Serial, count: number) {
        self.writable(count);
      },
    });
    this.port = new Serial(serialOptions);
  }

  attach(sink: UartSink): void {
    this.sink = sink;
  }

  write(data: Uint8Array, start: number, end: number): number {
    const port = this.port;
    if (!port || this.closed) return 0;
    let n = end - start;
    if (n > this.room) n = this.room;
    if (n <= 0) {
      this.blocked = true;
      return 0;
    }
    // The port copies the bytes during the call, and `lin` accepts only a whole
    // ArrayBuffer: hand over the caller's buffer when it is exactly the range, else one
    // copy of the range (one allocation per FIFO-sized write, not per byte).
    const buffer = data.buffer as ArrayBuffer;
    const from = data.byteOffset + start;
    const chunk = from === 0 && n === buffer.byteLength ? buffer : buffer.slice(from, from + n);
    try {
      port.write(chunk);
    } catch (e) {
      // Full after all (the port's own buffer is still draining): wait for onWritable.
      this.room = 0;
      this.blocked = true;
      return 0;
    }
    this.room -= n;
    if (n < end - start) this.blocked = true;
    return n;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink = undefined;
    const port = this.port;
    this.port = undefined;
    if (port) port.close();
  }

  private readable(count: number): void {
    const port = this.port;
    const rx = this.rx;
    let left = count;
    while (port && !this.closed && left > 0) {
      let n = 0;
      if (this.readMode !== READ_COPY) {
        // Typed as number; a port without in-place reads returns an ArrayBuffer instead.
        const got: unknown = port.read(rx);
        if (typeof got === "number") {
          this.readMode = READ_IN_PLACE;
          n = got as number;
        } else if (this.readMode === READ_UNKNOWN && got instanceof ArrayBuffer) {
          // The port took the view for a count of 0 and returned an empty ArrayBuffer:
          // it has no in-place read. Nothing was consumed; copy from now on.
          this.readMode = READ_COPY;
          continue;
        }
      } else {
        const ab = port.read(left < rx.length ? left : rx.length);
        if (ab instanceof ArrayBuffer) {
          n = ab.byteLength;
          rx.set(new Uint8Array(ab), 0);
        }
      }
      if (n <= 0) break;
      left -= n;
      const sink = this.sink;
      if (sink) sink.onBytes(rx, 0, n);
    }
  }

  private writable(count: number): void {
    this.room = count;
    if (this.blocked && !this.closed) {
      this.blocked = false;
      const sink = this.sink;
      if (sink) sink.onWritable();
    }
  }
}
