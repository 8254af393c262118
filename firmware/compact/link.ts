// The compact profile's AT link: one command at a time over a Framing (platform/types.ts: the
// bytes framing for XS and Node, the text framing on Espruino), which turns received
// data into lines and commands into bytes. A line is examined through the getters (is,
// starts, int, text), which are the framing's.
//
// A command is written with back-pressure: what the port does not take now is written
// from onWritable. A command with a payload waits for CONNECT, then writes exactly the
// payload's bytes (data mode, AT+QSMTPBODY); an OK before its CONNECT cannot be its own
// (goes to `onUrc`). It ends with OK (code 0), ERROR (E_AT_ERROR), +CME/+CMS ERROR: <n>
// (n), NO CARRIER, or its deadline (E_TIMEOUT); information lines that start with its
// prefix go to the caller's line handler; every other line is unsolicited and goes to
// `onUrc`.
//
// Echo stays on: the module echoes each command byte as it received it, so the echo is
// compared with what was sent, and `echoed()` tells the caller whether they matched. A
// byte lost or changed on the way to the module (in an address, a password, a subject
// the module would otherwise take as it arrived) is caught that way.
//
// The compact profile's parts are closures over local state rather than classes: on
// Espruino every `this.` is five more bytes of source in RAM, a local is one.
import type { Clock, TimerHandle } from "../platform/types.js";
import { E_AT_ERROR, E_CANCELLED, E_NO_CARRIER, E_TIMEOUT } from "../errors.js";
import { PROMPT_MS } from "../at/types.js";
import type { Chunk, Framing, LineReader } from "../platform/types.js";

/** Told about lines: information lines of the command, or unsolicited ones. */
export type LineHandler = (link: AtLink) => void;
/** Told once when a command ends: 0 for OK, else the error code. */
export type EndHandler = (code: number) => void;

export interface AtLink extends LineReader {
  /**
   * Write "AT" + `command` + CR. `prefix` ("+CSQ:", a '+' first, or "" for none) selects information lines for
   * `onInfo`; `payload` makes it a data-mode command. Returns false when a command
   * is already running (the caller's bug: nothing is written).
   */
  send(command: string, prefix: string, timeoutMs: number, payload: Uint8Array | null, onInfo: LineHandler | null, onEnd: EndHandler): boolean;
  /** A command is running. */
  busy(): boolean;
  /** End the running command now with E_CANCELLED (module reboot, close). */
  cancel(): void;
  // The getters over the current line (valid only inside a handler) are the framing's.
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
  /** The owner's wait ended: a line whose LF was lost ends now (Framing.takeOpenLine; the link does it at a command's deadline itself). */
  takeOpenLine(): void;
}

