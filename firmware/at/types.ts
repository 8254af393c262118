// The AT engine's public contract: request shapes, result codes, the line view and
// byte sources. The modem driver and the mail job speak only this; the engine
// implementation (receive loop, the command in flight, queue, data mode) lives beside it.
//
// Everything here is ES2015 and allocation-aware: a Line is one reusable view owned
// by the engine, valid only during the callback that receives it, and strings are
// created only when a caller asks for one.

/** Response shapes, per command (FreeRTOS Cellular's idea: say what a reply looks like). */
export const SHAPE_NONE = 0; //     only a final result: OK / ERROR / +CME ERROR
export const SHAPE_LINE = 1; //     one information line starting with `prefix`, then the final result
export const SHAPE_LINES = 2; //    any number of `prefix` lines (zero allowed), then the final result
export const SHAPE_PROMPT = 3; //   CONNECT (or "> ": promptGt), then `data` is sent, then `prefix` line(s), then the final result
export const SHAPE_DEFERRED = 4; // OK at once; the real outcome arrives later as a URC the caller handles
/**
 * A CONNECT is taken only this soon after its command was written (both AT layers). The module
 * answers at once; a CONNECT whose CR and LF were both lost on the UART is read only when the
 * module speaks again, after its input time (AT+QSMTPBODY's 60 s, AT+QFUPL's 10 s and more), back
 * in command mode, where the payload would run as commands.
 */
export const PROMPT_MS = 5000;

/** Final results. */
export const RESULT_OK = 0;
export const RESULT_ERROR = 1; //      plain ERROR (also: ERROR instead of CONNECT)
export const RESULT_CME = 2; //        +CME ERROR: <n|text>
export const RESULT_CMS = 3; //        +CMS ERROR: <n|text>
export const RESULT_NO_CARRIER = 4;
export const RESULT_TIMEOUT = 5; //    no final result before the deadline
export const RESULT_CANCELLED = 6; //  engine closed, or the queue was flushed (e.g. module reboot)
export const RESULT_REJECTED = 7; //   the request itself was invalid (non-ASCII command, too long, bad data length)
/**
 * OK, but the module's echo of the command differs from what was sent: a line starting
 * with "AT" that is not the command came instead of the echo, or (echo known to be on)
 * no echo came at all. The module took a command other than the one written (a byte
 * lost or changed on the way to it): the caller decides whether to write it again.
 */
export const RESULT_GARBLED = 8;
/** SEND FAIL after the payload of a socket send (AT+QISEND/AT+QSSLSEND): the module's send buffer is full; try again later. */
export const RESULT_SEND_FAIL = 9;
/**
 * The answer was damaged on the wire in a way no retry in place can mend: the counted bytes
 * of a readsData command were not followed by exactly CR LF CR LF and the final result (a
 * byte of the data, its count or its end lost: the data are not to be trusted), or a
 * commitEcho send's outcome is unknown (Ctrl+Z written and no SEND OK; an answer other
 * than OK to ESC).
 */
export const RESULT_DAMAGED = 10;

export const RESULT_NAMES = ["OK", "ERROR", "CME", "CMS", "NO CARRIER", "TIMEOUT", "CANCELLED", "REJECTED", "GARBLED", "SEND FAIL", "DAMAGED"];

/** Pre-encoded prefix (e.g. "+CSQ:"), made once by Engine.prefix(), never per line. */
export interface Prefix {
  readonly text: string;
  readonly bytes: Uint8Array;
}

/**
 * A view of one received line (without CR/LF). Owned and reused by the engine: read
 * what you need during the callback. Fields are the comma-separated values after the
 * first ": " (or from the start when the line has no prefix); quoted fields may hold commas.
 */
