// The Espruino console protocol, spoken over a serial port (the `serialport` package):
// what `cellmail flash espruino` needs to store settings and upload code to a board.
// Espruino documents it (README_Protocol.md in its source); the ideas are the ones
// EspruinoTools uses, the code is ours:
//
//   Ctrl-C (\x03)    clears a half-typed line (or breaks out of a running command)
//   \x10 first       DLE at the start of a line: the board neither echoes the line nor
//                    prints its result; it still prints what the line prints, then the
//                    `>` prompt
//   echo(1)          prompts back on, should saved code have said echo(0)
//   acknowledgement  each line is followed by \x10print("<cm"+":N>"+check): the board
//                    answers "<cm:N>check" and its `>` prompt once every line before has
//                    run (the marker is built from two strings, so an echo never matches)
//   errors           "Uncaught ..." and "OUT OF MEMORY" in what the board printed while
//                    a command ran: the command fails with the board's own words
//
// Flow control: lines go out in chunks, each handed to the OS before the next; a board whose
// receive buffer fills sends XOFF (\x13) and XON (\x11) when it has room again, and no chunk
// goes out in between (software flow control, read from what the board sends, so it works on
// any port; those two bytes are not part of its output). Nothing is sent twice, so a line is
// never doubled. Every wait is bounded: a port that takes no data or a board that holds the
// line too long is a "no-answer" error, never a hang.
import { SerialPort } from "serialport";
import { plainText } from "./interpreter.js";

/**
 * What went wrong, for the exit status and the tests: the port does not open, the board
 * does not answer (or takes no data), it reports running out of memory or an uncaught
 * error, or what it stored does not read back as sent.
 */
export type ConsoleErrorKind = "port" | "no-answer" | "out-of-memory" | "uncaught" | "check";

export class ConsoleError extends Error {
  constructor(
    readonly kind: ConsoleErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "ConsoleError";
  }
}

/** What the board says when it fails a command (its own words, on one line each). */
const BOARD_ERRORS: { kind: ConsoleErrorKind; pattern: RegExp }[] = [
  { kind: "out-of-memory", pattern: /[^\n]*(?:OUT OF MEMORY|Out of Memory)[^\n]*/ },
  { kind: "uncaught", pattern: /Uncaught [^\n]*\n/ },
];

/** The line's answer: the marker, the check's value, the prompt. */
function ackPattern(n: number): RegExp {
  return new RegExp(`<cm:${n}>([^\\n]*)\\n>`);
}

/** Bytes per write: small enough that a progress line means something on a slow UART, and
 * that XOFF stops the upload soon after the board sends it. */
const CHUNK = 256;
const XON = "\x11";
/** How long the board stays quiet after reset()'s prompt before the next line goes. */
const RESET_QUIET_MS = 300;
const XOFF = "\x13";

export interface ConsoleOptions {
  path: string;
  baud: number;
}

export class EspruinoConsole {
  private raw = "";
  private text = "";
  private textAt = -1;
  private next = 1;
  private readonly waiters = new Set<() => void>();
  private closed = false;
  /** The board sent XOFF and no XON since. */
  private held = false;
  /** When the board last sent anything (Date.now()). */
  private lastData = 0;

  private constructor(private readonly port: SerialPort) {
    port.on("data", (b: Buffer) => {
      let s = b.toString("latin1");
      const flow = Math.max(s.lastIndexOf(XON), s.lastIndexOf(XOFF));
      if (flow >= 0) {
        this.held = s[flow] === XOFF;
        s = s.replace(/[\x11\x13]/g, "");
      }
      this.raw += s;
      this.lastData = Date.now();
      for (const w of this.waiters) w();
    });
    port.on("close", () => {
      this.closed = true;
      for (const w of this.waiters) w();
    });
    port.on("error", () => {
      // a write or read failure ends the session; the waiting command says what it waited for
    });
  }

