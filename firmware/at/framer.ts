// The framer: UART bytes -> lines. Owns one preallocated receive buffer and nothing
// else: no time, no I/O, no meaning. Lines are handed out as (buf, start, length)
// views that are valid only during the sink call.
//
// Line ends: a CR ends a line (the module ends every reply line with CR LF and its
// echo with CR). An LF ends a line too when lfEndsLine is set; otherwise an LF is
// skipped where a line would begin (so CR LF and CR-only streams frame alike).
// The LF of CR LF and the empty lines of CR LF CR LF are skipped, never handed out.
// Scanning: native indexOf over the valid bytes only. A CR sentinel is written just
// past the valid end, so XS's indexOf never runs on to the end of the array (with
// lfEndsLine, a second indexOf is stopped at the line's CR by a temporary LF sentinel).
// Overlong lines (no line end within the buffer) are dropped and counted, and the
// framer resyncs at the next line end. NUL and other bytes have no meaning here.
// Ack mode (AT+QFUPL with ACK): a bare 'A' where a line would begin is reported
// through onAck at once, with no line end needed.
//
// AtEngine does not use this class: it applies the same rules in its own receive loop,
// fused with line classification (engine.ts, rx()), to meet its XS compute budget. This
// framer stays as the plain, reusable statement of the rules (and is tested as such).

const CR = 0x0d;
const LF = 0x0a;
const ACK = 0x41; // 'A'

export interface FrameSink {
  /** One line, CR/LF excluded. buf[start..start+length) is valid only during the call. */
  onLine(buf: Uint8Array, start: number, length: number): void;
  /** A bare 'A' at a line start while ack mode is on. */
  onAck(): void;
}

export class Framer {
  /** Receive buffer: `capacity` bytes plus one for the scan sentinel. */
  readonly buf: Uint8Array;
  /** Longest line kept, line end included. */
  readonly capacity: number;
  /** Start of unconsumed bytes. */
  pos: number;
  /** End of valid bytes. */
  len: number;
  /** Inside an overlong line: discard until the next line end. */
  dropping: boolean;
  /** Report a bare 'A' at a line start through onAck (QFUPL ack mode). */
  ackMode: boolean;
  /** Lines dropped because they did not fit. */
  overlong: number;
  /**
   * Whether a bare LF (one not after a CR) also ends a line. Costs a second bounded
   * scan per line (about 8 XS compute units per byte), so it is off by default: the
   * EC800 ends every line with CR LF and its echo with CR. When off, an LF is skipped
   * where a line would begin and is otherwise an ordinary byte of the line.
   */
  lfEndsLine: boolean;
  /** True while process() runs: a nested push only appends (no compaction under live views). */
  private busy: boolean;
  private readonly sink: FrameSink;

  constructor(capacity: number, sink: FrameSink, lfEndsLine?: boolean) {
    if (!(capacity >= 8)) capacity = 8;
    this.capacity = capacity;
    this.buf = new Uint8Array(capacity + 1);
    this.pos = 0;
    this.len = 0;
    this.dropping = false;
    this.ackMode = false;
    this.overlong = 0;
    this.busy = false;
    this.lfEndsLine = lfEndsLine === true;
    this.sink = sink;
  }

  /** Bytes waiting for a line end. */
  pending(): number {
    return this.len - this.pos;
  }

  /** Forget any partial line (e.g. after the module rebooted). */
  reset(): void {
    this.pos = 0;
    this.len = 0;
    this.dropping = false;
  }

  /** Feed data[start..end): copy, then hand out every complete line. */
  push(data: Uint8Array, start: number, end: number): void {
    if (this.busy) {
      // Re-entered from a sink callback: append only; the running loop picks it up.
      this.appendNoCompact(data, start, end);
      return;
    }
    let guard = 0;
    while (start < end) {
      const k = this.append(data, start, end);
      start += k;
      this.process();
      if (k === 0) {
        // Cannot happen (process always leaves room), but never wedge: drop and resync.
        if (++guard > 1) {
          this.overlong++;
          this.reset();
          this.dropping = true;
        }
      }
    }
  }

  /** Copy as much of data[start..end) as fits, compacting first. Returns bytes taken. */
  private append(data: Uint8Array, start: number, end: number): number {
    const buf = this.buf;
    if (this.pos > 0) {
      if (this.pos < this.len) buf.copyWithin(0, this.pos, this.len);
      this.len -= this.pos;
      this.pos = 0;
    }
    return this.copyIn(data, start, end);
  }

  private appendNoCompact(data: Uint8Array, start: number, end: number): void {
    const k = this.copyIn(data, start, end);
    if (k < end - start) {
      // No room while lines are being handed out: the rest is lost; resync later.
      this.overlong++;
    }
  }

  private copyIn(data: Uint8Array, start: number, end: number): number {
    const buf = this.buf;
    const len = this.len;
    let count = end - start;
    const room = this.capacity - len;
    if (count > room) count = room;
    if (count <= 0) return 0;
    if (start === 0 && count === data.length) {
      buf.set(data, len); // whole array: native copy, no view allocated
    } else {
      for (let i = 0; i < count; i++) buf[len + i] = data[start + i];
    }
    this.len = len + count;
    return count;
  }

  /** Hand out every complete line in the buffer. */
  process(): void {
    if (this.busy) return;
    this.busy = true;
    try {
      this.loop();
    } finally {
      this.busy = false;
    }
  }

  private loop(): void {
    const buf = this.buf;
    const sink = this.sink;
    let p = this.pos;
    if (this.dropping) {
      // Inside an overlong line: discard up to its end.
      const n = this.len;
      const c = this.findEnd(p, n);
      if (c >= n) {
        this.pos = 0;
        this.len = 0;
        return;
      }
      this.dropping = false;
      p = c;
    }
    for (;;) {
      const n = this.len; // re-read: a sink call may have appended
      // Skip line ends: the LF of CR LF, and the empty lines of CR LF CR LF. Bytes past
      // the valid end may be read here (stale data or undefined); p >= n then resets.
      let b = buf[p];
      if (b === LF) b = buf[++p];
      while (b === CR) {
        b = buf[++p];
        if (b === LF) b = buf[++p];
      }
      while (b === LF) {
        b = buf[++p];
        while (b === CR) b = buf[++p];
      }
      if (p >= n) {
        this.pos = 0;
        this.len = 0;
        return;
      }
      if (b === ACK && this.ackMode) {
        this.pos = ++p;
        sink.onAck();
        continue;
      }
      buf[n] = CR; // sentinel: the scan stops at the valid end at the latest
      let c = buf.indexOf(CR, p);
      if (this.lfEndsLine) c = this.lfBefore(p, c);
      if (c >= n) {
        // No line end yet.
        if (n - p >= this.capacity) {
          this.overlong++;
          this.dropping = true;
          this.pos = 0;
          this.len = 0;
        } else {
          this.pos = p;
        }
        return;
      }
      this.pos = c + 1;
      sink.onLine(buf, p, c - p);
      p = this.pos;
    }
  }

  /** First line end at or after p, or n when none is in [p, n). */
  private findEnd(p: number, n: number): number {
    const buf = this.buf;
    buf[n] = CR; // sentinel: the scan stops at the valid end at the latest
    const c = buf.indexOf(CR, p);
    return this.lfEndsLine ? this.lfBefore(p, c) : c;
  }

  /** A bare LF in [p, c) ends the line there: scan with a temporary LF sentinel at c. */
  private lfBefore(p: number, c: number): number {
    const buf = this.buf;
    buf[c] = LF;
    const l = buf.indexOf(LF, p);
    buf[c] = CR;
    return l < c ? l : c;
  }
}
