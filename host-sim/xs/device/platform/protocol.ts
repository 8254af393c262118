// The XS bridge: the core runs inside Moddable's XS engine (the `xsnap-worker` binary of
// @agoric/xsnap), the simulated module runs in the Node host (host-sim), and these are the
// messages that cross between them. The host side is host-sim/xs/firmware.ts. Two entries
// speak it: host-sim/xs/device/main.ts (the full core) and host-sim/xs/device/compact.ts
// (the compact core: same ops, its payloads are described there).
//
// Transport: the host calls the script's global `handleCommand(ArrayBuffer)` (a
// "delivery"); during a delivery the script may call `issueCommand(ArrayBuffer)`, which
// blocks until the host answers with an ArrayBuffer. The host answers synchronously from
// inside its own call (see host-sim/xs/sync-worker.ts), so every firmware reaction to a
// delivery happens inside that delivery, in program order, exactly as in a Node run.
//
// Host -> XS, one delivery:   [op u8][now f64 LE][payload]
//   `now` is the virtual clock's time at the delivery; the firmware's Clock.now() returns
//   it (time cannot move while a delivery runs, because the host is blocked in it).
//   OP_START    'S'  payload: configuration JSON (UTF-8)      start the application
//   OP_BYTES    'B'  payload: bytes that arrived on the UART   -> sink.onBytes
//   OP_WRITABLE 'W'  -                                         -> sink.onWritable
//   OP_TIMER    'T'  payload: timer id u32 LE                  a timer fired (stale ids are ignored)
//   OP_RAISE    'A'  payload: alarm JSON                       Cellmail.raise
//   OP_SUBMIT   'J'  payload: job JSON, attachments base64     reply: refusal JSON, or nothing
//   OP_FAILED   'F'  -                                         reply: failed alarms JSON
//   OP_PENDING  'P'  -                                         reply: u32 LE, alarm mails still to send
//   OP_STOP     'X'  -                                         Cellmail.stop
//   OP_LOGLEVEL 'L'  payload: u8 level                         log lines below it are dropped in XS, as a
//                                                              board's log drops them (default: all cross)
//   OP_PROBE    'Q'  -                                         one ISSUE_CLEAR of no timer (the bench measures
//                                                              what a delivery and an answer cost the bridge)
//   OP_GC       'G'  -                                         gc() and nothing else (the host
//                                                              reads live slots from the meter)
//
// XS -> host, issueCommand:   [op u8][payload]                 -> answer
//   ISSUE_WRITE  'w'  u32 LE count, then the bytes (the rest   -> as many bytes as the link took
//                     of the staging buffer is ignored)          (the answer's length is the count)
//   ISSUE_WRITE_WHOLE 'W'  the same, when the firmware handed a whole buffer (data.byteOffset +
//                     start === 0 and end - start === data.buffer.byteLength: the case in which
//                     a board's write, firmware/platform/moddable/serial.ts, allocates nothing;
//                     any other range it copies with buffer.slice). The host counts these
//                     (XsFirmware.wholeWrites) so the bench can take their answers out.
//   ISSUE_TIMER  't'  id u32 LE, ms f64 LE                     -> nothing (host arms a clock timer)
//   ISSUE_CLEAR  'c'  id u32 LE                                -> nothing (host cancels it)
//   ISSUE_LOG    'l'  level u8, message UTF-8                  -> nothing
//   ISSUE_RESULT 'o'  job outcome JSON (as outcomeOf in host-sim/runner/node-firmware.ts)
//   ISSUE_ATTACH 'a'  -                                        the engine attached to the UART
//   ISSUE_CLOSE  'x'  -                                        the engine closed the UART
//   ISSUE_STORE  's'  sub-op, key, value (store.ts)            -> the value, or the keys (the
//                                                              Store lives on the host, like flash)
//
// Costs: timer and clear messages use preallocated buffers (no allocation); a write copies
// its bytes into a preallocated staging buffer that crosses whole (the host's answer, whose
// length is the count taken, is its one ArrayBuffer; choosing 'w' or 'W' allocates nothing);
// a delivery's bytes are read in place (one Uint8Array view over the delivered buffer).
// JSON is only used for control messages (start, raise, submit, results).
// Byte order: both ends run on the same machine; f64 values are copied byte for byte
// through a Float64Array, so "LE" above means the machine's order (little-endian on the
// hosts we run on) and the host writes them with writeDoubleLE.

/** The worker's global: send bytes to the host and block for its answer. */
declare function issueCommand(message: ArrayBufferLike): ArrayBuffer;

export const OP_START = 0x53;
export const OP_BYTES = 0x42;
export const OP_WRITABLE = 0x57;
export const OP_TIMER = 0x54;
export const OP_RAISE = 0x41;
export const OP_SUBMIT = 0x4a;
export const OP_FAILED = 0x46;
export const OP_STOP = 0x58;
export const OP_GC = 0x47;
export const OP_PENDING = 0x50;
export const OP_LOGLEVEL = 0x4c;
export const OP_PROBE = 0x51;