export function createAtLink(f: Framing, clock: Clock): AtLink {
  let out: Chunk | null = null;
  let outPos = 0;
  let outEnd = 0;
  let payload: Uint8Array | null = null;
  let prefix = "";
  let onInfo: LineHandler | null = null;
  let onEnd: EndHandler | null = null;
  let timer: TimerHandle = null;
  let sentAt = 0; // when the command was written
  let echoState = 0; // the command's echo: 0 not seen, 1 same as sent, 2 different
  let garbled = false; // the last command's echo check failed

  /** Write bytes[outPos..end) as far as the port takes them; the rest from onWritable. */
  function write(bytes: Chunk, end: number): void {
    if (out !== bytes) {
      out = bytes;
      outPos = 0;
      outEnd = end;
    }
    while (outPos < end) {
      const k = f.write(bytes, outPos, end);
      if (k <= 0) return;
      outPos += k;
    }
    out = null;
  }

  function end(code: number): void {
    const done = onEnd;
    if (!done) return;
    // Judged now, once: a differing echo, or none while echo is known on. A command that
    // ended without any echo, by a result or by its deadline, means the module's echo has
    // gone (a reset we missed, a glitch): it is reported once, and the next commands are not
    // expected to echo (as the full engine does); an echo seen again turns the expectation
    // back on. (A timeout that kept the expectation made the answer of the next try, correct
    // but echoless, a garbled one, and the whole run was done again.)
    garbled = echoState === 2 || (echoState === 0 && link.echo);
    if (echoState === 0) link.echo = false;
    onEnd = onInfo = null;
    payload = out = null;
    clock.clearTimer(timer);
    timer = null;
    done(code);
  }

  function expire(): void {
    timer = null;
    // A line whose LF was lost ends first (it may be this command's OK). If that ended the
    // command, the timer is the next command's or none.
    f.takeOpenLine();
    if (!timer) end(E_TIMEOUT);
  }

  // A line is routed by the few comparisons its first byte makes worth trying. On Espruino
  // a function's whole text is read on every call, the statements after a `return`
  // included, so the lines of every command (its echo, OK, an information line) are
  // decided in the short `dispatch`, and the rest (errors, CONNECT, unsolicited lines) in
  // `other` (bench espruino.mail.handlerMsPerMail).
  function dispatch(): void {
    const c0 = f.first();
    if (onEnd) {
      if (c0 === 0x4f && !payload && f.is("OK")) return end(0); // an OK before CONNECT is an old one: the payload is not written yet
      if (c0 === 0x2b && prefix !== "" && f.starts(prefix)) {
        // The command's own answer: no CONNECT comes any more (a damaged one: the module's input
        // time has run out), and the OK after it ends the command.
        payload = null;
        if (onInfo) onInfo(link);
        return;
      }
    }
    if (c0 === 0x41 && f.starts("AT")) {
      // An echo: compared with the command in flight (a stale one never matches it).
      if (onEnd && f.echo()) {
        echoState = 1;
        link.echo = true;
      } else if (echoState !== 1) echoState = 2;
    } else other(c0);
  }

  function other(c0: number): void {
    if (onEnd) {
      if (c0 === 0x45 && f.is("ERROR")) return end(E_AT_ERROR);
      if (c0 === 0x2b && (f.starts("+CME ERROR:") || f.starts("+CMS ERROR:"))) {
        // A text (a module that kept AT+CMEE=2) is read as a plain ERROR: the texts' table does
        // not fit the Espruino bundle (docs/profiles.md); the SIM's busy window is polled through it.
        const code = f.int(0);
        return end(code === code ? code : E_AT_ERROR);
      }
      if (c0 === 0x4e && f.is("NO CARRIER")) return end(E_NO_CARRIER);
      if (c0 === 0x43 && payload && f.is("CONNECT")) {
        const p = payload;
        payload = null;
        // Only soon after the command (PROMPT_MS, at/types.ts): a late CONNECT lost its line end
        // and the module has left data mode, so nothing is written and its answer ends the command.
        if (clock.now() - sentAt < PROMPT_MS) write(p, p.length);
        return;
      }
    }
    if (link.onUrc) link.onUrc(link);
  }

  const link: AtLink = {
    send(command: string, pfx: string, timeoutMs: number, data: Uint8Array | null, info: LineHandler | null, done: EndHandler): boolean {
      if (onEnd) return false;
      const k = f.encode(command);
      if (!k) return false;
      echoState = 0;
      prefix = pfx;
      payload = data;
      onInfo = info;
      onEnd = done;
      link.written++;
      sentAt = clock.now();
      timer = clock.setTimer(timeoutMs, expire);
      write(f.out, k);
      return true;
    },
    busy: () => onEnd !== null,
    cancel: () => end(E_CANCELLED),
    is: f.is,
    starts: f.starts,
    int: f.int,
    text: f.text,
    echoed: () => !garbled,
    echo: false,
    onUrc: null,
    written: 0,
    takeOpenLine: f.takeOpenLine, // the framings' methods do not use `this`
  };
  f.attach(dispatch, () => {
    if (out) write(out, outEnd);
  });
  return link;
}
