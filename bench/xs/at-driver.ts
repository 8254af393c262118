// The bench's engine-side harness: a manual clock, a UART whose write only counts bytes,
// and two drivers that keep one AT+CSQ in flight (re-issued as each completes) with URC
// handlers registered, then feed prepared chunks. Runs unchanged inside XS (bundled by
// host-sim/xs/bundle.ts) and on Node (imported by bench/run.ts), so it follows the core's
// ES2015 rules (DESIGN.md section 3) and allocates nothing while feeding.
import type { Clock, TimerHandle, Uart, UartSink } from "../../firmware/platform/types.js";
import type { AtPort, AtRequest, AtResult, Line, Prefix } from "../../firmware/at/types.js";
import { RESULT_NAMES, SHAPE_LINE } from "../../firmware/at/types.js";
import { BaselineParser } from "../baseline-parser.js";

/** Enough for the engine (deadline, settle, guard) plus the upper layers' timers in tests. */
const TIMER_SLOTS = 8;

/** Virtual time that moves only when advance() is called. Timer handles are numbers. */
export class ManualClock implements Clock {
  private t: number;
  private readonly due: number[];
  private readonly fns: Array<(() => void) | null>;
  private readonly gens: number[];
  private nextDue: number;

  constructor() {
    this.t = 0;
    this.due = [];
    this.fns = [];
    this.gens = [];
    for (let i = 0; i < TIMER_SLOTS; i++) {
      this.due.push(0);
      this.fns.push(null);
      this.gens.push(0);
    }
    this.nextDue = Infinity;
  }

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fire: () => void): TimerHandle {
    const fns = this.fns;
    for (let i = 0; i < TIMER_SLOTS; i++) {
      if (fns[i] === null) {
        const at = this.t + (ms > 0 ? ms : 0);
        fns[i] = fire;
        this.due[i] = at;
        const g = this.gens[i] + 1;
        this.gens[i] = g;
        if (at < this.nextDue) this.nextDue = at;
        return g * TIMER_SLOTS + i;
      }
    }
    throw new Error("ManualClock: more than " + TIMER_SLOTS + " timers pending");
  }

  clearTimer(handle: TimerHandle): void {
    if (typeof handle !== "number") return;
    const i = handle % TIMER_SLOTS;
    if (this.fns[i] !== null && this.gens[i] * TIMER_SLOTS + i === handle) {
      this.fns[i] = null;
    }
  }

  /**
   * Move time forward by `ms`, firing due timers in time order (ties by slot). Kept cheap
   * (its cost is charged to the engine under test, as a platform timer service's would
   * be): nothing but one comparison when no timer is due, and one scan of the few slots
   * per timer fired (the same scan also finds the next due time, so that no second scan
   * is needed to learn that nothing else is due).
   */
  advance(ms: number): void {
    const target = this.t + ms;
    while (this.nextDue <= target) {
      const fns = this.fns;
      const due = this.due;
      let best = -1;
      let bestAt = Infinity;
      let nextAt = Infinity; // earliest of the others
      for (let i = 0; i < TIMER_SLOTS; i++) {
        if (fns[i] !== null) {
          const d = due[i];
          if (d < bestAt) {
            nextAt = bestAt;
            bestAt = d;
            best = i;
          } else if (d < nextAt) {
            nextAt = d;
          }
        }
      }
      if (best < 0 || bestAt > target) {
        // Nothing due (a cleared timer left nextDue low): remember the real next one.
        this.nextDue = bestAt;
        break;
      }
      const fire = fns[best] as () => void;
      fns[best] = null;
      if (bestAt > this.t) this.t = bestAt;
      // The next due time without this timer; a timer set by fire() lowers it, one
      // cleared by fire() leaves it low (the next turn then finds nothing due).
      this.nextDue = nextAt;
      fire();
    }
    this.t = target;
  }
}

/** A UART that accepts every write and only counts bytes; the bench feeds its sink. */
export class CountingUart implements Uart {
  sink: UartSink | null;
  written: number;
  writes: number;

  constructor() {
    this.sink = null;
    this.written = 0;
    this.writes = 0;
  }

  attach(sink: UartSink): void {
    this.sink = sink;
  }

