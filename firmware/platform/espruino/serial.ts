// Espruino adapter: Uart over a hardware serial port (Serial1, Serial2, ...).
//
// Receive: Espruino hands over strings of 8-bit characters, about 32 at a time. Each
// chunk is copied into one receive buffer allocated here, character code by character
// code (no E.toUint8Array, which would allocate an array per chunk), then given to the
// sink. Transmit: bytes go out as a Uint8Array view, so a byte above 0x7F is sent as
// that byte (never as a string escape). Serial.write busy-waits when Espruino's TX
// buffer is full, so the adapter takes at most `txChunk` bytes per call and, when it
// took less than offered, lets the event loop run (incoming data, timers) before
// telling the sink there is room again.
import type { Uart, UartSink } from "../types.js";

export interface EspruinoUartOptions {
  serial: EspruinoSerial;
  baud: number;
  rx?: EspruinoPin;
  tx?: EspruinoPin;
  /** Receive buffer size. Default 64 (Espruino delivers about 32 characters per event). */
  rxSize?: number;
  /** Most bytes written per call. Default 64. */
  txChunk?: number;
}

export class EspruinoUart implements Uart {
  private readonly serial: EspruinoSerial;
  private readonly rx: Uint8Array;
  private readonly txChunk: number;
  private sink: UartSink | undefined;
  private pending: number;
  private closed: boolean;

  constructor(options: EspruinoUartOptions) {
    this.serial = options.serial;
    this.rx = new Uint8Array(options.rxSize ? options.rxSize : 64);
    this.txChunk = options.txChunk ? options.txChunk : 64;
    this.sink = undefined;
    this.pending = 0;
    this.closed = false;
    const setup: EspruinoSerialOptions = {};
    if (options.rx !== undefined) setup.rx = options.rx;
    if (options.tx !== undefined) setup.tx = options.tx;
    this.serial.setup(options.baud, setup);
    const self = this;
    this.serial.on("data", function (data: string) {
      self.received(data);
    });
  }

  attach(sink: UartSink): void {
    this.sink = sink;
  }

  write(data: Uint8Array, start: number, end: number): number {
    if (this.closed) return 0;
    let n = end - start;
    if (n > this.txChunk) n = this.txChunk;
    if (n <= 0) return 0;
    this.serial.write(new Uint8Array(data.buffer, data.byteOffset + start, n));
    if (n < end - start && this.pending === 0) {
      const self = this;
      this.pending = setTimeout(function () {
        self.pending = 0;
        const sink = self.sink;
        if (sink && !self.closed) sink.onWritable();
      }, 0);
    }
    return n;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink = undefined;
    this.serial.removeAllListeners("data");
    if (this.pending) {
      clearTimeout(this.pending);
      this.pending = 0;
    }
  }

  private received(data: string): void {
    const rx = this.rx;
    const size = rx.length;
    const length = data.length;
    let i = 0;
    while (i < length) {
      let n = length - i;
      if (n > size) n = size;
      for (let k = 0; k < n; k++) rx[k] = data.charCodeAt(i + k);
      i += n;
      const sink = this.sink;
      if (!sink || this.closed) return;
      sink.onBytes(rx, 0, n);
    }
  }
}
