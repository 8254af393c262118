// The compact profile's AT link: one command at a time over the Uart.
//
// Framing: received bytes are copied into one line buffer allocated here; lines end at
// LF (found with native indexOf), a trailing CR is dropped, empty lines and echoes
// ("AT..." while echo is still on) are skipped, and an overlong line is discarded to
// its end. A line is examined in place with the getters below (is, starts, int, text);
// nothing is allocated per byte or per line.
//
// A command is written from a transmit buffer allocated here, with back-pressure: what
// the Uart does not take now is written from onWritable. A command with a payload
// waits for CONNECT, then writes exactly the payload's bytes (data mode, AT+QSMTPBODY).
// It ends with OK (code 0), ERROR (E_AT_ERROR), +CME/+CMS ERROR: <n> (n), NO CARRIER,
// or its deadline (E_TIMEOUT); information lines that start with its prefix go to the
// caller's line handler; every other line is unsolicited and goes to the URC handler.
import type { Clock, TimerHandle, Uart, UartSink } from "../platform/types.js";
import { E_AT_ERROR, E_CANCELLED, E_NO_CARRIER, E_TIMEOUT } from "../errors.js";

const LINE_MAX = 256;
const TX_MAX = 560; // the longest command: AT+QSMTPCFG="account" with two 50-byte fields, or 200 hex subject chars

/** Told about lines: information lines of the command, or unsolicited ones. */
export type LineHandler = (link: AtLink) => void;
/** Told once when a command ends: 0 for OK, else the error code. */
export type EndHandler = (code: number) => void;

export class AtLink implements UartSink {
  private readonly uart: Uart;
  private readonly clock: Clock;
  private readonly line: Uint8Array;
  private readonly tx: Uint8Array;
  /** Bytes in `line`; -1 while an overlong line is skipped to its end. */
  private len: number;
  /** Line length while a handler runs (the getters read line[0..n)). */
  private n: number;
  private out: Uint8Array | null;
  private outPos: number;
  private outEnd: number;
  private payload: Uint8Array | null;
  private prefix: string;
  private onInfo: LineHandler | null;
  private onEnd: EndHandler | null;
  private timer: TimerHandle;
  private readonly expire: () => void;
  /** Unsolicited lines (set by the owner). */
  onUrc: LineHandler | null;
  /** Commands written since creation. */
  written: number;

  constructor(uart: Uart, clock: Clock) {
    this.uart = uart;
    this.clock = clock;
    this.line = new Uint8Array(LINE_MAX);
    this.tx = new Uint8Array(TX_MAX);
    this.len = 0;
    this.n = 0;
    this.out = null;
    this.outPos = 0;
    this.outEnd = 0;
    this.payload = null;
    this.prefix = "";
    this.onInfo = null;
    this.onEnd = null;
    this.timer = null;
    this.onUrc = null;
    this.written = 0;
    this.expire = () => {
      this.timer = null;
      this.end(E_TIMEOUT);
    };
    uart.attach(this);
  }

  /**
   * Write "AT" + `command` + CR. `prefix` ("+CSQ:") selects information lines for
   * `onInfo`; `payload` makes it a data-mode command. Returns false when a command
   * is already running (the caller's bug: nothing is written).
   */
  send(command: string, prefix: string, timeoutMs: number, payload: Uint8Array | null, onInfo: LineHandler | null, onEnd: EndHandler): boolean {
    if (this.onEnd) return false;
    const tx = this.tx;
    const n = command.length;
    if (n + 3 > TX_MAX) return false;
    tx[0] = 0x41;
    tx[1] = 0x54;
    for (let i = 0; i < n; i++) tx[i + 2] = command.charCodeAt(i);
    tx[n + 2] = 0x0d;
    this.prefix = prefix;
    this.payload = payload;
    this.onInfo = onInfo;
    this.onEnd = onEnd;
    this.written++;
    this.timer = this.clock.setTimer(timeoutMs, this.expire);
    this.write(tx, n + 3);
    return true;
  }

