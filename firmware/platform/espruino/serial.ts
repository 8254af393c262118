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
//
// Espruino's adapters are closures over locals (as the compact profile is): the bundle
// must fit 16 KB, and every `this.` costs bytes there.
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

export function createEspruinoUart(options: EspruinoUartOptions): Uart {
  const serial = options.serial;
  const rx = new Uint8Array(options.rxSize || 64);
  const txChunk = options.txChunk || 64;
  let sink: UartSink | undefined;
  let pending = 0;
  let closed = false;
  const setup: EspruinoSerialOptions = {};
  if (options.rx !== undefined) setup.rx = options.rx;
  if (options.tx !== undefined) setup.tx = options.tx;
  serial.setup(options.baud, setup);
  serial.on("data", function (data: string) {
    const length = data.length;
    let i = 0;
    while (i < length && sink && !closed) {
      let n = length - i;
      if (n > rx.length) n = rx.length;
      for (let k = 0; k < n; k++) rx[k] = data.charCodeAt(i + k);
      i += n;
      sink.onBytes(rx, 0, n);
    }
  });
  return {
    attach(s: UartSink): void {
      sink = s;
    },
    write(data: Uint8Array, start: number, end: number): number {
      let n = end - start;
      if (n > txChunk) n = txChunk;
      if (closed || n <= 0) return 0;
      serial.write(new Uint8Array(data.buffer, data.byteOffset + start, n));
      if (n < end - start && !pending) {
        pending = setTimeout(function () {
          pending = 0;
          if (sink && !closed) sink.onWritable();
        }, 0);
      }
      return n;
    },
    close(): void {
      if (closed) return;
      closed = true;
      sink = undefined;
      serial.removeAllListeners("data");
      if (pending) clearTimeout(pending);
      pending = 0;
    },
  };
}