export interface Line {
  readonly buf: Uint8Array;
  readonly start: number;
  readonly length: number;
  /** True when the line begins with the prefix's bytes. */
  startsWith(prefix: Prefix): boolean;
  /** Integer field `index` (0-based), or `fallback` when absent or not a number. */
  int(index: number, fallback: number): number;
  /** Hexadecimal integer field (e.g. the QFUPL checksum "4f64"), or `fallback`. */
  hex(index: number, fallback: number): number;
  /** Field `index` as a string, quotes removed. Allocates: call only when you need it. */
  str(index: number): string;
  /** The whole line as a string. Allocates. */
  text(): string;
  /** Number of fields. */
  fieldCount(): number;
}

/** A length plus random-access reads: a body in RAM, a file in flash, a generated report. */
export interface ByteSource {
  readonly length: number;
  /** Copy up to `max` bytes starting at `position` into `dst[offset..]`; return how many. */
  read(position: number, dst: Uint8Array, offset: number, max: number): number;
  /**
   * Optional: whether data[start..end) equals the source's bytes from `position` on, read in
   * place (commitEcho's check without a copy; without it the engine copies through a scratch).
   */
  same?(position: number, data: Uint8Array, start: number, end: number): boolean;
}

export interface AtRequest {
  /** Text after "AT", e.g. "+CSQ" or '+QSMTPDST=1,1,"ops@example.com"'. ASCII only; CR is appended. */
  command: string;
  shape: number;
  /** Information-line prefix this command answers with (SHAPE_LINE/LINES/PROMPT). */
  prefix?: Prefix;
  /** Deadline for the final result, from the moment the command is written. */
  timeoutMs: number;
  /**
   * Called for each information line that belongs to this command, as the request's method
   * (`this` is the request: a request may be an object whose class carries it).
   */
  onLine?: (line: Line) => void;
  /** SHAPE_PROMPT: the payload sent after CONNECT, exactly `data.length` bytes. */
  data?: ByteSource;
  /** SHAPE_PROMPT: wait for one 'A' from the module after every this many bytes (AT+QFUPL ack mode: 1024). */
  ackEvery?: number;
  /**
   * SHAPE_PROMPT: the prompt is "> " (no line end), as AT+QISEND and AT+QSSLSEND give it,
   * instead of a CONNECT line; the command then ends with SEND OK (RESULT_OK), SEND FAIL
   * (RESULT_SEND_FAIL) or an error.
   */
  promptGt?: boolean;
  /**
   * SHAPE_PROMPT with promptGt: the module echoes the payload (AT+QISDE=1, its default):
   * exactly data.length bytes after the prompt are the echo and are skipped, never taken
   * for lines (a payload line "SEND OK" or "ERROR" must not end the command).
   */
  echoData?: boolean;
  /**
   * SHAPE_PROMPT with promptGt, the variable-length send (AT+QISEND=<id>, AT+QSSLSEND=<id>)
   * with the module's echo of the payload on: the engine compares the echo with the payload
   * as it comes and commits with Ctrl+Z (0x1A) only when all of it matched; at the first byte
   * that differs, or when the echo stalls until the deadline, it stops writing and cancels
   * with ESC (0x1B). The payload must not hold 0x1A or 0x1B. Results: RESULT_OK (SEND OK
   * after Ctrl+Z: sent as written); RESULT_GARBLED (cancelled, the module answered OK to ESC
   * or nothing at all, or no prompt came: nothing was sent, write it again); RESULT_DAMAGED
   * (whether it was sent is unknown); ERROR, SEND FAIL as usual. Each ESC is written after
   * the command's own deadline, which then starts again for the answer.
   */
  commitEcho?: boolean;
  /**
   * SHAPE_LINE: the information line counts raw bytes that follow it (AT+QIRD: "+QIRD: <n>",
   * then CR LF and exactly n bytes, which may hold anything, CR LF and "OK" included). The
   * engine reads the count (the line's first field) and hands those bytes here, in one or
   * more pieces, without looking at them; data[start..end) is valid only during the call.
   * Called as the request's method, like onLine.
   */
  readsData?: (data: Uint8Array, start: number, end: number) => void;
}