  write(data: Uint8Array, start: number, end: number): number {
    this.written += end - start;
    this.writes++;
    return end - start;
  }

  close(): void {
    this.sink = null;
  }
}

/** Builds the engine under test; the engine attaches itself to the uart. */
export type EngineFactory = (uart: Uart, clock: Clock) => AtPort;

/** Virtual milliseconds per 64-byte chunk: 64 bytes at 115200 baud 8N1 take 5.6 ms. */
export const MS_PER_CHUNK = 5;

/** Split bytes into chunks of `size` (separate arrays, as a UART read would hand out). */
export function makeChunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    const n = bytes.length - at < size ? bytes.length - at : size;
    const c = new Uint8Array(n);
    for (let i = 0; i < n; i++) c[i] = bytes[at + i];
    chunks.push(c);
  }
  return chunks;
}

/** The same chunks as strings (what Espruino's Serial hands a line-string parser). */
export function makeStringChunks(chunks: Uint8Array[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < chunks.length; k++) {
    let s = "";
    const c = chunks[k];
    for (let i = 0; i < c.length; i++) s += String.fromCharCode(c[i]);
    out.push(s);
  }
  return out;
}

/** Counters both drivers keep, to check that they saw the same traffic. */
export interface DriverCounts {
  csqLines: number;
  csqSum: number;
  finals: number[];
  cereg: number;
  qsmtpput: number;
  qiact: number;
  rdy: number;
  other: number;
  written: number;
}

export function newCounts(): DriverCounts {
  return { csqLines: 0, csqSum: 0, finals: RESULT_NAMES.map(() => 0), cereg: 0, qsmtpput: 0, qiact: 0, rdy: 0, other: 0, written: 0 };
}

/**
 * What the XS handler (handler.ts) drives: AtDriver (full engine) or CompactDriver
 * (compact-driver.ts, the compact profile's link), the same workload through either.
 */
export interface BenchDriver {
  readonly counts: DriverCounts;
  /** Prepare the chunks (before any measurement). */
  load(corpus: Uint8Array, chunkSize: number): number;
  /** Feed every chunk `passes` times, advancing the clock per chunk. */
  feed(passes: number): void;
  /** The feeding loop alone into a do-nothing sink (harness cost). */
  feedNull(passes: number): void;
  /** The component's own counters (JSON-able; read outside measured deliveries). */
  stats(): unknown;
  close(): void;
}

/** Drives the real AT engine (or a stand-in) with one AT+CSQ always in flight. */
export class AtDriver implements BenchDriver {
  readonly clock: ManualClock;
  readonly uart: CountingUart;
  readonly engine: AtPort;
  readonly counts: DriverCounts;
  private readonly request: AtRequest;
  private readonly done: (result: AtResult) => void;
  private chunks: Uint8Array[];
  private closed: boolean;

  constructor(factory: EngineFactory) {
    this.clock = new ManualClock();
    this.uart = new CountingUart();
    this.engine = factory(this.uart, this.clock);
    this.counts = newCounts();
    this.chunks = [];
    this.closed = false;
    const counts = this.counts;
    const engine = this.engine;
    const csq: Prefix = engine.prefix("+CSQ:");
    engine.onUrc(engine.prefix("+CEREG:"), (line: Line) => {
      if (line.int(0, -1) >= 0) counts.cereg++;
    });
    engine.onUrc(engine.prefix("+QSMTPPUT:"), (line: Line) => {
      if (line.int(0, -1) === 0 && line.int(1, -1) === 0) counts.qsmtpput++;
    });
    engine.onUrc(engine.prefix("+QIACT:"), (line: Line) => {
      if (line.int(0, -1) === 1) counts.qiact++;
    });
    engine.onUrc(engine.prefix("RDY"), () => {
      counts.rdy++;
    });
    engine.onUrc(csq, (line: Line) => {
      // +CSQ lines that arrive while no AT+CSQ is waiting for its reply.
      counts.csqLines++;
      counts.csqSum += line.int(0, 0);
    });
    this.request = {
      command: "+CSQ",
      shape: SHAPE_LINE,
      prefix: csq,
      timeoutMs: 300,
      onLine: (line: Line) => {
        counts.csqLines++;
        counts.csqSum += line.int(0, 0);
      },
    };
    this.done = (result: AtResult) => {
      const c = result.code;
      counts.finals[c >= 0 && c < RESULT_NAMES.length ? c : RESULT_NAMES.length - 1]++;
      if (!this.closed) engine.send(this.request, this.done);
    };
    engine.send(this.request, this.done);
  }