  /** Open the board's console port; a port that is not there is a ConsoleError("port"). */
  static open(o: ConsoleOptions): Promise<EspruinoConsole> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path: o.path, baudRate: o.baud, autoOpen: false });
      port.open((err) => {
        if (!err) return resolve(new EspruinoConsole(port));
        const missing = /ENOENT|No such file/.test(err.message);
        const busy = /lock|EBUSY|temporarily unavailable/i.test(err.message);
        const why = missing ? "no such port (is the board plugged in? ls /dev/tty*)" : busy ? "in use by another program (a terminal or an IDE: close it first)" : `cannot open: ${err.message}`;
        reject(new ConsoleError("port", `${o.path}: ${why}`));
      });
    });
  }

  /** Everything the board printed, escapes and CRs removed. */
  output(): string {
    if (this.textAt !== this.raw.length) {
      this.text = plainText(this.raw);
      this.textAt = this.raw.length;
    }
    return this.text;
  }

  /** Hand `data` to the OS once the board lets us (XON), within `ms` for each step. */
  private async write(data: string, ms: number, what: string): Promise<void> {
    if (this.held) {
      await this.waitFor(this.output().length, what, ms, () => (this.held ? undefined : true), `the board held the line (XOFF) for ${ms / 1000} s (${what})`);
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ConsoleError("no-answer", `${this.port.path} took no data for ${ms / 1000} s (${what})`)), ms);
      this.port.write(Buffer.from(data, "latin1"), (err) => {
        if (err) {
          clearTimeout(timer);
          reject(new ConsoleError("no-answer", `${this.port.path}: write failed: ${err.message}`));
        } else {
          this.port.drain(() => {
            clearTimeout(timer);
            resolve();
          });
        }
      });
    });
  }

  /**
   * Resolves once `check(output since from)` gives a value; rejects at once with the
   * board's error report, or after `ms` (with `late` as the message, when given).
   */
  private waitFor<T>(from: number, what: string, ms: number, check: (out: string) => T | undefined, late?: string, pollMs?: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters.delete(test);
      };
      const test = () => {
        const out = this.output().slice(from);
        const failed = boardError(out);
        const value = failed ? undefined : check(out);
        if (failed) {
          done();
          reject(failed);
        } else if (value !== undefined) {
          done();
          resolve(value);
        } else if (this.closed) {
          done();
          reject(new ConsoleError("no-answer", `${this.port.path} closed while waiting for ${what}`));
        }
      };
      // A check that depends on time as well as output (a quiet moment) is also asked on a timer.
      const poll = pollMs ? setInterval(test, pollMs) : undefined;
      const timer = setTimeout(() => {
        clearInterval(poll);
        this.waiters.delete(test);
        const said = this.output().slice(from).trim();
        reject(new ConsoleError("no-answer", late ?? `the board did not answer within ${ms / 1000} s (${what})${said ? `; it printed: ${said.slice(-300)}` : ""}`));
      }, ms);
      this.waiters.add(test);
      test();
    });
  }

  /**
   * Get the board's attention: Ctrl-C clears a half-typed line, echo(1) brings prompts back,
   * and the first acknowledgement proves that a JavaScript console answers. Returns what
   * the board says about itself ("2v29.277 LINUX, 16383 variables").
   */
  async hello(ms: number): Promise<string> {
    await this.write("\x03", ms, "Ctrl-C");
    await new Promise((r) => setTimeout(r, 300));
    await this.write("\x10echo(1)\n", ms, "echo(1)");
    return this.run("", `process.version+" "+process.env.BOARD+", "+process.memory().total+" variables"`, ms, "the board's prompt");
  }

  /**
   * Run one line (`\x10` first) and wait for its acknowledgement; returns the value of
   * `check` (a JavaScript expression the board evaluates after the line) as printed.
   * Whatever the board printed while the line ran is scanned for its error reports.
   */
  async run(line: string, check: string, ms: number, what: string, onProgress?: (sent: number, total: number) => void): Promise<string> {
    const n = this.next++;
    const from = this.output().length;
    const text = (line ? `\x10${line}\n` : "") + `\x10print("<cm"+":${n}>"+(${check || '""'}))\n`;
    for (let i = 0; i < text.length; i += CHUNK) {
      await this.write(text.slice(i, i + CHUNK), ms, what);
      onProgress?.(Math.min(i + CHUNK, text.length), text.length);
    }
    const pattern = ackPattern(n);
    return this.waitFor(from, what, ms, (out) => pattern.exec(out)?.[1]);
  }

  /**
   * reset(): the program in RAM stops (saved code stays). The board drops whatever arrives
   * while it resets, so the next line waits for its prompt and then for a quiet moment: a
   * log line of the program still running before the reset also ends in a prompt.
   */
  async reset(ms: number): Promise<void> {
    const from = await this.send("reset()", ms);
    await this.waitFor(from, "the prompt after reset()", ms, (out) => (/\n>$/.test(out) && Date.now() - this.lastData >= RESET_QUIET_MS ? true : undefined), undefined, RESET_QUIET_MS / 3);
  }

  /** Send a line that ends the session's acknowledgements (load(): the board restarts). */
  async send(line: string, ms: number): Promise<number> {
    const from = this.output().length;
    await this.write(`\x10${line}\n`, ms, line);
    return from;
  }

  /**
   * Wait (after send) for `done` in the board's output, failing on its error reports;
   * returns the output since `from`.
   */
  async expect(from: number, what: string, ms: number, done: RegExp): Promise<string> {
    return this.waitFor(from, what, ms, (out) => (done.test(out) ? out : undefined));
  }

  close(): Promise<void> {
    if (this.closed || !this.port.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}

/** The board's first error report in `out`, as a ConsoleError, or null. */
export function boardError(out: string): ConsoleError | null {
  for (const e of BOARD_ERRORS) {
    const m = e.pattern.exec(out);
    if (m) {
      const said = m[0].replace(/^>+/, "").trim();
      return new ConsoleError(e.kind, e.kind === "out-of-memory" ? `the board ran out of memory: ${said}` : `the board reported an error: ${said}`);
    }
  }
  return null;
}
