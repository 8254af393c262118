// The framer: UART bytes -> lines. Owns one preallocated receive buffer and nothing
// else: no time, no I/O, no meaning. Lines are handed out as (buf, start, length)
// views that are valid only during the sink call.
//
// Line ends: a CR ends a line (the module ends every reply line with CR LF and its
// echo with CR); an LF ends a line too. An LF that follows a CR, and the empty
// lines of CR LF CR LF, are skipped with one byte test each, never handed out.
// Scanning: native indexOf over the valid bytes only. A CR sentinel is written just
// past the valid end, so XS's indexOf never runs on to the end of the array; the line
// found is then checked for a bare LF by a second indexOf that a temporary LF
// sentinel stops at the line's CR.
// Overlong lines (no line end within the buffer) are dropped and counted, and the
// framer resyncs at the next line end. NUL and other bytes have no meaning here.
// Ack mode (AT+QFUPL with ACK): a bare 'A' where a line would begin is reported
// through onAck at once, with no line end needed.

const CR = 0x0d;
const LF = 0x0a;
const ACK = 0x41; // 'A'
/** Whether a bare LF (not after a CR) ends a line; costs a second bounded scan per line. */
const LF_ENDS_LINE = true;

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
  /** True while process() runs: a nested push only appends (no compaction under live views). */
  private busy: boolean;
  private readonly sink: FrameSink;

  constructor(capacity: number, sink: FrameSink) {
    if (!(capacity >= 8)) capacity = 8;
    this.capacity = capacity;
    this.buf = new Uint8Array(capacity + 1);
    this.pos = 0;
    this.len = 0;
    this.dropping = false;
    this.ackMode = false;
    this.overlong = 0;
    this.busy = false;
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
    for (;;) {
      const p = this.pos;
      const n = this.len;
      if (p >= n) {
        this.pos = 0;
        this.len = 0;
            return;
      }
      const b = buf[p];
      if (b === CR || b === LF) {
        // Empty line, or the LF of a CR LF: skip one byte.
        this.pos = p + 1;
        if (this.dropping) this.dropping = false;
        continue;
      }
      if (b === ACK && this.ackMode && !this.dropping) {
        this.pos = p + 1;
        sink.onAck();
        continue;
      }
      buf[n] = CR; // sentinel: the scan stops at the valid end at the latest
      let c = buf.indexOf(CR, p);
      if (LF_ENDS_LINE) {
        // A bare LF may end the line before the CR: scan [p, c] with an LF sentinel at c.
        buf[c] = LF;
        const l = buf.indexOf(LF, p);
        buf[c] = CR;
        if (l < c) c = l;
      }
      if (c >= n) {
        // No line end yet.
        if (this.dropping) {
          this.pos = 0; // still inside the overlong line: discard what we have
          this.len = 0;
              } else if (n - p >= this.capacity) {
          this.overlong++;
          this.dropping = true;
          this.pos = 0;
          this.len = 0;
              }
        return;
      }
      this.pos = c + 1;
      if (this.dropping) {
        this.dropping = false; // the tail of an overlong line ends here
        continue;
      }
      sink.onLine(buf, p, c - p);
    }
  }
}