export interface AtResult {
  code: number;
  /** +CME/+CMS ERROR number, or -1 when the module sent text (see errorText) or no error. */
  errorCode: number;
  /** Text form of +CME/+CMS ERROR when the module sent text; "" otherwise. */
  errorText: string;
  /** Virtual-clock ms from write to final result. */
  elapsedMs: number;
  /**
   * A commitEcho send: payload bytes the module echoed before it ended (0: none at all);
   * -1 for every other command and for a send whose prompt never came. Optional: ports
   * without commitEcho leave it out.
   */
  echoed?: number;
}

/**
 * Completion: a callback, or an object whose `atDone` the engine calls (often the request
 * itself: an object its owner keeps costs the XS heap no function per command, where a
 * closure costs 11 slots and more). The AtResult may be an object the engine reuses for
 * every report (AtEngine does, to allocate nothing per command): read it during the call,
 * copy what you keep.
 */
export type AtDone = ((result: AtResult) => void) | AtDoneTarget;

/** A completion as a method (AtDone). */
export interface AtDoneTarget {
  atDone(result: AtResult): void;
}
/**
 * What a URC is handed to: a function, or an object whose urc method the engine calls (no
 * closure kept for the board's life: XS heap, as AtDone).
 */
export type UrcHandler = ((line: Line) => void) | UrcTarget;

/** A URC handler as a method (UrcHandler). */
export interface UrcTarget {
  urc(line: Line): void;
}

export interface AtEngineOptions {
  /** Receive buffer size; lines longer than this are dropped and counted. Default 512. */
  lineBufferSize?: number;
  /** Transmit staging buffer size (longest command + CR). Default 600. */
  txBufferSize?: number;
  /**
   * Where commands wait behind the one in flight: the optional command queue
   * (firmware/ext/queue: new CommandQueue(8)). Default: the engine's own one waiting command
   * (at/waiting.ts); a second one is then refused (room() is 0).
   */
  queue?: AtWaiting;
  /** Pause after each final result before the next command is written. Default 20 ms. */
  settleMs?: number;
}

/**
 * Commands waiting behind the one in flight, oldest first (AtEngineOptions.queue). Without
 * the optional command queue (firmware/ext/queue) the engine holds one (at/waiting.ts).
 */
export interface AtWaiting {
  /** How many can wait. */
  readonly capacity: number;
  /** How many wait now. */
  count: number;
  /** What the last shift() took out. */
  req: AtRequest | null;
  done: AtDone | null;
  /** Append; false when `capacity` already wait. */
  push(req: AtRequest, done: AtDone): boolean;
  /** Take the oldest into `req`/`done`; false when none waits. */
  shift(): boolean;
}

/** What upper layers see of the engine (the implementation is AtEngine in engine.ts). */
export interface AtPort {
  prefix(text: string): Prefix;
  /**
   * Queue a command; false when no more can wait (room() is 0) or the engine is closed
   * (room() is -1): done is then not called (the modem layer's refusal() makes the error).
   */
  send(request: AtRequest, done: AtDone): boolean;
  /** How many more commands send() takes now: -1 when closed, 0 when as many wait as can. */
  room(): number;
  /** Route lines starting with `prefix` that are not the reply to the command in flight. */
  onUrc(prefix: Prefix, handler: UrcHandler): void;
  /** Fail the command in flight and everything queued with RESULT_CANCELLED (e.g. after RDY). */
  flush(): void;
  /**
   * A wait of the caller ended: a line still open (its CR lost on the UART) is taken now, as
   * if its CR had come. The engine does it at a command's deadline itself.
   */
  takeOpenLine(): void;
  /** Consecutive command timeouts; reset by any final result. Upper layers trigger recovery on it. */
  consecutiveTimeouts(): number;
  /** Counters: lines seen, overlong lines dropped, late final results ignored, URCs routed. */
  stats(): AtStats;
  /** Cancel everything; no callback fires after close returns. */
  close(): void;
}

export interface AtStats {
  lines: number;
  overlong: number;
  lateFinals: number;
  urcs: number;
  unknown: number;
  timeouts: number;
}
