// The compact link's framing on Espruino (Framing in platform/types.ts says what it
// promises): the serial port hands over strings, and the lines are cut from them with
// native string methods, a few statements per line and none per byte. Espruino parses its
// source again for every statement it runs, so this is where its time goes; a line kept
// as a string is freed (reference counting) as soon as the next one replaces it.
//
// Lines end at LF, and never found with indexOf("\r\n"): on Espruino 2v29 indexOf also
// matches a needle whose start ends the string ("ab\r".indexOf("\r\n") is 2); split()
// does not. The text before each LF is cut at its CRs too (cut(): an echo's own CR, or a
// line whose LF was lost on the UART). The usual chunk (lines ended by CR LF, the text too
// short to hold an overlong line) is cut by native splits and costs a few statements per
// line; any other goes through long(), which measures each line with its CRs as the byte
// framing does. No regular expressions (DESIGN.md section 3).
// Statements are what costs on Espruino: about 4 us each on a PC, whatever they do.
// A command is written as a string: Espruino's serial port takes one for about half what a
// Uint8Array costs it, and nothing is converted (bench espruino.mail.handlerMsPerMail).
import { LINE_MAX, TX_MAX, type Framing, type TextUart } from "../types.js";

export function createTextFraming(uart: TextUart): Framing {
  let rest = ""; // the start of a line whose end has not come yet
  let skip = false; // an overlong line is being dropped to its end
  let l = ""; //    the line being handled
  let sent = ""; // "AT" + the last command: its echo
  let on: () => void; //  the link's line handler
  /**
   * The text between two LFs: every CR in it ends a line too (an echo's own, "AT...\r", or
   * one whose LF was lost on the UART: "+CSQ: 20,99\r\rOK"); its non-empty lines, in order.
   */
  function cut(t: string): void {
    for (let u of t.split("\r")) {
      if (u) {
        l = u;
        on();
      }
    }
  }
  /**
   * Any text, each line measured with its CRs as the byte framing does (the rare case:
   * see onText); what is left after its last LF.
   */
  function long(s: string): string {
    let at = 0; //   where the current line starts in s
    let lf = s.indexOf("\n");
    while (lf >= 0) {
      if (skip || lf - at > LINE_MAX) skip = false;
      else cut(s.substring(at, lf));
      at = lf + 1;
      lf = s.indexOf("\n", at);
    }
    skip = skip || s.length - at > LINE_MAX;
    return skip ? "" : s.substring(at);
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
    echo: () => l === sent, // earlier tries' echoes glued in front ("AT+X\rAT+X") are lines of their own (cut)
    encode(command: string): number {
      sent = "AT" + command;
      if (sent.length + 1 >= TX_MAX) return 0;
      f.out = sent + "\r";
      return sent.length + 1;
    },
    out: "",
    write: uart.write, // a TextUart's methods do not use `this`
    takeOpenLine(): void {
      rest = long(rest + "\n");
    },
    attach(onLine: () => void, onWritable: () => void): void {
      on = onLine;
      uart.attach({
        onText(chunk: string): void {
          const s = rest + chunk;
          // No line end (a command's echo comes alone, its answer after it): kept whole for the
          // next piece, or measured in long() once it could be overlong.
          if (chunk.indexOf("\n") < 0 && s.length <= LINE_MAX) {
            rest = s;
            return;
          }
          const p = s.split("\r\n");
          // The usual text: every LF is the module's CR LF (none is left in the parts), and
          // it is too short to hold an overlong line. Then the split has cut every line.
          if (skip || s.length > LINE_MAX || p.join("").indexOf("\n") >= 0) {
            // Not inlined by the minifier (reduce_funcs, rollup.config.mjs): every piece of text
            // would then skip its source on Espruino.
            rest = /*@__NOINLINE__*/ long(s);
            return;
          }
          rest = p.pop() as string;
          for (let t of p) cut(t);
        },
        onWritable: onWritable,
      });
    },
  };
  return f;
}
