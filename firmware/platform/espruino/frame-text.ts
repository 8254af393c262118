// The compact link's framing on Espruino (Framing in platform/types.ts says what it
// promises): the serial port hands over strings, and the lines are cut from them with
// native string methods, a few statements per line and none per byte. Espruino parses its
// source again for every statement it runs, so this is where its time goes; a line kept
// as a string is freed (reference counting) as soon as the next one replaces it.
//
// Every CR and every LF ends a line, at once (the module's CR LF ends one line and leaves an
// empty one, which is skipped), as the full engine frames lines: one native chain of
// split/join/split finds them all, and the usual text (too short to hold an overlong line)
// costs one statement per piece. A CR whose LF was lost ends its line without waiting for the
// LF: after CONNECT the module says nothing until the payload has come, so a CONNECT that
// waited for its LF would be read only after the module's input time, and the payload would
// reach its command parser. Never indexOf("\r\n"): on Espruino 2v29 indexOf also matches a
// needle whose start ends the string ("ab\r".indexOf("\r\n") is 2). No regular expressions
// (DESIGN.md section 3).
// Statements are what costs on Espruino: about 4 us each on a PC, whatever they do.
// A command is written as a string: Espruino's serial port takes one for about half what a
// Uint8Array costs it, and nothing is converted (bench espruino.mail.handlerMsPerMail).
import { LINE_MAX, TX_MAX, type Framing, type TextUart } from "../types.js";

export function createTextFraming(uart: TextUart): Framing {
  let rest = ""; // the start of a line whose end has not come yet (no CR or LF in it)
  let skip = false; // an overlong line is being dropped to its end
  let l = ""; //    the line being handled
  let sent = ""; // "AT" + the last command: its echo
  let on: () => void; //  the link's line handler
  /**
   * The text that came (after `rest`): each line that a CR or an LF has ended is handed over,
   * in order, and what follows the last line end is kept.
   */
  function take(chunk: string): void {
    const s = rest + chunk;
    const q = s.split("\n").join("\r").split("\r");
    rest = q.pop() as string;
    // Not inlined by the minifier (reduce_funcs, rollup.config.mjs): every piece of text
    // would then skip its source on Espruino.
    if (skip || s.length > LINE_MAX) return /*@__NOINLINE__*/ long(q);
    for (let u of q) {
      if (u) {
        l = u;
        on();
      }
    }
  }
  /**
   * The rare text (an overlong line may be in it or may have begun before it): each line
   * measured; one longer than LINE_MAX is dropped whole, to its end in a later piece.
   */
  function long(q: string[]): void {
    for (let u of q) {
      if (!skip && u && u.length <= LINE_MAX) {
        l = u;
        on();
      }
      skip = false;
    }
    if (skip || rest.length > LINE_MAX) {
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
    // slice, not substring: a line that ends before `from` gives "" (substring would swap the
    // two ends). `cut` is never more than a line's length (the one caller cuts 1).
    text: (from: number, cut: number) => l.slice(from, l.length - cut),
    first: () => l.charCodeAt(0),
    echo: () => l === sent, // earlier tries' echoes glued in front ("AT+X\rAT+X") are lines of their own
    encode(command: string): number {
      sent = "AT" + command;
      if (sent.length + 1 >= TX_MAX) return 0;
      f.out = sent + "\r";
      return sent.length + 1;
    },
    out: "",
    write: uart.write, // a TextUart's methods do not use `this`
    takeOpenLine: () => take("\n"),
    attach(onLine: () => void, onWritable: () => void): void {
      on = onLine;
      uart.attach({
        onText: take,
        onWritable: onWritable,
      });
    },
  };
  return f;
}
