// The platform contract: the only ways the core touches the world. Adapters for
// Moddable, Espruino and Node implement these; the core imports nothing else.
// Kept deliberately small so that each adapter is a thin, obvious file.

/** Receives UART events. The engine implements this and attaches itself. */
export interface UartSink {
  /**
   * Bytes arrived. `data[start..end)` is valid only during the call: the adapter
   * may reuse the buffer afterwards, so the sink copies what it keeps.
   */
  onBytes(data: Uint8Array, start: number, end: number): void;
  /** Room freed in the transmit path after a write that was not fully accepted. */
  onWritable(): void;
}

export interface Uart {
  attach(sink: UartSink): void;
  /**
   * Offer `data[start..end)` for transmission. Returns how many bytes were taken
   * (0..end-start). When fewer were taken, the sink's onWritable fires later.
   */
  write(data: Uint8Array, start: number, end: number): number;
  /** Stop delivering events; pending output may be dropped. */
  close(): void;
}

/**
 * Receives a text port's events: a port whose platform hands over received data as
 * strings of 8-bit characters (Espruino), framed with the platform's native string
 * methods instead of being copied into bytes one by one (Framing, below).
 */
export interface TextSink {
  /** Characters arrived (each one byte, 0..255). */
  onText(chunk: string): void;
  /** As UartSink.onWritable. */
  onWritable(): void;
}

/**
 * A Uart that delivers received data as text (its write side is the Uart's, and takes
 * strings of 8-bit characters too). Its
 * methods may be called detached (`const w = port.write; w(...)`), and the sink's
 * onText may be handed to the platform as its data handler: neither uses `this`.
 */
export interface TextUart {
  attach(sink: TextSink): void;
  /** As Uart.write; a string is written as its character codes (0..255 each). */
  write(data: Uint8Array | string, start: number, end: number): number;
  close(): void;
}

/** Opaque handle returned by Clock.setTimer. */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds, monotonic. Virtual in tests and in the simulator. */
  now(): number;
  /**
   * One-shot timer. Fires once, after at least `ms` milliseconds, always on a fresh turn
   * (never inside this call). Timers due at the same time fire in the order they were set:
   * the core's deferrals (firmware/turn.ts, nextTurn) rely on it.
   */
  setTimer(ms: number, fire: () => void): TimerHandle;
  /** Cancel a timer; harmless if it already fired or was cleared, and for null. */
  clearTimer(handle: TimerHandle): void;
}

/** Small key -> bytes persistence (Moddable Preference, Espruino Storage, a file on Node). */
export interface Store {
  /** The stored bytes, or undefined when the key is absent. */
  read(key: string): Uint8Array | undefined;
  /** Replace the value atomically (as far as the platform allows). */
  write(key: string, value: Uint8Array): void;
  remove(key: string): void;
  /** Keys currently present (bounded; used at start-up to recover state). */
  keys(): string[];
}

/** A digital input edge source. */
export interface Input {
  /** Called on every edge with the new level (0 or 1); debouncing is the alarm layer's job. */
  watch(onEdge: (level: number) => void): void;
  /** Current level. */
  read(): number;
  close(): void;
}

export const LOG_DEBUG = 0;
export const LOG_INFO = 1;
export const LOG_WARN = 2;
export const LOG_ERROR = 3;

/** Log sink. Never given secrets: callers redact before logging. */
export interface Log {
  (level: number, message: string): void;
  /**
   * The lowest level this log prints, when it knows it (the platform logs do). Below it a
   * message is dropped, so the core does not build it (`logs`): a debug line per command is
   * garbage on a board that logs at LOG_INFO.
   */
  level?: number;
}

/** Whether `log` prints `level` (a log that does not say prints everything). */
export function logs(log: Log | null | undefined, level: number): boolean {
  return !!log && !((log.level as number) > level);
}

// ---- The framing of Espruino's AT link (firmware/compact/link.ts): a contract the platform
// may implement (platform/espruino/frame-text.ts), next to the core's own over a byte Uart
// (firmware/compact/frame-bytes.ts). What a port delivers becomes whole lines, and a command
// becomes what is written (bytes; on Espruino the command's string). Two implementations
// behind this one interface, one per kind of engine, because the cheap operation differs:
//
// - compact/frame-bytes.ts (XS, Node): received bytes are copied into one preallocated line
//   buffer (native indexOf finds LF); lines are read in place; nothing is allocated per
//   byte or per line (XS counts every string and object: bench xs.compact.*).
// - platform/espruino/frame-text.ts (Espruino): the port hands over strings; lines are
//   cut with native string methods and kept as strings, and a command is written as its
//   string. Espruino parses its source again for every statement it runs, so a per-byte
//   JavaScript loop is its slowest path, and it frees a short-lived string the moment its
//   last reference goes (bench espruino.*).
//
// Both give the same lines, as the full engine frames them: every CR and every LF ends a line,
// at once (the module's CR LF ends one line; a CR alone ends one too: an echo's own, "AT...\r",
// or a line whose LF was lost on the UART, which is not waited for: after CONNECT the module
// says nothing until the payload has come), empty lines are skipped, and a line longer than
// LINE_MAX bytes is dropped whole. The getters are valid only while a line is being handled
// (inside `onLine`).

/** The longest line kept (longer ones are dropped to their end). */
export const LINE_MAX = 256;
/** The longest command written: "AT" + command + CR (AT+QSMTPCFG="account" with two 50-byte fields, or 200 hex subject chars). */
export const TX_MAX = 560;

/**
 * What the link writes through a framing: bytes (the byte framing's commands, a mail body)
 * or a string of 8-bit characters (the Espruino framing's commands: Espruino's serial port
 * takes a string for about half what a Uint8Array costs it, and nothing is converted).
 */
export type Chunk = Uint8Array | string;

/** The current line. */
export interface LineReader {
  /** The line is exactly `text`. */
  is(text: string): boolean;
  /** The line begins with `text`. */
  starts(text: string): boolean;
  /** The integer in comma-separated field `field` (0 = first) after the ':' of "+XXX: a,b,c"; NaN when missing. */
  int(field: number): number;
  /** The line from byte `from` to `cut` bytes before its end, as a string (allocates on XS: for rare lines only). */
  text(from: number, cut: number): string;
}

export interface Framing extends LineReader {
  /** Start: `onLine` for every line, `onWritable` when the port has room again after a short write. */
  attach(onLine: () => void, onWritable: () => void): void;
  /** The first byte of the line. */
  first(): number;
  /**
   * The line is the echo of the last encoded command ("AT" + command, byte for byte). The
   * echoes of earlier tries whose answers never came end in CR, so they are lines of their own.
   */
  echo(): boolean;
  /** Prepare "AT" + `command` + CR in `out`; its length, or 0 when it is longer than TX_MAX. */
  encode(command: string): number;
  /** The last encoded command, as this framing writes it (valid until the next encode). */
  out: Chunk;
  /** Write out data[start..end) as far as the port takes it; how many bytes it took. */
  write(data: Chunk, start: number, end: number): number;
  /**
   * The owner's wait ended (a command's deadline, the send's): a line still open lost its
   * line end on the UART (the module said all it will say), and the module's next line,
   * whose end would end it, may not come for minutes: it ends now, as if its LF had come.
   * The full engine has the same rule (AtPort.takeOpenLine).
   */
  takeOpenLine(): void;
}