export const ISSUE_WRITE = 0x77;
export const ISSUE_WRITE_WHOLE = 0x57;
export const ISSUE_TIMER = 0x74;
export const ISSUE_CLEAR = 0x63;
export const ISSUE_LOG = 0x6c;
export const ISSUE_RESULT = 0x6f;
export const ISSUE_ATTACH = 0x61;
export const ISSUE_CLOSE = 0x78;
export const ISSUE_STORE = 0x73;

/** Offset of the bytes in a write message (op byte, then the u32 count). */
const WRITE_HEAD = 5;

/** Offset of the payload in a delivery (op byte, then the f64 time). */
export const PAYLOAD = 9;

export function readU32(u: Uint8Array, at: number): number {
  return (u[at] | (u[at + 1] << 8) | (u[at + 2] << 16)) + u[at + 3] * 0x1000000;
}

export function writeU32(u: Uint8Array, at: number, v: number): void {
  u[at] = v & 0xff;
  u[at + 1] = (v >>> 8) & 0xff;
  u[at + 2] = (v >>> 16) & 0xff;
  u[at + 3] = (v >>> 24) & 0xff;
}

/**
 * The script's side of the channel: one object, buffers allocated once at construction.
 * The platform objects (uart, clock, log) send through it.
 */
export class XsChannel {
  private f64: Float64Array;
  private f64b: Uint8Array;
  private timerMsg: Uint8Array;
  private clearMsg: Uint8Array;
  private oneByte: Uint8Array[];
  private staging: Uint8Array;
  /** Virtual time of the delivery being handled. */
  now: number;
  /** Log lines below this level stay in XS (OP_LOGLEVEL). */
  logLevel: number;

  constructor() {
    this.f64 = new Float64Array(1);
    this.f64b = new Uint8Array(this.f64.buffer);
    this.timerMsg = new Uint8Array(13);
    this.timerMsg[0] = ISSUE_TIMER;
    this.clearMsg = new Uint8Array(5);
    this.clearMsg[0] = ISSUE_CLEAR;
    this.oneByte = [];
    this.staging = new Uint8Array(WRITE_HEAD + 1024);
    this.now = 0;
    this.logLevel = 0;
  }

  /** Take the time from a delivery's header. */
  takeTime(u: Uint8Array): void {
    const b = this.f64b;
    for (let i = 0; i < 8; i++) b[i] = u[1 + i];
    this.now = this.f64[0];
  }

  /**
   * Offer data[start..end) to the host's UART; returns how many bytes it took. The bytes are
   * copied into the staging buffer, which crosses whole with their count in its header, and
   * the host answers with as many bytes as it took: the only allocation is the answer's
   * ArrayBuffer. A board's write allocates nothing for a whole buffer and one ArrayBuffer
   * (a slice) for part of one, so the op says which (ISSUE_WRITE_WHOLE: the same test as
   * serial.ts, numbers only, nothing allocated) and the bench takes the whole ones' answers out.
   */
  write(data: Uint8Array, start: number, end: number): number {
    const n = end - start;
    if (n <= 0) return 0;
    if (this.staging.length < n + WRITE_HEAD) this.staging = new Uint8Array(n + WRITE_HEAD);
    const s = this.staging;
    s[0] = data.byteOffset + start === 0 && n === data.buffer.byteLength ? ISSUE_WRITE_WHOLE : ISSUE_WRITE;
    writeU32(s, 1, n);
    for (let i = 0; i < n; i++) s[WRITE_HEAD + i] = data[start + i];
    return issueCommand(s.buffer).byteLength;
  }

  setTimer(id: number, ms: number): void {
    const m = this.timerMsg;
    writeU32(m, 1, id);
    this.f64[0] = ms;
    const b = this.f64b;
    for (let i = 0; i < 8; i++) m[5 + i] = b[i];
    issueCommand(m.buffer);
  }

  clearTimer(id: number): void {
    writeU32(this.clearMsg, 1, id);
    issueCommand(this.clearMsg.buffer);
  }

  /** A message that is only an op byte (attach, close). */
  signal(op: number): void {
    let m: Uint8Array | null = null;
    for (let i = 0; i < this.oneByte.length; i++) if (this.oneByte[i][0] === op) m = this.oneByte[i];
    if (m === null) {
      m = new Uint8Array(1);
      m[0] = op;
      this.oneByte.push(m);
    }
    issueCommand(m.buffer);
  }

  /** A message already built (op byte first); the host's answer. */
  ask(message: Uint8Array): Uint8Array {
    return new Uint8Array(issueCommand(message.buffer));
  }

  /** An op byte, one header byte when `head` >= 0, then bytes already encoded (log lines, JSON). */
  send(op: number, head: number, bytes: Uint8Array): void {
    const at = head >= 0 ? 2 : 1;
    const m = new Uint8Array(bytes.length + at);
    m[0] = op;
    if (head >= 0) m[1] = head;
    m.set(bytes, at);
    issueCommand(m.buffer);
  }
}
