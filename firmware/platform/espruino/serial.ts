// Espruino adapter: a TextUart over a hardware serial port (Serial1, Serial2, ...; on
// Linux, any device file given as `path`).
//
// Receive: Espruino hands over strings of 8-bit characters, about 32 at a time; each
// chunk goes to the sink as it came (the compact link frames it with native string
// methods: frame-text.ts). Copying it into bytes character by character was the
// slowest thing this adapter did (bench espruino.mail.handlerMsPerMail). Transmit: bytes go
// out as a Uint8Array, so a byte above 0x7F is sent as that byte (never as a string
// escape); a command goes out as the string it is (8-bit characters), the cheaper write. Serial.write busy-waits when Espruino's TX
// buffer is full, so the adapter takes at most `txChunk` bytes per call and, when it
// took less than offered, lets the event loop run (incoming data, timers) before
// telling the sink there is room again.
//
// Espruino's adapters are closures over locals (as the compact profile is): the bundle
// must fit 16 KB, and every `this.` costs bytes there.
import type { TextSink, TextUart } from "../types.js";

export interface EspruinoUartOptions {
  serial: EspruinoSerial;
  baud: number;
  rx?: EspruinoPin;
  tx?: EspruinoPin;
  /** Espruino on Linux: the serial device file (the setting lteDevice). */
  path?: string;
  /** Most bytes written per call. Default 64. */
  txChunk?: number;
}

export function createEspruinoUart(options: EspruinoUartOptions): TextUart {
  const serial = options.serial;
  const txChunk = options.txChunk || 64;
  let sink: TextSink | undefined;
  let pending = 0;
  let closed = false;
  const setup: EspruinoSerialOptions = {};
  if (options.rx !== undefined) setup.rx = options.rx;
  if (options.tx !== undefined) setup.tx = options.tx;
  if (options.path) setup.path = options.path;
  serial.setup(options.baud, setup);
  return {
    // The sink's onText is the port's data handler itself: one call less per chunk.
    attach(s: TextSink): void {
      sink = s;
      serial.on("data", s.onText);
    },
    write(data: Uint8Array | string, start: number, end: number): number {
      let n = end - start;
      if (n > txChunk) n = txChunk;
      if (closed || n <= 0) return 0;
      // A part: of a string, a string; of bytes, a view (slice() gives a plain Array on Espruino).
      serial.write(start || n < data.length ? (typeof data === "string" ? data.substr(start, n) : data.subarray(start, start + n)) : data);
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