  /** Prepare the chunks (before any measurement). */
  load(corpus: Uint8Array, chunkSize: number): number {
    this.chunks = makeChunks(corpus, chunkSize);
    return this.chunks.length;
  }

  /** Feed every chunk `passes` times through the uart sink, advancing the clock per chunk. */
  feed(passes: number): void {
    feedChunks(this.uart.sink, this.chunks, passes, this.clock);
    this.counts.written = this.uart.written;
  }

  /** The feeding loop alone (same chunks, same clock steps) into a sink that does nothing. */
  feedNull(passes: number): void {
    feedNull(this.chunks, passes);
  }

  stats(): unknown {
    return this.engine.stats();
  }

  close(): void {
    this.closed = true;
    this.engine.close();
  }
}

/**
 * The drivers' feeding loop: every chunk `passes` times into `sink`, the clock advanced per
 * chunk. One loop for every subject, so each pays the same harness cost (feedNull measures it).
 */
export function feedChunks(sink: UartSink | null, chunks: Uint8Array[], passes: number, clock: ManualClock): void {
  if (sink === null) throw new Error("the subject did not attach to the uart");
  const n = chunks.length;
  for (let p = 0; p < passes; p++) {
    for (let k = 0; k < n; k++) {
      const c = chunks[k];
      sink.onBytes(c, 0, c.length);
      clock.advance(MS_PER_CHUNK);
    }
  }
}

/** The feeding loop alone (same chunks, same clock steps) into a sink that does nothing. */
export function feedNull(chunks: Uint8Array[], passes: number): void {
  feedChunks(NULL_SINK, chunks, passes, new ManualClock());
}

const NULL_SINK: UartSink = {
  onBytes(): void {},
  onWritable(): void {},
};

/** The same workload through the string-accumulating baseline parser. */
export class BaselineDriver {
  readonly clock: ManualClock;
  readonly parser: BaselineParser;
  readonly counts: DriverCounts;
  private chunks: string[];
  private written: number;

  constructor() {
    this.clock = new ManualClock();
    this.counts = newCounts();
    this.chunks = [];
    this.written = 0;
    const counts = this.counts;
    const parser = new BaselineParser(this.clock, (text: string) => {
      this.written += text.length;
    });
    this.parser = parser;
    parser.onUrc("+CEREG:", (line: string) => {
      if (parseInt(line.substr(8), 10) >= 0) counts.cereg++;
    });
    parser.onUrc("+QSMTPPUT:", (line: string) => {
      const f = line.substr(11).split(",");
      if (parseInt(f[0], 10) === 0 && parseInt(f[1], 10) === 0) counts.qsmtpput++;
    });
    parser.onUrc("+QIACT:", (line: string) => {
      if (parseInt(line.substr(8), 10) === 1) counts.qiact++;
    });
    parser.onUrc("RDY", () => {
      counts.rdy++;
    });
    parser.onUrc("+CSQ:", (line: string) => {
      counts.csqLines++;
      counts.csqSum += parseInt(line.substr(6), 10);
    });
    const sendCsq = () => {
      parser.send(
        "AT+CSQ",
        "+CSQ:",
        300,
        (line: string) => {
          counts.csqLines++;
          counts.csqSum += parseInt(line.substr(6), 10);
        },
        (code: number) => {
          counts.finals[code]++;
          sendCsq();
        },
      );
    };
    sendCsq();
  }

  load(corpus: Uint8Array, chunkSize: number): number {
    this.chunks = makeStringChunks(makeChunks(corpus, chunkSize));
    return this.chunks.length;
  }

  feed(passes: number): void {
    const chunks = this.chunks;
    const n = chunks.length;
    const parser = this.parser;
    const clock = this.clock;
    for (let p = 0; p < passes; p++) {
      for (let k = 0; k < n; k++) {
        parser.onData(chunks[k]);
        clock.advance(MS_PER_CHUNK);
      }
    }
    this.counts.written = this.written;
  }
}
