// The compact link's framing step: what the port delivers becomes whole lines, and a
// command becomes what is written (bytes; on Espruino the command's string). Two
// implementations behind this one interface, one per kind of engine, because the cheap
// operation differs:
//
// - frame-bytes.ts (XS, Node): received bytes are copied into one preallocated line
//   buffer (native indexOf finds LF); lines are read in place; nothing is allocated per
//   byte or per line (XS counts every string and object: bench xs.compact.*).
// - ../platform/espruino/frame-text.ts (Espruino): the port hands over strings; lines are
//   cut with native string methods and kept as strings, and a command is written as its
//   string. Espruino parses its source again for every statement it runs, so a per-byte
//   JavaScript loop is its slowest path, and it frees a short-lived string the moment its
//   last reference goes (bench espruino.*).
//
// Both give the same lines: LF ends a line and so does CR (the module's CR LF ends one line;
// a CR alone ends one too: an echo's own, "AT...\r", or a line whose LF was lost on the UART),
// empty lines are skipped, the text between two LFs is dropped whole when it is longer than
// LINE_MAX bytes. The getters are valid only while a line is being handled (inside `onLine`).

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
