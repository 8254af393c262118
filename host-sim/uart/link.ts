// The virtual UART link between the firmware under test and the simulated module.
//
//   firmware ── Uart.write ──> [tx buffer] ─ wire (baud) ─> module.onReceive
//   firmware <─ sink.onBytes ─ [rx FIFO, 128 B] <─ wire (baud) ─ module.send
//
// Bytes take their real time on the VirtualClock: 10 bits per byte at the configured
// baud rate (115200 baud -> 86.8 us a byte). Each direction can lose or corrupt bytes
// (seeded, or at given byte indices). The firmware's receive FIFO has a fixed size; a
// reader that is slow (readerLatencyMs) or paused lets it overflow, and every byte that
// did not fit is counted. How arrived bytes are handed to the firmware is the chunking
// policy: one byte per call, fixed-size chunks, seeded random sizes, or all at once;
// a partial chunk is handed over when the line has been idle for idleFlushMs.
// Transmit back-pressure: Uart.write takes at most the free room of the tx buffer and
// calls sink.onWritable once the buffer has drained to half.
// Taps see both directions at the module's edge (what it received, what it sent), with
// virtual timestamps: the transcript recorder attaches there.
import type { VirtualClock } from "../clock.js";
import type { Uart, UartSink } from "../../firmware/platform/types.js";
import { Rng } from "./rng.js";

export type Chunking =
  | { mode: "byte" }
  | { mode: "fixed"; size: number }
  | { mode: "random"; max: number; seed?: number }
  | { mode: "all" };

export interface ByteFaults {
  /** Probability that a byte is lost. */
  lossRate?: number;
  /** Probability that a byte has one bit flipped. */
  corruptRate?: number;
  seed?: number;
  /** 0-based indices (counted over this direction) of bytes to drop. */
  dropAt?: number[];
  /** 0-based indices of bytes to corrupt (bit 0x20 flipped, so letters change case, digits become other bytes). */
  corruptAt?: number[];
}

export interface LinkOptions {
  baud?: number;
  /** Firmware-side receive FIFO size in bytes (default 128). */
  rxFifoBytes?: number;
  /** Firmware-side transmit buffer size in bytes (default 256). */
  txBufferBytes?: number;
  chunking?: Chunking;
  /** Time from bytes arriving in the FIFO to the reader servicing it (default 0). */
  readerLatencyMs?: number;
  /** A partial chunk is delivered after the line was idle this long (default 1 ms). */
  idleFlushMs?: number;
  toModule?: ByteFaults;
  toFirmware?: ByteFaults;
}

export type Direction = "toModule" | "toFirmware";
export type LinkTap = (dir: Direction, timeMs: number, bytes: Uint8Array) => void;
export type LinkNote = (timeMs: number, text: string) => void;

/** A growable FIFO of bytes. */
class ByteQueue {
  private buf = new Uint8Array(256);
  private head = 0;
  private tail = 0;
  get length(): number {
    return this.tail - this.head;
  }
  push(data: Uint8Array): void {
    if (this.tail + data.length > this.buf.length) {
      const len = this.length;
      const need = len + data.length;
      const next = need > this.buf.length ? new Uint8Array(Math.max(need, this.buf.length * 2)) : this.buf;
      next.set(this.buf.subarray(this.head, this.tail), 0);
      this.buf = next;
      this.head = 0;
      this.tail = len;
    }
    this.buf.set(data, this.tail);
    this.tail += data.length;
  }
  take(n: number): Uint8Array {
    const out = this.buf.slice(this.head, this.head + n);
    this.head += n;
    if (this.head === this.tail) this.head = this.tail = 0;
    return out;
  }
  clear(): void {
    this.head = this.tail = 0;
  }
}

/** One direction of the wire: serialises queued bytes at the baud rate. */
class Wire {
  private q = new ByteQueue();
  private inFlight = 0;
  private index = 0;
  private rng: Rng;
  private drop: Set<number>;
  private corrupt: Set<number>;
  lost = 0;
  corrupted = 0;

  constructor(
    private link: UartLink,
    private dir: Direction,
    private faults: ByteFaults,
    private deliver: (bytes: Uint8Array) => void,
    private drained: () => void,
  ) {
    this.rng = new Rng(faults.seed ?? 1);
    this.drop = new Set(faults.dropAt ?? []);
    this.corrupt = new Set(faults.corruptAt ?? []);
  }

  /** Bytes waiting or on the wire. */
  get queued(): number {
    return this.q.length + this.inFlight;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.q.push(bytes);
    this.kick();
  }

  clear(): void {
    this.q.clear();
  }

  setFaults(f: ByteFaults): void {
    this.faults = f;
    this.rng = new Rng(f.seed ?? 1);
    this.drop = new Set(f.dropAt ?? []);
    this.corrupt = new Set(f.corruptAt ?? []);
  }

