// The compact profile's AT link: one command at a time over the Uart.
//
// Framing: received bytes are copied into one line buffer allocated here; lines end at
// LF (found with native indexOf), trailing CRs are dropped, empty lines are skipped,
// echoes ("AT...") are checked (below), and an overlong line is discarded to
// its end. A line is examined in place with the getters (is, starts, int, text);
// nothing is allocated per byte or per line.
//
// A command is written from a transmit buffer allocated here, with back-pressure: what
// the Uart does not take now is written from onWritable. A command with a payload
// waits for CONNECT, then writes exactly the payload's bytes (data mode, AT+QSMTPBODY);
// an OK before its CONNECT cannot be its own (goes to `onUrc`).
// It ends with OK (code 0), ERROR (E_AT_ERROR), +CME/+CMS ERROR: <n> (n), NO CARRIER,
// or its deadline (E_TIMEOUT); information lines that start with its prefix go to the
// caller's line handler; every other line is unsolicited and goes to `onUrc`.
//
// Echo stays on: the module echoes each command byte as it received it, so the echo is
// compared with what was sent, and `echoed()` tells the caller whether they matched. A
// byte lost or changed on the way to the module (in an address, a password, a subject
// the module would otherwise take as it arrived) is caught that way.
//
// The compact profile's parts are closures over local state rather than classes: on
// Espruino every `this.` is five more bytes of source in RAM, a local is one.
import type { Clock, TimerHandle, Uart, UartSink } from "../platform/types.js";
import { E_AT_ERROR, E_CANCELLED, E_NO_CARRIER, E_TIMEOUT } from "../errors.js";

const LINE_MAX = 256;
// XS 13.3 (the engine of our tests) wraps a primitive string in a temporary object for
// every property read (`s.length`, `s.charCodeAt(i)`): two heap slots each, measured by
// bench (xs.compact.slotsPerByte). The function read once and called with `.call`
// allocates nothing, and past the end it returns NaN, which ends the loops below instead
// of `length`. It is read from a value, not from String.prototype: Espruino keeps its
// built-ins on the values (String.prototype.charCodeAt is undefined there).
const codeAt = "".charCodeAt;
const TX_MAX = 560; // the longest command: AT+QSMTPCFG="account" with two 50-byte fields, or 200 hex subject chars

/** Told about lines: information lines of the command, or unsolicited ones. */
export type LineHandler = (link: AtLink) => void;
/** Told once when a command ends: 0 for OK, else the error code. */
export type EndHandler = (code: number) => void;

export interface AtLink extends UartSink {
  /**
   * Write "AT" + `command` + CR. `prefix` ("+CSQ:") selects information lines for
   * `onInfo`; `payload` makes it a data-mode command. Returns false when a command
   * is already running (the caller's bug: nothing is written).
   */
  send(command: string, prefix: string, timeoutMs: number, payload: Uint8Array | null, onInfo: LineHandler | null, onEnd: EndHandler): boolean;
  /** A command is running. */
  busy(): boolean;
  /** End the running command now with E_CANCELLED (module reboot, close). */
  cancel(): void;
  // Getters over the current line (valid only inside a handler):
  /** The line is exactly `text`. */
  is(text: string): boolean;
  /** The line begins with `text`. */
  starts(text: string): boolean;
  /** The integer in comma-separated field `field` (0 = first) after the ':' of "+XXX: a,b,c"; NaN when missing. */
  int(field: number): number;
  /** The line from byte `from` to `cut` bytes before its end, as a string (allocates: for rare lines only). */
  text(from: number, cut: number): string;
  /**
   * The running (or last) command's echo matched what was sent. False when it differed
   * or, once `echo` is set, when no echo came at all.
   */
  echoed(): boolean;
  /**
   * The module echoes commands: set when an echo matched (and by the owner after ATE1),
   * cleared when a command ended with no echo at all (echo has gone) and by the owner after a reboot.
   */
  echo: boolean;
  /** Unsolicited lines (set by the owner). */
  onUrc: LineHandler | null;
  /** Commands written since creation. */
  written: number;
}

