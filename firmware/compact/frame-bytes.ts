// The compact link's framing over a byte Uart (XS, Node): Framing in platform/types.ts
// says what it promises. Received bytes are copied into one line buffer allocated here (its end,
// a CR or an LF, found with native indexOf); a line is read in place; a command is encoded into
// one transmit buffer allocated here. Nothing is allocated per byte or per line.
import type { Uart } from "../platform/types.js";
import { LINE_MAX, TX_MAX, type Framing } from "../platform/types.js";

// XS 13.3 (the engine of our tests) wraps a primitive string in a temporary object for
// every property read (`s.length`, `s.charCodeAt(i)`): two heap slots each, measured by
// bench (xs.compact.slotsPerByte). The function read once and called with `.call`
// allocates nothing, and past the end it returns NaN, which ends the loops below instead
// of `length`. It is read from a value, not from a prototype: Espruino keeps its
// built-ins on the values and has none on String's prototype.
const codeAt = "".charCodeAt;

export function createByteFraming(uart: Uart): Framing {
  const line = new Uint8Array(LINE_MAX);
  const tx = new Uint8Array(TX_MAX);
  let len = 0; //   bytes in `line`; -1 while an overlong line is skipped to its end
  let n = 0; //     line length while a line is handled
  let sentLen = 0; // "AT" + command, without the CR
  let on: () => void; // the link's line handler

  function starts(text: string): boolean {
    for (let i = 0; ; i++) {
      const c = codeAt.call(text, i);
      if (c !== c) return true;
      if (i >= n || line[i] !== c) return false;
    }
  }

  return {
    is: (text: string) => starts(text) && codeAt.call(text, n - 1) >= 0, // a prefix as long as the line
    starts: starts,
    int(field: number): number {
      let i = 0;
      while (i < n && line[i] !== 0x3a) i++; // ':'
      i++;
      while (field > 0 && i < n) if (line[i++] === 0x2c) field--; // ','
      while (i < n && line[i] === 0x20) i++;
      let v = NaN;
      while (i < n && line[i] >= 0x30 && line[i] <= 0x39) v = (v === v ? v * 10 : 0) + line[i++] - 0x30;
      return v;
    },
    text(from: number, cut: number): string {
      let s = "";
      for (let i = from; i < n - cut; i++) s += String.fromCharCode(line[i]);
      return s;
    },
    first: () => line[0],
    echo(): boolean {
      // Earlier tries' echoes glued in front ("AT+X\rAT+X") are lines of their own (ended()).
      let same = n === sentLen;
      for (let i = 0; same && i < sentLen; i++) same = line[i] === tx[i];
      return same;
    },
    encode(command: string): number {
      let k = 0;
      for (let c = codeAt.call(command, 0); c === c; c = codeAt.call(command, ++k)) {
        if (k + 3 >= TX_MAX) return 0;
        tx[k + 2] = c;
      }
      tx[0] = 0x41;
      tx[1] = 0x54;
      tx[k + 2] = 0x0d;
      sentLen = k + 2;
      return k + 3;
    },
    out: tx,
    write: (data: Uint8Array, start: number, end: number) => uart.write(data, start, end),
    takeOpenLine(): void {
      if (len > 0) {
        n = len;
        on();
      }
      len = 0;
    },
    attach(onLine: () => void, onWritable: () => void): void {
      on = onLine;
      uart.attach({
        onBytes(data: Uint8Array, start: number, stop: number): void {
          while (start < stop) {
            // The next line end: a CR or an LF, whichever comes first (two native scans).
            let end = data.indexOf(0x0d, start);
            const lf = data.indexOf(0x0a, start);
            if (end < 0 || (lf >= 0 && lf < end)) end = lf;
            if (end < 0 || end > stop) end = stop;
            let m = len;
            if (m >= 0) {
              if (m + end - start > LINE_MAX) m = -1;
              else for (let i = start; i < end; i++) line[m++] = data[i];
            }
            start = end + 1;
            if (end === stop) {
              len = m;
              return;
            }
            len = 0;
            if (m > 0) {
              n = m;
              on();
            }
          }
        },
        onWritable: onWritable,
      });
    },
  };
}