  /** A command is running. */
  busy(): boolean {
    return this.onEnd !== null;
  }

  /** End the running command now with E_CANCELLED (module reboot, close). */
  cancel(): void {
    this.end(E_CANCELLED);
  }

  // ---- getters over the current line (valid only inside a handler)

  /** The line is exactly `text`. */
  is(text: string): boolean {
    return text.length === this.n && this.starts(text);
  }

  /** The line begins with `text`. */
  starts(text: string): boolean {
    const k = text.length;
    if (k > this.n) return false;
    for (let i = 0; i < k; i++) if (this.line[i] !== text.charCodeAt(i)) return false;
    return true;
  }

  /**
   * The integer in comma-separated field `field` (0 = first) after the ": " of a
   * "+XXX: a,b,c" line; NaN when the field is missing or not a number.
   */
  int(field: number): number {
    const b = this.line;
    const n = this.n;
    let i = 0;
    while (i < n && b[i] !== 0x3a) i++; // ':'
    i++;
    while (field > 0 && i < n) if (b[i++] === 0x2c) field--; // ','
    while (i < n && b[i] === 0x20) i++;
    let v = NaN;
    while (i < n && b[i] >= 0x30 && b[i] <= 0x39) v = (v === v ? v * 10 : 0) + b[i++] - 0x30;
    return v;
  }

  /** The line from byte `from` to `cut` bytes before its end, as a string (allocates: for rare lines only). */
  text(from: number, cut: number): string {
    let s = "";
    for (let i = from; i < this.n - cut; i++) s += String.fromCharCode(this.line[i]);
    return s;
  }

  // ---- UartSink

  onBytes(data: Uint8Array, start: number, end: number): void {
    const b = this.line;
    while (start < end) {
      let lf = data.indexOf(0x0a, start);
      if (lf < 0 || lf >= end) lf = end;
      let len = this.len;
      if (len >= 0) {
        if (len + lf - start > LINE_MAX) len = -1;
        else for (let i = start; i < lf; i++) b[len++] = data[i];
      }
      start = lf + 1;
      if (lf === end) {
        this.len = len;
        return;
      }
      this.len = 0;
      if (len > 0 && b[len - 1] === 0x0d) len--;
      if (len > 0) {
        this.n = len;
        this.dispatch();
      }
    }
  }

  onWritable(): void {
    if (this.out) this.write(this.out, this.outEnd);
  }

  // ---- inside

  private dispatch(): void {
    if (this.starts("AT")) return; // echo (before ATE0)
    if (this.onEnd) {
      if (this.is("OK")) return this.end(0);
      if (this.is("ERROR")) return this.end(E_AT_ERROR);
      if (this.starts("+CME ERROR:") || this.starts("+CMS ERROR:")) {
        const code = this.int(0);
        return this.end(code === code ? code : E_AT_ERROR);
      }
      if (this.is("NO CARRIER")) return this.end(E_NO_CARRIER);
      if (this.payload && this.is("CONNECT")) {
        const p = this.payload;
        this.payload = null;
        return this.write(p, p.length);
      }
      if (this.prefix !== "" && this.starts(this.prefix)) {
        if (this.onInfo) this.onInfo(this);
        return;
      }
    }
    if (this.onUrc) this.onUrc(this);
  }

  /** Write bytes[from outPos to end) as far as the Uart takes them. */
  private write(bytes: Uint8Array, end: number): void {
    if (this.out !== bytes) {
      this.out = bytes;
      this.outPos = 0;
      this.outEnd = end;
    }
    while (this.outPos < end) {
      const k = this.uart.write(bytes, this.outPos, end);
      if (k <= 0) return;
      this.outPos += k;
    }
    this.out = null;
  }

  private end(code: number): void {
    const done = this.onEnd;
    if (!done) return;
    this.onEnd = null;
    this.onInfo = null;
    this.payload = null;
    this.out = null;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    done(code);
  }
}
