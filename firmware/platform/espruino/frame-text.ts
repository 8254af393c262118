// The compact link's framing on Espruino (firmware/compact/framing.ts says what it
// promises): the serial port hands over strings, and the lines are cut from them with
// native string methods, a few statements per line and none per byte. Espruino parses its
// source again for every statement it runs, so this is where its time goes; a line kept
// as a string is freed (reference counting) as soon as the next one replaces it.
//
// Lines end at LF (never found with indexOf("\r\n"): on Espruino 2v29 indexOf also
// matches a needle whose start ends the string, "ab\r".indexOf("\r\n") is 2). A chunk
// whose text is too short to hold an overlong line (nearly all) is cut by one native
// split on /\r*\n/, which drops the CRs too, and costs one statement per line; a longer
// one goes through long(), which measures each line with its CRs as the byte framing does.
// Statements are what costs on Espruino: about 4 us each on a PC, whatever they do.
// A command is encoded by the port's native conversion (E.toUint8Array on Espruino).
import type { TextUart } from "../types.js";
import { LINE_MAX, TX_MAX, type Framing } from "../../compact/framing.js";

/** A line end with the CRs before it (regular expressions without alternation are reliable on Espruino). */
const LF = /\r*\n/;
const CRS = /\r+$/;

export function createTextFraming(uart: TextUart): Framing {
  let rest = ""; // the start of a line whose end has not come yet
  let skip = false; // an overlong line is being dropped to its end
  let l = ""; //    the line being handled
  let sent = ""; // "AT" + the last command
  let on = (): void => {}; // the link's line handler
  /** The rare text that may hold an overlong line: each line is measured with its CRs, as the byte framing does. */
  function long(s: string): void {
    const p = s.split("\n");
    rest = p.pop() as string;
    for (const t of p) {
      if (skip || t.length > LINE_MAX) skip = false;
      else if ((l = t.replace(CRS, ""))) on();
    }
    if (rest.length > LINE_MAX) {
      skip = true;
      rest = "";
    }
  }
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
      on = onLine;
      uart.attach({
        onText(chunk: string): void {
          const s = rest + chunk;
          if (skip || s.length > LINE_MAX) return long(s);
          // No line here can be overlong: one native split cuts the lines and drops their CRs.
          const p = s.split(LF);
          rest = p.pop() as string;
          for (const t of p) {
            if (t) {
              l = t;
              on();
            }
          }
        },
        onWritable: onWritable,
      });
    },
  };
  return f;
}