export function createAtLink(uart: Uart, clock: Clock): AtLink {
  const line = new Uint8Array(LINE_MAX);
  const tx = new Uint8Array(TX_MAX);
  let len = 0; //   bytes in `line`; -1 while an overlong line is skipped to its end
  let n = 0; //     line length while a handler runs
  let out: Uint8Array | null = null;
  let outPos = 0;
  let outEnd = 0;
  let payload: Uint8Array | null = null;
  let prefix = "";
  let onInfo: LineHandler | null = null;
  let onEnd: EndHandler | null = null;
  let timer: TimerHandle = null;
  let sentLen = 0; // "AT" + command, without the CR
  let echoState = 0; // the command's echo: 0 not seen, 1 same as sent, 2 different
  let garbled = false; // the last command's echo check failed

  function starts(text: string): boolean {
    for (let i = 0; ; i++) {
      const c = codeAt.call(text, i);
      if (c !== c) return true;
      if (i >= n || line[i] !== c) return false;
    }
  }

  function is(text: string): boolean {
    return starts(text) && codeAt.call(text, n - 1) >= 0; // a prefix as long as the line
  }

  function int(field: number): number {
    let i = 0;
    while (i < n && line[i] !== 0x3a) i++; // ':'
    i++;
    while (field > 0 && i < n) if (line[i++] === 0x2c) field--; // ','
    while (i < n && line[i] === 0x20) i++;
    let v = NaN;
    while (i < n && line[i] >= 0x30 && line[i] <= 0x39) v = (v === v ? v * 10 : 0) + line[i++] - 0x30;
    return v;
  }

  function text(from: number, cut: number): string {
    let s = "";
    for (let i = from; i < n - cut; i++) s += String.fromCharCode(line[i]);
    return s;
  }

  /** Write bytes[outPos..end) as far as the Uart takes them; the rest from onWritable. */
  function write(bytes: Uint8Array, end: number): void {
    if (out !== bytes) {
      out = bytes;
      outPos = 0;
      outEnd = end;
    }
    while (outPos < end) {
      const k = uart.write(bytes, outPos, end);
      if (k <= 0) return;
      outPos += k;
    }
    out = null;
  }

  function end(code: number): void {
    const done = onEnd;
    if (!done) return;
    // Judged now, once: a differing echo, or none while echo is known on. A command that
    // ended without any echo means the module's echo has gone (a reset we missed, a glitch):
    // it is reported once, and the next commands are not expected to echo (as the full
    // engine does); an echo seen again turns the expectation back on.
    garbled = echoState === 2 || (echoState === 0 && link.echo);
    if (echoState === 0 && code !== E_TIMEOUT) link.echo = false;
    onEnd = onInfo = null;
    payload = out = null;
    clock.clearTimer(timer);
    timer = null;
    done(code);
  }

  function expire(): void {
    timer = null;
    end(E_TIMEOUT);
  }

  function dispatch(): void {
    const c0 = line[0]; // the first byte picks the few comparisons worth making
    if (c0 === 0x41 && starts("AT")) {
      // An echo: compared with the command in flight (a stale one never matches it).
      let same = onEnd !== null && n === sentLen;
      for (let i = 0; same && i < n; i++) same = line[i] === tx[i];
      if (echoState !== 1) echoState = same ? 1 : 2;
      if (same) link.echo = true;
      return;
    }
    if (onEnd) {
      if (c0 === 0x4f && !payload && is("OK")) return end(0); // an OK before CONNECT is an old one: the payload is not written yet
      if (c0 === 0x45 && is("ERROR")) return end(E_AT_ERROR);
      if (c0 === 0x2b && (starts("+CME ERROR:") || starts("+CMS ERROR:"))) {
        // A text (a module that kept AT+CMEE=2) is read as a plain ERROR: the texts' table does
        // not fit the Espruino bundle (docs/profiles.md); the SIM's busy window is polled through it.
        const code = int(0);
        return end(code === code ? code : E_AT_ERROR);
      }
      if (c0 === 0x4e && is("NO CARRIER")) return end(E_NO_CARRIER);
      if (c0 === 0x43 && payload && is("CONNECT")) {
        const p = payload;
        payload = null;
        return write(p, p.length);
      }
      if (prefix !== "" && starts(prefix)) {
        if (onInfo) onInfo(link);
        return;
      }
    }
    if (link.onUrc) link.onUrc(link);
  }

  const link: AtLink = {
    send(command: string, pfx: string, timeoutMs: number, data: Uint8Array | null, info: LineHandler | null, done: EndHandler): boolean {
      if (onEnd) return false;
      let k = 0;
      for (let c = codeAt.call(command, 0); c === c; c = codeAt.call(command, ++k)) {
        if (k + 3 >= TX_MAX) return false;
        tx[k + 2] = c;
      }
      tx[0] = 0x41;
      tx[1] = 0x54;
      tx[k + 2] = 0x0d;
      sentLen = k + 2;
      echoState = 0;
      prefix = pfx;
      payload = data;
      onInfo = info;
      onEnd = done;
      link.written++;
      timer = clock.setTimer(timeoutMs, expire);
      write(tx, k + 3);
      return true;
    },
    busy: () => onEnd !== null,
    cancel: () => end(E_CANCELLED),
    is: is,
    starts: starts,
    int: int,
    text: text,
    onBytes(data: Uint8Array, start: number, stop: number): void {
      while (start < stop) {
        let lf = data.indexOf(0x0a, start);
        if (lf < 0 || lf >= stop) lf = stop;
        let m = len;
        if (m >= 0) {
          if (m + lf - start > LINE_MAX) m = -1;
          else for (let i = start; i < lf; i++) line[m++] = data[i];
        }
        start = lf + 1;
        if (lf === stop) {
          len = m;
          return;
        }
        len = 0;
        while (m > 0 && line[m - 1] === 0x0d) m--;
        if (m > 0) {
          n = m;
          dispatch();
        }
      }
    },
    onWritable(): void {
      if (out) write(out, outEnd);
    },
    echoed: () => !garbled,
    echo: false,
    onUrc: null,
    written: 0,
  };
  uart.attach(link);
  return link;
}
