// A fragmenting, scripted stand-in for the module side of the UART, on the virtual
// clock. It reads commands the engine writes, echoes them (when echo is on), answers
// from a script, and delivers every reply in chunks chosen by a Chunking: all at once,
// byte by byte, split at one point, fixed sizes or seeded random sizes. Chunks are
// handed over from a scratch buffer that is scribbled over after each call, sometimes
// at an offset inside a larger array, so an engine that keeps references instead of
// copying fails. It also plays data mode (CONNECT, N bytes, ACK 'A' per block) and the
// "+++" escape, and records every write with its virtual time.
import type { Uart, UartSink } from "../../../firmware/platform/types.js";
import type { VirtualClock } from "../../../host-sim/clock.js";

export type Chunking =
  | { kind: "all" }
  | { kind: "bytes" }
  | { kind: "split"; at: number }
  | { kind: "fixed"; size: number }
  | { kind: "random"; seed: number; max?: number };

export function chunkingName(c: Chunking): string {
  switch (c.kind) {
    case "all":
      return "all";
    case "bytes":
      return "bytes";
    case "split":
      return `split@${c.at}`;
    case "fixed":
      return `fixed${c.size}`;
    case "random":
      return `random#${c.seed}`;
  }
}

/** The standard sweep: all at once, byte by byte, every split point up to maxSplit, fixed sizes, seeded random. */
export function sweep(maxSplit: number, seeds = 6): Chunking[] {
  const out: Chunking[] = [{ kind: "all" }, { kind: "bytes" }, { kind: "fixed", size: 3 }, { kind: "fixed", size: 7 }];
  for (let at = 1; at < maxSplit; at++) out.push({ kind: "split", at });
  for (let s = 1; s <= seeds; s++) out.push({ kind: "random", seed: s * 7919 });
  return out;
}

/** Small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cut `n` bytes into chunk lengths according to the chunking. */
export function cut(n: number, c: Chunking, rand?: () => number): number[] {
  const out: number[] = [];
  if (n === 0) return out;
  switch (c.kind) {
    case "all":
      out.push(n);
      break;
    case "bytes":
      for (let i = 0; i < n; i++) out.push(1);
      break;
    case "split":
      if (c.at > 0 && c.at < n) out.push(c.at, n - c.at);
      else out.push(n);
      break;
    case "fixed":
      for (let i = 0; i < n; i += c.size) out.push(Math.min(c.size, n - i));
      break;
    case "random": {
      const r = rand ?? prng(c.seed);
      const max = c.max ?? 12;
      let left = n;
      while (left > 0) {
        const k = Math.min(left, 1 + Math.floor(r() * max));
        out.push(k);
        left -= k;
      }
      break;
    }
  }
  return out;
}

export function ascii(s: string): Uint8Array {
  const u = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i) & 0xff;
  return u;
}

export function latin1(u: Uint8Array): string {
  let s = "";
  for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]);
  return s;
}

export interface DataPhase {
  /** Bytes the module expects after CONNECT. */
  expect: number;
  /** Sent once `expect` bytes arrived (e.g. "\r\n+QSMTPBODY: 5\r\n\r\nOK\r\n"). */
  reply: string;
  /** ACK mode: send 'A' after every this many bytes received. */
  ackEvery?: number;
  /** Delay before each 'A'. Default 1 ms. Negative: never acknowledge. */
  ackDelayMs?: number;
  /** The module's own input timeout: after this many bytes, stop listening and send `reply`. */
  stopAfter?: number;
}

export interface Rule {
  /** The command line expected (without CR), e.g. "AT+CSQ". A function may match loosely. */
  cmd: string | ((line: string) => boolean);
  /** Bytes sent after the echo. "" or undefined: no answer at all (a lost final result). */
  reply?: string;
  /** Virtual ms from the command's CR to the answer. Default 1. */
  delayMs?: number;
  /** More deliveries later, each `delayMs` after the command. */
  later?: { rx: string; delayMs: number }[];
  /** After the reply (which contains CONNECT), play data mode. */
  data?: DataPhase;
}

export interface Write {
  t: number;
  bytes: string;
}

export interface ModemOptions {
  echo?: boolean;
  chunking?: Chunking;
  /** Most bytes one write accepts (back-pressure). Default unlimited. */
  writeLimit?: number;
  /** Delay before onWritable after a partial write. Default 1 ms. */
  writableDelayMs?: number;
  /** Answer to a "+++" escape in data mode (sent `guardMs` after it). */
  escapeReply?: string;
  guardMs?: number;
}

export class ScriptedModem implements Uart {
  sink: UartSink | null = null;
  echo: boolean;
  chunking: Chunking;
  writeLimit: number;
  writableDelayMs: number;
  escapeReply: string;
  guardMs: number;
  rules: Rule[] = [];
  /** Commands received, in order. */
  commands: string[] = [];
  /** Commands that did not match the script head. */
  mismatches: string[] = [];
  writes: Write[] = [];
  /** Payload bytes received in data mode. */
  data: number[] = [];
  closed = false;
  /** Largest chunk the scratch buffer had to hold. */
  private scratch = new Uint8Array(4096);
  private line = "";
  private mode: "cmd" | "data" | "drain" = "cmd";
  /** Payload bytes that arrived after the module stopped listening (input timeout). */
  drained = 0;
  /** Payload counts at which an 'A' was scheduled. */
  acks: number[] = [];
  private phase: DataPhase | null = null;
  private phaseGot = 0;
  private rand: () => number;
  private flip = false;
  private writablePending = false;

