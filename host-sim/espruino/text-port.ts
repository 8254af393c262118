// What Espruino's serial port looks like to the firmware, made from a byte Uart on Node:
// received bytes arrive as strings of 8-bit characters (latin1), as Espruino delivers
// them, so the Espruino framing (firmware/platform/espruino/frame-text.ts) runs here on
// the simulated module (RunSessionOptions.framing "text"; the scenario suite runs the byte
// framing that XS and Node boards run: test/scenarios/compositions.test.ts).
import type { TextSink, TextUart, Uart } from "../../firmware/platform/types.js";

export function textPort(uart: Uart): TextUart {
  return {
    attach(sink: TextSink): void {
      uart.attach({
        onBytes: (data, start, end) => sink.onText(Buffer.from(data.buffer, data.byteOffset + start, end - start).toString("latin1")),
        onWritable: () => sink.onWritable(),
      });
    },
    write: (data, start, end) => uart.write(typeof data === "string" ? Uint8Array.from(Buffer.from(data, "latin1")) : data, start, end),
    close: () => uart.close(),
  };
}