  private kick(): void {
    if (this.inFlight > 0 || this.q.length === 0) return;
    const bt = this.link.byteTimeMs();
    // Slices of at most ~2 ms keep per-byte timing meaningful without a timer per byte.
    const k = Math.min(this.q.length, Math.max(1, Math.floor(2 / bt)));
    const slice = this.q.take(k);
    this.inFlight = k;
    this.link.clock.setTimer(k * bt, () => {
      this.inFlight = 0;
      const out = this.applyFaults(slice);
      if (out.length > 0) this.deliver(out);
      this.drained();
      this.kick();
    });
  }

  private applyFaults(slice: Uint8Array): Uint8Array {
    const f = this.faults;
    const garbage = this.link.baudMismatch();
    const any = garbage || f.lossRate || f.corruptRate || this.drop.size > 0 || this.corrupt.size > 0;
    if (!any) {
      this.index += slice.length;
      return slice;
    }
    const out: number[] = [];
    for (let i = 0; i < slice.length; i++) {
      const idx = this.index++;
      let b = slice[i];
      if (this.drop.has(idx) || (f.lossRate && this.rng.next() < f.lossRate)) {
        this.lost++;
        this.link.note(`${this.dir}: byte ${idx} lost`);
        continue;
      }
      if (garbage) b = this.rng.int(0, 255);
      else if (this.corrupt.has(idx)) b ^= 0x20;
      else if (f.corruptRate && this.rng.next() < f.corruptRate) b ^= 1 << this.rng.int(0, 7);
      if (b !== slice[i]) {
        this.corrupted++;
        if (!garbage) this.link.note(`${this.dir}: byte ${idx} corrupted`);
      }
      out.push(b);
    }
    return Uint8Array.from(out);
  }
}

/** The firmware side's receive FIFO and the reader that drains it into the sink. */
class RxFifo {
  private buf: Uint8Array;
  private scratch: Uint8Array;
  private len = 0;
  private lastArrival = 0;
  private serviceTimer: unknown = null;
  private idleTimer: unknown = null;
  private want = 0;
  private rng: Rng;
  overflow = 0;
  paused = false;

  constructor(private link: UartLink, capacity: number, private chunking: Chunking) {
    this.buf = new Uint8Array(capacity);
    this.scratch = new Uint8Array(capacity);
    this.rng = new Rng(chunking.mode === "random" ? chunking.seed ?? 1 : 1);
  }

  get fill(): number {
    return this.len;
  }

  arrive(bytes: Uint8Array): void {
    const clock = this.link.clock;
    let dropped = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (this.len < this.buf.length) this.buf[this.len++] = bytes[i];
      else dropped++;
    }
    if (dropped > 0) {
      this.overflow += dropped;
      this.link.note(`rx FIFO overflow: ${dropped} byte(s) dropped (total ${this.overflow})`);
    }
    this.lastArrival = clock.now();
    if (this.idleTimer !== null) {
      clock.clearTimer(this.idleTimer);
      this.idleTimer = null;
    }
    if (this.serviceTimer === null) {
      this.serviceTimer = clock.setTimer(this.link.readerLatencyMs, () => {
        this.serviceTimer = null;
        this.service();
      });
    }
  }

  private nextWant(): number {
    if (this.want > 0) return this.want;
    const c = this.chunking;
    switch (c.mode) {
      case "byte":
        this.want = 1;
        break;
      case "fixed":
        this.want = Math.max(1, c.size);
        break;
      case "random":
        this.want = this.rng.int(1, Math.max(1, c.max));
        break;
      default:
        this.want = this.buf.length;
    }
    return this.want;
  }

  service(): void {
    if (this.paused || this.link.closed) return;
    for (;;) {
      const want = this.nextWant();
      if (this.len === 0) return;
      if (this.len >= want || this.chunking.mode === "all") {
        this.hand(Math.min(want, this.len));
        continue;
      }
      break;
    }
    // A partial chunk waits for more bytes or for the line to go idle.
    const clock = this.link.clock;
    if (this.idleTimer === null) {
      const wait = Math.max(0, this.lastArrival + this.link.idleFlushMs - clock.now());
      this.idleTimer = clock.setTimer(wait, () => {
        this.idleTimer = null;
        // Bytes still on the wire: the line is not idle (the next arrival re-arms).
        if (this.paused || this.link.closed || this.link.pendingToFirmware() > 0) return;
        while (this.len > 0) this.hand(Math.min(this.nextWant(), this.len));
      });
    }
  }

  private hand(n: number): void {
    this.scratch.set(this.buf.subarray(0, n), 0);
    this.buf.copyWithin(0, n, this.len);
    this.len -= n;
    this.want = 0;
    const sink = this.link.sink;
    if (sink) sink.onBytes(this.scratch, 0, n);
    // Make reuse visible: a sink that kept a reference sees garbage, as on a real board.
    this.scratch.fill(0xee, 0, n);
  }

  clear(): void {
    this.len = 0;
  }
}

