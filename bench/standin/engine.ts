// A small stand-in for firmware/at/engine.ts, used by the bench only while the real
// engine does not exist yet (bench/run.ts picks the real one when it is there). It has
// the same constructor and AtPort surface for what the bench exercises: one command in
// flight with a prefix, URC routing by prefix, a framer over one preallocated buffer
// using native indexOf. No data mode, no queue beyond one slot per send. ES2015.
import type { Clock, TimerHandle, Uart, UartSink } from "../../firmware/platform/types.js";
import type { AtDone, AtEngineOptions, AtPort, AtRequest, AtResult, AtStats, Line, Prefix, UrcHandler } from "../../firmware/at/types.js";
import { RESULT_CANCELLED, RESULT_CME, RESULT_ERROR, RESULT_OK, RESULT_TIMEOUT } from "../../firmware/at/types.js";
import { callUrc } from "../../firmware/at/urc.js";

const CR = 13;
const LF = 10;

function encode(text: string): Uint8Array {
  const b = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i) & 0xff;
  return b;
}

class StandInLine implements Line {
  buf: Uint8Array;
  start: number;
  length: number;
  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.start = 0;
    this.length = 0;
  }
  startsWith(prefix: Prefix): boolean {
    const p = prefix.bytes;
    if (p.length > this.length) return false;
    for (let i = 0; i < p.length; i++) if (this.buf[this.start + i] !== p[i]) return false;
    return true;
  }
  private fieldStart(index: number): number {
    const end = this.start + this.length;
    let i = this.start;
    // skip "<prefix>: "
    for (let k = this.start; k < end - 1; k++) {
      if (this.buf[k] === 0x3a && this.buf[k + 1] === 0x20) {
        i = k + 2;
        break;
      }
    }
    let quoted = false;
    while (index > 0 && i < end) {
      const c = this.buf[i++];
      if (c === 0x22) quoted = !quoted;
      else if (c === 0x2c && !quoted) index--;
    }
    return index === 0 ? i : -1;
  }
  int(index: number, fallback: number): number {
    const end = this.start + this.length;
    let i = this.fieldStart(index);
    if (i < 0 || i >= end) return fallback;
    let v = 0;
    let digits = 0;
    let neg = false;
    if (this.buf[i] === 0x2d) {
      neg = true;
      i++;
    }
    while (i < end) {
      const c = this.buf[i];
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + (c - 0x30);
      digits++;
      i++;
    }
    if (digits === 0) return fallback;
    return neg ? -v : v;
  }
  hex(index: number, fallback: number): number {
    return this.int(index, fallback);
  }
  str(index: number): string {
    const end = this.start + this.length;
    let i = this.fieldStart(index);
    if (i < 0) return "";
    let s = "";
    while (i < end && this.buf[i] !== 0x2c) {
      if (this.buf[i] !== 0x22) s += String.fromCharCode(this.buf[i]);
      i++;
    }
    return s;
  }
  text(): string {
    let s = "";
    for (let i = 0; i < this.length; i++) s += String.fromCharCode(this.buf[this.start + i]);
    return s;
  }
  fieldCount(): number {
    let n = 1;
    while (this.fieldStart(n) >= 0) n++;
    return n;
  }
}

export class AtEngine implements AtPort, UartSink {
  private readonly uart: Uart;
  private readonly clock: Clock;
  private readonly rx: Uint8Array;
  private rxLen: number;
  private readonly tx: Uint8Array;
  private readonly line: StandInLine;
  private readonly urcPrefixes: Prefix[];
  private readonly urcHandlers: UrcHandler[];
  private readonly okBytes: Prefix;
  private readonly errorBytes: Prefix;
  private readonly cmeBytes: Prefix;
  private cmd: AtRequest | null;
  private cmdDone: AtDone | null;
  private next: AtRequest | null;
  private nextDone: AtDone | null;
  private deadline: TimerHandle;
  private settle: TimerHandle;
  private readonly result: AtResult;
  private readonly counters: AtStats;
  private readonly settleMs: number;
  private readonly onDeadline: () => void;
  private readonly onSettled: () => void;
  private closed: boolean;
  private timeouts: number;
  private writtenAt: number;

  constructor(uart: Uart, clock: Clock, options?: AtEngineOptions) {
    this.uart = uart;
    this.clock = clock;
    this.rx = new Uint8Array(options && options.lineBufferSize ? options.lineBufferSize : 512);
    this.rxLen = 0;
    this.tx = new Uint8Array(options && options.txBufferSize ? options.txBufferSize : 600);
    this.line = new StandInLine(this.rx);
    this.urcPrefixes = [];
    this.urcHandlers = [];
    this.okBytes = this.prefix("OK");
    this.errorBytes = this.prefix("ERROR");
    this.cmeBytes = this.prefix("+CME ERROR:");
    this.cmd = null;
    this.cmdDone = null;
    this.next = null;
    this.nextDone = null;
    this.deadline = null;
    this.settle = null;
    this.result = { code: 0, errorCode: -1, errorText: "", elapsedMs: 0 };
    this.counters = { lines: 0, overlong: 0, lateFinals: 0, urcs: 0, unknown: 0, timeouts: 0 };
    this.settleMs = options && options.settleMs !== undefined ? options.settleMs : 20;
    this.closed = false;
    this.timeouts = 0;
    this.writtenAt = 0;
    this.onDeadline = () => {
      this.deadline = null;
      this.timeouts++;
      this.counters.timeouts++;
      this.finish(RESULT_TIMEOUT, -1);
    };
    this.onSettled = () => {
      this.settle = null;
      this.writeNext();
    };
    uart.attach(this);
  }