  constructor(
    readonly clock: VirtualClock,
    options: ModemOptions = {},
  ) {
    this.echo = options.echo ?? true;
    this.chunking = options.chunking ?? { kind: "all" };
    this.writeLimit = options.writeLimit ?? Infinity;
    this.writableDelayMs = options.writableDelayMs ?? 1;
    this.escapeReply = options.escapeReply ?? "\r\nOK\r\n";
    this.guardMs = options.guardMs ?? 1000;
    this.rand = prng(this.chunking.kind === "random" ? this.chunking.seed : 1);
  }

  attach(sink: UartSink): void {
    this.sink = sink;
  }

  close(): void {
    this.closed = true;
  }

  /** Queue rules consumed in order, one per command. */
  script(...rules: Rule[]): this {
    this.rules.push(...rules);
    return this;
  }

  /** Deliver unsolicited bytes after `delayMs`, chunked like everything else. */
  inject(rx: string | Uint8Array, delayMs = 0): void {
    const bytes = typeof rx === "string" ? ascii(rx) : rx;
    this.clock.setTimer(delayMs, () => this.deliver(bytes));
  }

  /** Deliver now (synchronously), chunked. */
  deliver(bytes: Uint8Array): void {
    if (this.closed || !this.sink) return;
    const sizes = cut(bytes.length, this.chunking, this.rand);
    let p = 0;
    for (const k of sizes) {
      // Alternate: whole-array chunks (the engine's fast path) and chunks at an offset.
      this.flip = !this.flip;
      if (this.flip) {
        const chunk = new Uint8Array(k);
        chunk.set(bytes.subarray(p, p + k));
        this.sink.onBytes(chunk, 0, k);
        chunk.fill(0xee);
      } else {
        const off = 5;
        this.scratch.set(bytes.subarray(p, p + k), off);
        this.sink.onBytes(this.scratch, off, off + k);
        this.scratch.fill(0xee, 0, off + k + 5);
      }
      p += k;
      if (this.closed) return;
    }
  }

  write(data: Uint8Array, start: number, end: number): number {
    if (this.closed) return 0;
    let n = end - start;
    if (n > this.writeLimit) n = this.writeLimit;
    if (n <= 0) return 0;
    const bytes = data.slice(start, start + n);
    this.writes.push({ t: this.clock.now(), bytes: latin1(bytes) });
    if (n === 3 && bytes[0] === 0x2b && bytes[1] === 0x2b && bytes[2] === 0x2b) {
      // "+++" as one write: in data mode, leave it and confirm after the guard.
      if (this.mode === "data") {
        this.mode = "cmd";
        this.phase = null;
        const reply = this.escapeReply;
        if (reply) this.clock.setTimer(this.guardMs, () => this.deliver(ascii(reply)));
      }
    } else {
      for (let i = 0; i < bytes.length; i++) this.receive(bytes[i]);
    }
    if (n < end - start && !this.writablePending) {
      this.writablePending = true;
      this.clock.setTimer(this.writableDelayMs, () => {
        this.writablePending = false;
        if (this.sink && !this.closed) this.sink.onWritable();
      });
    }
    return n;
  }

  /** Virtual time of the last write before time t (or -Infinity). */
  lastWriteBefore(t: number): number {
    let last = -Infinity;
    for (const w of this.writes) if (w.t < t) last = w.t;
    return last;
  }

  private receive(b: number): void {
    if (this.mode === "drain") {
      this.drained++;
      return;
    }
    if (this.mode === "data") {
    const ph = this.phase as DataPhase;
      this.data.push(b);
      this.phaseGot++;
      if (ph.ackEvery && this.phaseGot % ph.ackEvery === 0 && (ph.ackDelayMs ?? 1) >= 0) {
        this.acks.push(this.phaseGot);
        this.clock.setTimer(ph.ackDelayMs ?? 1, () => this.deliver(ascii("A")));
      }
      const stop = ph.stopAfter ?? ph.expect;
      if (this.phaseGot >= stop) {
        this.mode = stop < ph.expect ? "drain" : "cmd";
        this.phase = null;
        this.clock.setTimer(1, () => {
          this.mode = "cmd";
          this.deliver(ascii(ph.reply));
        });
      }
      return;
    }
    if (b === 0x0d) {
      const line = this.line;
      this.line = "";
      this.onCommand(line);
      return;
    }
    this.line += String.fromCharCode(b);
  }

  private onCommand(line: string): void {
    this.commands.push(line);
    const rule = this.rules[0];
    const ok = rule && (typeof rule.cmd === "string" ? rule.cmd === line : rule.cmd(line));
    const echo = this.echo ? line + "\r" : "";
    if (!ok) {
      this.mismatches.push(line);
      if (echo) this.clock.setTimer(1, () => this.deliver(ascii(echo)));
      return;
    }
    this.rules.shift();
    const reply = rule.reply ?? "";
    const stream = echo + reply;
    if (stream) {
      this.clock.setTimer(rule.delayMs ?? 1, () => {
        if (rule.data && reply.indexOf("CONNECT") >= 0) {
          // Data mode starts as CONNECT goes out: whatever the engine writes next is payload.
          this.mode = "data";
          this.phase = rule.data;
          this.phaseGot = 0;
        }
        this.deliver(ascii(stream));
      });
    }
    for (const l of rule.later ?? []) this.clock.setTimer(l.delayMs, () => this.deliver(ascii(l.rx)));
  }
}