export class UartLink {
  readonly clock: VirtualClock;
  sink: UartSink | null = null;
  closed = false;
  readerLatencyMs: number;
  idleFlushMs: number;
  private moduleBaud: number;
  private hostBaud: number;
  private txCap: number;
  private wantWritable = false;
  private toModuleWire: Wire;
  private toFirmwareWire: Wire;
  private fifo: RxFifo;
  private moduleRx: ((bytes: Uint8Array) => void) | null = null;
  private taps: LinkTap[] = [];
  private notes: LinkNote[] = [];
  /** The firmware's side of the link. */
  readonly uart: Uart;

  constructor(clock: VirtualClock, options: LinkOptions = {}) {
    this.clock = clock;
    this.moduleBaud = this.hostBaud = options.baud ?? 115200;
    this.txCap = options.txBufferBytes ?? 256;
    this.readerLatencyMs = options.readerLatencyMs ?? 0;
    this.idleFlushMs = options.idleFlushMs ?? 1;
    this.fifo = new RxFifo(this, options.rxFifoBytes ?? 128, options.chunking ?? { mode: "all" });
    this.toModuleWire = new Wire(
      this,
      "toModule",
      options.toModule ?? {},
      (bytes) => {
        for (const t of this.taps) t("toModule", this.clock.now(), bytes);
        if (this.moduleRx) this.moduleRx(bytes);
      },
      () => {
        if (this.wantWritable && this.toModuleWire.queued <= this.txCap / 2 && !this.closed) {
          this.wantWritable = false;
          if (this.sink) this.sink.onWritable();
        }
      },
    );
    this.toFirmwareWire = new Wire(
      this,
      "toFirmware",
      options.toFirmware ?? {},
      (bytes) => {
        if (!this.closed) this.fifo.arrive(bytes);
      },
      () => {},
    );
    const self = this;
    this.uart = {
      attach(sink: UartSink): void {
        self.sink = sink;
        self.closed = false;
      },
      write(data: Uint8Array, start: number, end: number): number {
        if (self.closed) return 0;
        const free = Math.max(0, self.txCap - self.toModuleWire.queued);
        const n = Math.min(free, end - start);
        if (n > 0) self.toModuleWire.push(data.slice(start, start + n));
        if (n < end - start) self.wantWritable = true;
        return n;
      },
      close(): void {
        self.closed = true;
        self.sink = null;
      },
    };
  }

  /**
   * The board lost power: what its UART still held to transmit never leaves, and what
   * waited in its receive FIFO is gone (a bit already on the wire still arrives).
   */
  boardPowerCut(): void {
    this.toModuleWire.clear();
    this.fifo.clear();
    this.wantWritable = false;
  }

  /** Milliseconds one byte (10 bits) takes at the module's current baud rate. */
  byteTimeMs(): number {
    return 10000 / this.moduleBaud;
  }

  baudMismatch(): boolean {
    return this.moduleBaud !== this.hostBaud;
  }

  /** The module changed its rate (AT+IPR): applies to both directions at once. */
  setModuleBaud(baud: number): void {
    this.moduleBaud = baud;
  }

  /** The firmware's UART rate; bytes are garbage while it differs from the module's. */
  setHostBaud(baud: number): void {
    this.hostBaud = baud;
  }

  // ---- module side ----
  attachModule(onReceive: (bytes: Uint8Array) => void): void {
    this.moduleRx = onReceive;
  }

  /** The module transmits. The bytes are copied. */
  moduleSend(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const copy = bytes.slice();
    for (const t of this.taps) t("toFirmware", this.clock.now(), copy);
    this.toFirmwareWire.push(copy);
  }

  /** Bytes the firmware has written that have not reached the module yet. */
  pendingToModule(): number {
    return this.toModuleWire.queued;
  }

  /** Bytes the module has sent that are still on the wire (not yet in the FIFO). */
  pendingToFirmware(): number {
    return this.toFirmwareWire.queued;
  }

  // ---- observation and control ----
  onTap(tap: LinkTap): void {
    this.taps.push(tap);
  }

  onNote(note: LinkNote): void {
    this.notes.push(note);
  }

  note(text: string): void {
    for (const n of this.notes) n(this.clock.now(), text);
  }

  setFaults(dir: Direction, faults: ByteFaults): void {
    (dir === "toModule" ? this.toModuleWire : this.toFirmwareWire).setFaults(faults);
  }

  /** Stop (true) or resume (false) the firmware's reader; a stopped reader lets the FIFO overflow. */
  setReaderPaused(paused: boolean): void {
    this.fifo.paused = paused;
    if (!paused) this.fifo.service();
  }

  stats(): { rxOverflow: number; rxFifoFill: number; lostToModule: number; lostToFirmware: number; corruptedToModule: number; corruptedToFirmware: number } {
    return {
      rxOverflow: this.fifo.overflow,
      rxFifoFill: this.fifo.fill,
      lostToModule: this.toModuleWire.lost,
      lostToFirmware: this.toFirmwareWire.lost,
      corruptedToModule: this.toModuleWire.corrupted,
      corruptedToFirmware: this.toFirmwareWire.corrupted,
    };
  }
}
