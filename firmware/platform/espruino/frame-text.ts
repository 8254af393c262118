// The compact link's framing on Espruino (firmware/compact/framing.ts says what it
// promises): the serial port hands over strings, and the lines are cut from them with
// native string methods, a few statements per line and none per byte. Espruino parses its
// source again for every statement it runs, so this is where its time goes; a line kept
// as a string is freed (reference counting) as soon as the next one replaces it.
//
// Lines are cut at "\n" only: on Espruino 2v29, indexOf also matches a needle whose start
// ends the string ("ab\r".indexOf("\r\n") is 2), so a chunk that ends between CR and LF
// would cut a line too early; a one-character needle cannot be matched in part.
// A command is encoded by the port's native conversion (E.toUint8Array on Espruino).
import type { TextUart } from "../types.js";
import { LINE_MAX, TX_MAX, type Framing } from "../../compact/framing.js";

export function createTextFraming(uart: TextUart): Framing {
  let rest = ""; // the start of a line whose end has not come yet
  let skip = false; // an overlong line is being dropped to its end
  let l = ""; //    the line being handled
  let sent = ""; // "AT" + the last command
  const f: Framing = {
    is: (text: string) => l === text,
    starts: (text: string) => l.startsWith(text),
    int(field: number): number {
      let i = l.indexOf(":");
      if (i < 0) return NaN;
      while (field-- > 0 && i >= 0) i = l.indexOf(",", i + 1);
      if (i < 0) return NaN;
      while (l.charCodeAt(++i) === 0x20);
      const c = l.charCodeAt(i);
      return c >= 0x30 && c <= 0x39 ? parseInt(l.substr(i), 10) : NaN;
    },
    text: (from: number, cut: number) => (from < l.length - cut ? l.substring(from, l.length - cut) : ""),
    first: () => l.charCodeAt(0),
    echo: () => l === sent,
    encode(command: string): number {
      sent = "AT" + command;
      if (sent.length + 1 >= TX_MAX) return 0;
      f.out = uart.bytes(sent + "\r");
      return f.out.length;
    },
    out: new Uint8Array(0),
    write: (data: Uint8Array, start: number, end: number) => uart.write(data, start, end),
    attach(onLine: () => void, onWritable: () => void): void {
      uart.attach({
        onText(chunk: string): void {
          let s = rest + chunk;
          let lf = s.indexOf("\n");
          while (lf >= 0) {
            let e = lf;
            while (e > 0 && s.charCodeAt(e - 1) === 0x0d) e--;
            if (skip || lf > LINE_MAX) skip = false;
            else if (e > 0) {
              l = s.substring(0, e);
              onLine();
            }
            s = s.substring(lf + 1);
            lf = s.indexOf("\n");
          }
          if (s.length > LINE_MAX) {
            skip = true;
            s = "";
          }
          rest = s;
        },
        onWritable: onWritable,
      });
    },
  };
  return f;
}