  prefix(text: string): Prefix {
    return { text: text, bytes: encode(text) };
  }

  send(request: AtRequest, done: AtDone): boolean {
    if (this.closed || this.next !== null) return false;
    this.next = request;
    this.nextDone = done;
    if (this.cmd === null && this.settle === null) this.writeNext();
    return true;
  }

  room(): number {
    return this.closed ? -1 : this.next === null ? 1 : 0;
  }

  onUrc(prefix: Prefix, handler: UrcHandler): void {
    this.urcPrefixes.push(prefix);
    this.urcHandlers.push(handler);
  }

  flush(): void {
    if (this.cmd !== null) this.finish(RESULT_CANCELLED, -1);
  }

  /** The stand-in ends lines at CR LF only: it keeps no rule for a lost line end. */
  takeOpenLine(): void {}

  consecutiveTimeouts(): number {
    return this.timeouts;
  }

  stats(): AtStats {
    return this.counters;
  }

  close(): void {
    this.closed = true;
    this.cmd = null;
    this.next = null;
    if (this.deadline !== null) this.clock.clearTimer(this.deadline);
    if (this.settle !== null) this.clock.clearTimer(this.settle);
    this.uart.close();
  }

  onWritable(): void {}

  onBytes(data: Uint8Array, start: number, end: number): void {
    const rx = this.rx;
    let from = start;
    while (from < end) {
      let n = end - from;
      const room = rx.length - this.rxLen;
      if (n > room) n = room;
      if (from === 0 && n === data.length) rx.set(data, this.rxLen);
      else for (let i = 0; i < n; i++) rx[this.rxLen + i] = data[from + i];
      this.rxLen += n;
      from += n;
      this.frame();
      if (this.rxLen === rx.length) {
        this.counters.overlong++;
        this.rxLen = 0;
      }
    }
  }

  private frame(): void {
    const rx = this.rx;
    let pos = 0;
    for (;;) {
      // skip CR/LF left between lines
      while (pos < this.rxLen && (rx[pos] === CR || rx[pos] === LF)) pos++;
      if (pos >= this.rxLen) break;
      const lf = rx.indexOf(LF, pos);
      if (lf < 0 || lf >= this.rxLen) break;
      let e = lf;
      if (e > pos && rx[e - 1] === CR) e--;
      this.line.start = pos;
      this.line.length = e - pos;
      this.dispatch();
      pos = lf + 1;
    }
    if (pos > 0) {
      rx.copyWithin(0, pos, this.rxLen);
      this.rxLen -= pos;
    }
  }

  private dispatch(): void {
    const line = this.line;
    this.counters.lines++;
    const cmd = this.cmd;
    if (cmd !== null) {
      if (line.length === 2 && line.startsWith(this.okBytes)) return this.finish(RESULT_OK, -1);
      if (line.length === 5 && line.startsWith(this.errorBytes)) return this.finish(RESULT_ERROR, -1);
      if (line.startsWith(this.cmeBytes)) return this.finish(RESULT_CME, line.int(0, -1));
      if (cmd.prefix !== undefined && line.startsWith(cmd.prefix)) {
        if (cmd.onLine !== undefined) cmd.onLine(line);
        return;
      }
    }
    const ps = this.urcPrefixes;
    for (let i = 0; i < ps.length; i++) {
      if (line.startsWith(ps[i])) {
        this.counters.urcs++;
        callUrc(this.urcHandlers[i], line);
        return;
      }
    }
    this.counters.unknown++;
  }

  private finish(code: number, errorCode: number): void {
    const done = this.cmdDone;
    if (this.cmd === null || done === null) return;
    if (this.deadline !== null) {
      this.clock.clearTimer(this.deadline);
      this.deadline = null;
    }
    if (code !== RESULT_TIMEOUT) this.timeouts = 0;
    this.cmd = null;
    this.cmdDone = null;
    this.result.code = code;
    this.result.errorCode = errorCode;
    this.result.elapsedMs = this.clock.now() - this.writtenAt;
    if (!this.closed) this.settle = this.clock.setTimer(this.settleMs, this.onSettled);
    if (typeof done === "function") done(this.result);
    else done.atDone(this.result);
  }

  private writeNext(): void {
    const req = this.next;
    if (req === null || this.closed) return;
    this.cmd = req;
    this.cmdDone = this.nextDone;
    this.next = null;
    this.nextDone = null;
    const tx = this.tx;
    const c = req.command;
    tx[0] = 0x41;
    tx[1] = 0x54;
    for (let i = 0; i < c.length; i++) tx[2 + i] = c.charCodeAt(i);
    tx[2 + c.length] = CR;
    this.writtenAt = this.clock.now();
    this.uart.write(tx, 0, c.length + 3);
    this.deadline = this.clock.setTimer(req.timeoutMs, this.onDeadline);
  }
}
