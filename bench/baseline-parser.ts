// The baseline: a line-string AT parser of the kind common in Espruino code. Chunks
// arrive as strings and are appended to one accumulator, which is split on CR LF; each
// line becomes a string and is classified with startsWith against the final results,
// the command in flight and then every registered URC prefix. Simple and correct, but
// every chunk and every line creates strings. It runs in XS (bench) and on Node.
// ES2015 only (it is bundled for XS next to the engine harness).
import type { Clock, TimerHandle } from "../firmware/platform/types.js";

export type BaselineDone = (code: number) => void;

interface Urc {
  prefix: string;
  fn: (line: string) => void;
}

interface Pending {
  command: string;
  prefix: string;
  timeoutMs: number;
  onLine: (line: string) => void;
  done: BaselineDone;
}

export const BASELINE_OK = 0;
export const BASELINE_ERROR = 1;
export const BASELINE_CME = 2;
export const BASELINE_CMS = 3;
export const BASELINE_NO_CARRIER = 4;
export const BASELINE_TIMEOUT = 5;

export class BaselineParser {
  private buf: string;
  private readonly urcs: Urc[];
  private cmd: Pending | null;
  private readonly queue: Pending[];
  private timer: TimerHandle;
  private readonly clock: Clock;
  private readonly write: (text: string) => void;
  lines: number;

  constructor(clock: Clock, write: (text: string) => void) {
    this.buf = "";
    this.urcs = [];
    this.cmd = null;
    this.queue = [];
    this.timer = null;
    this.clock = clock;
    this.write = write;
    this.lines = 0;
  }

  onUrc(prefix: string, fn: (line: string) => void): void {
    this.urcs.push({ prefix: prefix, fn: fn });
  }

  send(command: string, prefix: string, timeoutMs: number, onLine: (line: string) => void, done: BaselineDone): void {
    const p: Pending = { command: command, prefix: prefix, timeoutMs: timeoutMs, onLine: onLine, done: done };
    if (this.cmd) {
      this.queue.push(p);
      return;
    }
    this.start(p);
  }

  private start(p: Pending): void {
    this.cmd = p;
    this.write(p.command + "\r");
    this.timer = this.clock.setTimer(p.timeoutMs, () => {
      this.timer = null;
      this.finish(BASELINE_TIMEOUT);
    });
  }

  private finish(code: number): void {
    const p = this.cmd;
    if (!p) return;
    if (this.timer !== null) {
      this.clock.clearTimer(this.timer);
      this.timer = null;
    }
    this.cmd = null;
    const next = this.queue.shift();
    p.done(code);
    if (next && !this.cmd) this.start(next);
  }

  /** Bytes from the serial port, as a string (Espruino's Serial 'data' event). */
  onData(data: string): void {
    this.buf += data;
    let i = this.buf.indexOf("\r\n");
    while (i >= 0) {
      const line = this.buf.substr(0, i);
      this.buf = this.buf.substr(i + 2);
      if (line.length > 0) this.handle(line);
      i = this.buf.indexOf("\r\n");
    }
    if (this.buf.length > 512) this.buf = "";
  }

  private handle(line: string): void {
    this.lines++;
    const p = this.cmd;
    if (p) {
      if (line === "OK") return this.finish(BASELINE_OK);
      if (line === "ERROR") return this.finish(BASELINE_ERROR);
      if (line.startsWith("+CME ERROR:")) return this.finish(BASELINE_CME);
      if (line.startsWith("+CMS ERROR:")) return this.finish(BASELINE_CMS);
      if (line === "NO CARRIER") return this.finish(BASELINE_NO_CARRIER);
      if (p.prefix && line.startsWith(p.prefix)) {
        p.onLine(line);
        return;
      }
    }
    for (let k = 0; k < this.urcs.length; k++) {
      const u = this.urcs[k];
      if (line.startsWith(u.prefix)) {
        u.fn(line);
        return;
      }
    }
  }
}
