// The AT engine: one command in flight, the next waiting behind it (one in a one-place
// holder, at/waiting.ts, more with the optional command queue, firmware/ext/queue), an absolute deadline per
// command, line classification (echo, final result, reply of the command in flight,
// URC, CONNECT prompt), the settle pause, and data mode with back-pressure and ACK
// pacing. It owns the transmit staging buffers and the receive buffer. Time comes only from the Clock.
//
// Classification of a received line, in this order:
//  1. the echo of the command in flight (a line ending with "AT" + command): ignored; while
//     it is due, a line starting with "AT" that differs from it is the echo of what the
//     module took instead (see "Echo check" below): noted and consumed;
//  2. a final result or prompt, found by the ResultTable (one lookup on the first byte);
//  3. a line starting with the in-flight command's prefix: that command's reply (onLine);
//     SHAPE_LINE and SHAPE_LINES both deliver every such line (a URC that shares the
//     prefix, e.g. "+CEREG: 1" during AT+CEREG?, reaches onLine too: parse tolerantly);
//     SHAPE_DEFERRED never takes lines: its prefix is the later URC's, for onUrc;
//  4. a registered URC prefix: every matching handler is called;
//  5. anything else is counted as unknown and dropped; it never blocks anything.
//
// Receiving: the engine frames lines itself in one loop fused with the classification above
// (rx()), because in XS every bytecode is metered and a framer -> sink call per line, a
// second pass over the line and per-line method calls cost more than the budget of DESIGN.md
// section 7 allows (issue 12 built the layered shape and measured it: docs/design.md). The
// framing rules: a CR ends a line (an LF too with lfEndsLine); an LF where a line would begin
// is skipped, and so are the empty lines of CR LF CR LF; a line of lineBufferSize bytes or
// more is dropped to its end and counted (stats().overlong); a bare 'A' in ack mode is an ACK.
// test/at/framing.test.ts holds rx() to a plain reference splitter for every way of cutting
// the input. Costs and choices are noted at rx().
//
// Late final results (a final that belongs to a command that already timed out):
//  - A timeout leaves the engine "owed" one final result (if the command was fully
//    written). The next command is written only after the settle pause; a final result
//    that arrives while no command is in flight (during that pause or any other time) is
//    counted in stats().lateFinals and dropped, and clears the debt.
//  - While owed, a final result for the new command is taken as the old command's late
//    one (counted, dropped, debt cleared) when
//      a) echo is known to be on (the last command echoed) and the new command's echo
//         has not been seen yet: the module echoes a command before it answers it; or
//      b) it is OK and the command cannot be finished by a bare OK yet: a SHAPE_PROMPT
//         command before CONNECT, a SHAPE_LINE command before its information line.
//  - Seeing the new command's echo clears the debt: the module has moved on.
//  - A timeout of a command whose echo never came marks echo as off, so a lost (never
//    sent) final result cannot make every later command time out in turn.
//  - Residual case, documented rather than guessed: with echo off, a late final that
//    arrives after the next SHAPE_NONE/SHAPE_LINES command was written cannot be told
//    from that command's own; keep echo on, or let consecutiveTimeouts() drive recovery.
//  - An OK before CONNECT never completes a SHAPE_PROMPT command (counted as late), unless the
//    command's reply line came before it: a CONNECT damaged on the UART, the module's input time
//    run out, and its answer ("+QSMTPBODY: 0", OK) ends the command.
//  - A CONNECT read PROMPT_MS or more after its command was written lost its line end on the
//    UART and came after the module's input time: nothing is written (the module is back in
//    command mode), and the answer that follows ends the command.
//  - A line that was already partly received when the command was written (noise
//    without a line end, glued to what follows) is never its final result or reply.
//
// Echo check (keep echo on, ATE1): the module echoes a command as it received it, so a
// byte lost or changed on its way (inside a quoted value the module would take as it
// came) shows in the echo. A command whose final result is OK is reported as
// RESULT_GARBLED when its echo was due and did not match: a differing "AT..." line came
// instead, or echo is known to be on (the last command echoed) and no echo came. Other
// final results are reported as they are (they already say the command failed). The
// check runs once per command, at its final result; data-mode payload bytes are not
// echoed, only the command line is. A command that ends without its echo marks echo as
// off, as above, so a module with echo really off costs one report, not one per command.
// Callers for which a second execution is worse than a doubt (AT+QSMTPPUT) may take
// RESULT_GARBLED as OK.
import { codeAt } from "../text/code-at.js";
import type { Clock, TimerHandle, Uart, UartSink } from "../platform/types.js";
import { LineView } from "./line.js";
import { DATA_ACK, DATA_BROKEN, DATA_DONE, DataMode } from "./data.js";
import type { DataOwner } from "./data.js";
import { OneWaiting } from "./waiting.js";
import {
  ResultTable,
  TOKEN_CME,
  TOKEN_CMS,
  TOKEN_CONNECT,
  TOKEN_NO_CARRIER,
  TOKEN_NONE,
  TOKEN_OK,
  TOKEN_SEND_OK,
} from "./results.js";
import {
  PROMPT_MS,
  RESULT_CANCELLED,
  RESULT_CME,
  RESULT_CMS,
  RESULT_DAMAGED,
  RESULT_ERROR,
  RESULT_GARBLED,
  RESULT_OK,
  RESULT_REJECTED,
  RESULT_SEND_FAIL,
  RESULT_TIMEOUT,
  SHAPE_DEFERRED,
  SHAPE_LINE,
  SHAPE_LINES,
  SHAPE_NONE,
  SHAPE_PROMPT,
} from "./types.js";
import type {
  AtDone,
  AtEngineOptions,
  AtPort,
  AtRequest,
  AtResult,
  AtStats,
  AtWaiting,
  ByteSource,
  Prefix,
  UrcHandler,
} from "./types.js";
import { keyOf, NEVER, NIL, NO_FIELDS, UrcRegistry } from "./urc.js";
import { asWordPrefix, makePrefix, midMatch, PFX_CR, PFX_LF } from "./prefix.js";

// In-flight command states.
const ST_IDLE = 0;
const ST_WAIT = 1; //   command written (or being written); waiting for reply lines and the final result
const ST_PROMPT = 2; // SHAPE_PROMPT: waiting for CONNECT
const ST_DATA = 3; //   writing the payload
const ST_ACK = 4; //    payload paused: waiting for the module's 'A'
const ST_AFTER = 5; //  payload written: waiting for result lines and the final result

const CR = 0x0d;
const LF = 0x0a;
const ACK = 0x41; // 'A'
const GT = 0x3e; // '>': the prompt of AT+QISEND / AT+QSSLSEND, "> " without a line end
const CTRL_Z = 0x1a; // ends a variable-length send's payload: send it (commitEcho)
const ESC = 0x1b; //    ... or cancel it
// A commitEcho send's phases (the variable-length AT+QISEND=<id>: types.ts, AtRequest.commitEcho).
const CK_ECHO = 1; //        prompt awaited, payload being written and its echo compared
const CK_COMMIT = 2; //      the echo matched: Ctrl+Z written, SEND OK awaited
const CK_CANCEL = 3; //      the echo differed or stalled: ESC written, its OK awaited
const CK_NO_PROMPT = 4; //   no prompt came: ESC written (in case the prompt was lost), nothing was sent
const CK_COMMIT_ESC = 5; //  Ctrl+Z got no answer: ESC written (in case Ctrl+Z was lost)
/** After the payload is written, its echo must be complete within this (else ESC). */
const ECHO_STALL_MS = 300;
/**
 * How long an ESC written after the payload waits for its answer: longer than the module's
 * own input time (5 s from the prompt, docs/sockets.md), so a module still in the send
 * (the ESC lost too) has ended it with ERROR by then, and silence means it was not in one.
 */
const ESC_WAIT_MS = 6000;
// A readsData command's answer: its count line, n bytes, CR LF CR LF, then the final result.
const RD_DATA = 1; //  the count line came: the bytes and CR LF CR LF are due
const RD_FINAL = 2; // only the final result may come now
// Where counted raw bytes go (rawTo).
const RAW_SKIP = 0; // nowhere: a payload's echo (echoData)
const RAW_ECHO = 1; // the echo check of a commitEcho send
const RAW_READ = 2; // the reading request's readsData
const CRLFCRLF = 0x0d0a0d0a;
const W_OK_CRLF = 0x4f4b0d0a; // "OK\r\n"
const W_CME = 0x2b434d45; // "+CME"
const W_CMS = 0x2b434d53; // "+CMS"
const W_ERR = 0x20455252; // " ERR" at offset 4 of "+CME ERROR:"
const W_ROR = 0x524f523a; // "ROR:" at offset 7

// First-byte classes of a received line (the receive loop's one table lookup; 0: any other
// byte, '+' included: the prefix path).
const K_O = 2; //     'O': OK          (classes from K_O up take the slow path unless OK or ACK)
const K_TOKEN = 3; // 'E', 'N', 'C', 'S': ERROR, NO CARRIER, CONNECT, SEND OK / SEND FAIL
const K_ACK = 4; //   'A': the ACK byte in QFUPL ack mode
const K_END = 5; //   CR, LF: line ends, skipped where a line would begin

// What the receive loop found out about a line before its end was known.

const DEFAULT_LINE_BUFFER = 512;
const DEFAULT_TX_BUFFER = 600;
const DEFAULT_SETTLE_MS = 20;
const DEFAULT_CHUNK = 256;

/** Options beyond the shared contract (AtEngineOptions), accepted by AtEngine. */
export interface AtEngineExtraOptions extends AtEngineOptions {
  /** Data-mode staging buffer (bytes read from the ByteSource per write). Default 256. */
  dataChunkSize?: number;
  /** Also end lines at a bare LF (costs a second scan per line). Default false: CR ends lines. */
  lfEndsLine?: boolean;
}

function isWholeNumber(x: number): boolean {
  return typeof x === "number" && x === x && Math.floor(x) === x && x !== Infinity && x !== -Infinity;
}

function pick(value: number | undefined, fallback: number, min: number): number {
  if (value === undefined || !isWholeNumber(value) || value < min) return fallback;
  return value;
}

export class AtEngine implements AtPort, UartSink, DataOwner {
  /** Set by close(); read by the URC registry to stop dispatching. */
  closed: boolean;

  private readonly uart: Uart;
  private readonly clock: Clock;
  private readonly settleMs: number;
  private readonly view: LineView;
  /** DataView over the receive buffer: 32-bit reads for token and prefix matching. */
  private readonly dv: DataView;

  // Receive side: the framing rules (top of this file), fused with classification (see rx()).
  /**
   * Receive buffer: `rcap` bytes, one for the scan sentinel, and room for a 32-bit read
   * at any offset up to rcap + 4 (the prefix compares read the word that ends a prefix
   * of up to 8 bytes before they know the line is that long).
   */
  private readonly rbuf: Uint8Array;
  /** Longest line kept, line end included. */
  private readonly rcap: number;
  /** Start of unconsumed bytes. */
  private rpos: number;
  /** End of valid bytes. */
  private rlen: number;
  /** The line at rpos has no line end in [rpos, rscan): a scan resumes there. */
  private rscan: number;
  /** Inside an overlong line: discard until the next line end. */
  private dropping: boolean;
  /** rx() must first finish what the last delivery left: dropping, rawLeft or skipByte. */
  private detour: boolean;
  /** Report a bare 'A' at a line start through onAck (QFUPL ack mode). */
  private ackMode: boolean;
  /** A bare LF ends a line too (a second bounded scan per line). */
  private readonly lfEnds: boolean;
  /** True while rx() runs: a nested onBytes only appends. */
  private rbusy: boolean;
  private nOverlong: number;
  /** First byte -> K_* class. */
  private readonly cls: Uint8Array;

  // The in-flight command's reply prefix, encoded for the receive loop (rLen -1: none).
  private rLen: number;
  private rMask: number;
  private rW0: number;
  private rWl: number;
  private rMid: Int32Array | null;
  private rWm: number;
  private rFa: number;
  /** rFa as an offset from the line start for view.f0 (negative enough to stay < 0 when rFa is -1). */
  private rF0: number;
  /**
   * The bucket (UrcRegistry's keyOf) of the reply prefix while one is awaited, else -1: the
   * receive loop tries the reply prefix only on lines of its bucket. A prefix shorter than
   * three bytes has no bucket: while it is awaited every line takes line() (see regate()).
   */
  private rKey: number;
  /** The prefix the r* fields encode, its length (rLen is -1 between commands) and its bucket (-1: none). */
  private rPfx: Prefix | null;
  private rPfxLen: number;
  private rPfxKey: number;
  /** Last byte of "AT" + command (the echo's last byte). */
  private txLast: number;
  /** Every line takes line() (see regate()). */
  private gateAll: boolean;
  /** The echo's last byte while the echo is due, else -1: a line ending with it takes line() (regate()). */
  private gateLast: number;
  private readonly table: ResultTable;
  private readonly urcs: UrcRegistry;
  private readonly tx: Uint8Array;

  // Commands waiting behind the one in flight (AtEngineOptions.queue, or the engine's one).
  private readonly queue: AtWaiting;

  // The command in flight.
  private cur: AtRequest | null;
  private curDone: AtDone | null;
  private state: number;
  private gen: number;
  private txLen: number;
  private txPos: number;
  /** The command text the TX buffer holds ("AT" + it + CR), or null. */
  private txCmd: string | null;
  private cmdLen: number;
  private writeTime: number;
  private deadline: TimerHandle;
  private echoSeen: boolean;
  /** A line starting with "AT" that is not the command's echo came while its echo was due. */
  private echoBad: boolean;
  private lineSeen: boolean;
  /** A partial line was pending when the command was written: its completion is not an answer. */
  private preLine: boolean;

  // Data mode.
  private readonly data: DataMode;

  // Counted raw bytes (the data after "+QIRD: <n>", a payload's echo): taken as they come,
  // never framed, so nothing inside them (CR LF, "OK", "SEND OK") is read as a line.
  /** Raw bytes still to come. */
  private rawLeft: number;
  /**
   * A byte to skip where the stream resumes, if it is there (-1: none): the LF of the
   * counting line's CR LF before raw bytes, or the space of a "> " prompt cut after its '>'.
   */
  private skipByte: number;
  /**
   * Who gets them (RAW_*): nobody (the echo of a payload), the echo check, or the reading
   * request's readsData, called as its method (rawReq): no function kept for either (XS heap).
   */
  private rawTo: number;
  private rawReq: AtRequest | null;
  /** After a read's counted bytes: checking their end (tail()), the line-end bytes seen (count, and as bits: LF 1, CR 0), the last counted byte. */
  private tailLeft: number;
  private tailSeen: number;
  private tailBits: number;
  private rawLast: number;
  /** A readsData command's answer so far (RD_*, 0: no count line yet), and whether it broke its form. */
  private rdCheck: number;
  private rdBad: boolean;
  /** A commitEcho send: its phase (CK_*, 0: none), echo bytes compared, whether one differed, the control byte to write (-1: none). */
  private ckPhase: number;
  private ckPos: number;
  /** AtResult.echoed of the result being reported (the check's count of a commitEcho send, else -1). */
  private echoedOut: number;
  private ckBad: boolean;
  private ckByte: number;
  /** The last SEND OK / SEND FAIL / OK token was SEND OK (after ESC, OK and SEND OK differ). */
  private ckSendOk: boolean;
  private readonly ck1: Uint8Array;
  private readonly ckBuf: Uint8Array;
  /** The command in flight counts raw bytes after its reply line: its lines all take line(). */
  private slowReplies: boolean;

  // Late-final bookkeeping, settle pause, re-entrancy.
  private owed: boolean;
  private echoOn: boolean;
  private settling: boolean;
  private settleTimer: TimerHandle;
  private depth: number;
  private pumpPending: boolean;


  /** The result object handed to done callbacks (reused), and the callback nesting depth. */
  private readonly result: AtResult;
  private reporting: number;

  // Counters.
  private nLines: number;
  private nLate: number;
  private nUrcs: number;
  /** Lines the receive loop handed to a URC handler (each a line and a URC: one count, see stats()). */
  private nFastUrcs: number;
  /** "OK" lines the receive loop dropped with no command in flight (each a line and a late final). */
  private nLateOk: number;
  private nUnknown: number;
  private nTimeouts: number;
  private nConsecutive: number;

  // Timer callbacks, bound once.
  private readonly onDeadlineFn: () => void;
  private readonly onSettleFn: () => void;

  constructor(uart: Uart, clock: Clock, options?: AtEngineExtraOptions) {
    const o: AtEngineExtraOptions = options === undefined || options === null ? {} : options;
    this.closed = false;
    this.uart = uart;
    this.clock = clock;
    this.settleMs = pick(o.settleMs, DEFAULT_SETTLE_MS, 0);
    this.rcap = pick(o.lineBufferSize, DEFAULT_LINE_BUFFER, 8);
    this.rbuf = new Uint8Array(this.rcap + 8);
    this.rpos = 0;
    this.rlen = 0;
    this.rscan = 0;
    this.dropping = false;
    this.ackMode = false;
    this.lfEnds = o.lfEndsLine === true;
    this.rbusy = false;
    this.nOverlong = 0;
    this.cls = new Uint8Array(256);
    this.cls[ACK] = K_ACK;
    this.cls[0x4f] = K_O; // O
    this.cls[0x45] = K_TOKEN; // E
    this.cls[0x4e] = K_TOKEN; // N
    this.cls[0x43] = K_TOKEN; // C
    this.cls[0x53] = K_TOKEN; // S: SEND OK, SEND FAIL
    this.cls[CR] = K_END;
    this.cls[LF] = K_END;
    this.rLen = -1;
    this.rMask = 0;
    this.rW0 = 0;
    this.rWl = 0;
    this.rMid = null;
    this.rWm = 0;
    this.rFa = -1;
    this.rF0 = NO_FIELDS;
    this.rKey = -1;
    this.rPfx = null;
    this.rPfxLen = -1;
    this.rPfxKey = -1;
    this.txLast = -1;
    this.gateAll = false;
    this.gateLast = -1;
    this.view = new LineView(this.rbuf);
    this.dv = new DataView(this.rbuf.buffer, this.rbuf.byteOffset, this.rbuf.byteLength);
    this.table = new ResultTable();
    this.urcs = new UrcRegistry(this.lfEnds, this.dv, this);
    this.tx = new Uint8Array(pick(o.txBufferSize, DEFAULT_TX_BUFFER, 4));
    this.data = new DataMode(pick(o.dataChunkSize, DEFAULT_CHUNK, 1));

    this.queue = o.queue !== undefined && o.queue !== null ? o.queue : new OneWaiting();

    this.cur = null;
    this.curDone = null;
    this.state = ST_IDLE;
    this.gen = 0;
    this.txLen = 0;
    this.txPos = 0;
    this.txCmd = null;
    this.cmdLen = 0;
    this.writeTime = 0;
    this.deadline = null;
    this.echoSeen = false;
    this.echoBad = false;
    this.lineSeen = false;
    this.preLine = false;

    this.owed = false;
    this.echoOn = false;
    this.settling = false;
    this.settleTimer = null;
    this.depth = 0;
    this.pumpPending = false;


    this.result = { code: 0, errorCode: -1, errorText: "", elapsedMs: 0, echoed: -1 };
    this.echoedOut = -1;
    this.reporting = 0;
    this.nLines = 0;
    this.nLate = 0;
    this.nUrcs = 0;
    this.nFastUrcs = 0;
    this.nLateOk = 0;
    this.nUnknown = 0;
    this.nTimeouts = 0;
    this.nConsecutive = 0;

    this.onDeadlineFn = () => this.onDeadline();
    this.onSettleFn = () => this.onSettle();
    // The socket forms' state (AT+QISEND's prompt, counted raw bytes).
    this.detour = false;
    this.slowReplies = false;
    this.rawLeft = 0;
    this.skipByte = -1;
    this.rawTo = RAW_SKIP;
    this.rawReq = null;
    this.tailLeft = 0;
    this.tailSeen = 0;
    this.tailBits = 0;
    this.rawLast = -1;
    this.rdCheck = 0;
    this.rdBad = false;
    this.ckPhase = 0;
    this.ckPos = 0;
    this.ckBad = false;
    this.ckByte = -1;
    this.ckSendOk = false;
    this.ck1 = new Uint8Array(1);
    this.ckBuf = new Uint8Array(64);

    uart.attach(this);
  }

  // ---------------------------------------------------------------- public API

  prefix(text: string): Prefix {
    return makePrefix(text);
  }

  send(request: AtRequest, done: AtDone): boolean {
    if (this.closed || !this.queue.push(request, done)) return false;
    // Only an idle engine can start it now; otherwise the settle timer or the completion
    // kicks the pump (saves a pump run per command).
    if (this.cur === null && !this.settling) this.kick();
    return true;
  }

  room(): number {
    return this.closed ? -1 : this.queue.capacity - this.queue.count;
  }

  onUrc(prefix: Prefix, handler: UrcHandler): void {
    this.urcs.add(asWordPrefix(prefix), handler);
    this.regate();
  }

  flush(): void {
    if (this.closed) return;
    this.depth++;
    try {
      this.owed = false; // the module restarted (or we gave up): nothing more is owed
      if (this.cur !== null) this.complete(RESULT_CANCELLED, -1, "");
      this.cancelQueued(this.queue.count);
    } finally {
      this.leave();
    }
  }

  /**
   * A wait ended (a command's deadline, the job's send wait or pause): a line still open lost
   * its CR on the UART (the module said all it will say), and the module's next CR, which
   * would end it, may not come for minutes (a +QSMTPPUT result is the last thing it says).
   * It ends now. Only at a deadline, never at a delivery's end: framing stays the same for
   * every way of cutting the input. Espruino's link has the same rule (Framing.takeOpenLine).
   */
  takeOpenLine(): void {
    const n = this.rlen;
    if (this.closed || this.rbusy || this.detour || this.ackMode || n <= this.rpos) return;
    // The byte just past the valid ones (the stop, rx()) becomes the lost CR, delivered from
    // the buffer itself: nothing is allocated for it.
    this.rbuf[n] = CR;
    this.onBytes(this.rbuf, n, n + 1);
  }

  consecutiveTimeouts(): number {
    return this.nConsecutive;
  }

  stats(): AtStats {
    return {
      lines: this.nLines + this.nFastUrcs + this.nLateOk,
      overlong: this.nOverlong,
      lateFinals: this.nLate + this.nLateOk,
      urcs: this.nUrcs + this.nFastUrcs,
      unknown: this.nUnknown,
      timeouts: this.nTimeouts,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimer(this.deadline);
    this.deadline = null;
    this.clearTimer(this.settleTimer);
    this.settleTimer = null;
    // Tell everyone waiting that it is over, now, before close returns.
    const done = this.curDone;
    const elapsed = this.cur !== null ? this.clock.now() - this.writeTime : 0;
    this.cur = null;
    this.curDone = null;
    this.state = ST_IDLE;
    this.rLen = -1;
    this.rKey = -1;
    this.gateAll = this.urcs.anyShort;
    this.gateLast = -1;
    this.data.clear();
    this.endRaw();
    if (done !== null) this.callDone(done, RESULT_CANCELLED, -1, "", elapsed);
    this.cancelQueued(this.queue.count);
  }

  /** Bytes waiting in the receive buffer for a line end (tests, diagnostics). */
  pendingBytes(): number {
    return this.rlen - this.rpos;
  }

  /** Commands queued behind the one in flight. */
  queued(): number {
    return this.queue.count;
  }

  /** True while a command is in flight. */
  busy(): boolean {
    return this.cur !== null;
  }

  // ---------------------------------------------------------------- UartSink

  onBytes(data: Uint8Array, start: number, end: number): void {
    const len = this.rlen;
    if (start === 0 && end === data.length && end <= this.rcap - len && !this.rbusy && !this.closed) {
      // The common delivery (a whole array that fits): one native copy, the stop, rx().
      this.rbuf.set(data, len);
      this.rlen = len + end;
      this.rbuf[len + end] = CR; // the stop (see rx())
      this.rbuf[len + end + 1] = 0;
      this.depth++;
      this.rbusy = true;
      try {
        this.rx();
      } finally {
        this.rbusy = false;
        if (--this.depth === 0 && this.pumpPending && !this.closed) this.kick();
      }
      return;
    }
    // A part of an array, one that does not fit, or a nested or late delivery. (Kept in
    // this function: a second frame here would deepen every callback's stack.)
    if (this.closed) return;
    if (this.rbusy) {
      // Re-entered from a callback while lines are handed out: append only (no
      // compaction under the line being handled); the running loop picks it up.
      if (this.copyIn(data, start, end) < end - start) this.nOverlong++; // no room: resync later
      return;
    }
    this.depth++;
    this.rbusy = true;
    try {
      let guard = 0;
      for (;;) {
        let len = this.rlen;
        let count = end - start;
        if (count > this.rcap - len) {
          // Out of room: the partial line moves to the front (only then: a partial line
          // that stays where it is costs nothing, and its resume offset stays valid).
          const pos = this.rpos;
          if (pos > 0) {
            if (pos < len) this.rbuf.copyWithin(0, pos, len);
            len -= pos;
            this.rlen = len;
            this.rpos = 0;
            this.rscan -= pos;
          }
          if (count > this.rcap - len) count = this.rcap - len;
        }
        if (count > 0) {
          if (start === 0 && count === data.length) this.rbuf.set(data, len); // whole array: native copy, no view
          else this.copyIn(data, start, start + count);
          this.rlen = len + count;
          start += count;
        } else if (++guard > 1) {
          // Cannot happen (rx always leaves room), but never wedge: drop and resync.
          this.nOverlong++;
          this.rpos = 0;
          this.rlen = 0;
          this.rscan = 0;
          this.dropping = true;
          this.detour = true;
        }
        const rbuf = this.rbuf;
        rbuf[this.rlen] = CR; // the stop (see rx())
        rbuf[this.rlen + 1] = 0;
        this.rx();
        if (start >= end || this.closed) break;
      }
    } finally {
      this.rbusy = false;
      if (--this.depth === 0 && this.pumpPending && !this.closed) this.kick();
    }
  }

  onWritable(): void {
    if (this.closed) return;
    this.kick();
  }

  // ---------------------------------------------------------------- receive loop

  /** Copy as much of data[start..end) as fits after the valid bytes (a byte loop). Returns bytes taken. */
  private copyIn(data: Uint8Array, start: number, end: number): number {
    const buf = this.rbuf;
    const len = this.rlen;
    let count = end - start;
    const room = this.rcap - len;
    if (count > room) count = room;
    if (count <= 0) return 0;
    for (let i = 0; i < count; i++) buf[len + i] = data[start + i];
    this.rlen = len + count;
    buf[len + count] = CR; // the stop (see rx())
    buf[len + count + 1] = 0;
    return count;
  }

  /**
   * Frame and classify every complete line in the receive buffer. The framing rules are
   * the ones at the top of this file (test/at/framing.test.ts holds them to a reference);
   * the classification is the order given there (line() does it in full). Costs are XS meter units (DESIGN.md
   * section 7; about one per bytecode, indexOf 8 per byte scanned), so the loop:
   *  - relies on the stop: the bytes CR, 0 just past the valid end, written by every
   *    append (onBytes, copyIn). It ends the native scan; it is the only way to the
   *    end-of-data check (its CR classes as a line end); no prefix and no "\r\n\r\n"
   *    or "OK\r\n" word can match across it, so no match needs a bounds check;
   *  - skips "\r\n\r\n" with one 32-bit read, takes a complete "OK\r\n" with one
   *    compare of the line's first word, and classifies by its first byte;
   *  - finds which prefix (the reply prefix of the command in flight, or a URC prefix:
   *    one lookup keyed by the first three bytes) starts the line before it looks for
   *    the line end (valid because no prefix that can match holds a line end byte),
   *    and starts the one native indexOf after that prefix;
   *  - resumes the scan of a line split across deliveries where the last one stopped;
   *  - hands a reply line or a URC to its callback inline when nothing else can claim
   *    it (see regate()); everything else goes through line().
   * Measured steps (xs.at.computePerByte): see docs/design.md.
   */
  private rx(): void {
    const buf = this.rbuf;
    const dv = this.dv;
    const cls = this.cls;
    // The URC table's arrays the common line reads (the rarer ones through this.urcs: each
    // local is a stack slot under every handler).
    const uHead = this.urcs.head;
    const uLen = this.urcs.len;
    const uMask = this.urcs.mask;
    const uW0 = this.urcs.w0;
    const uWl = this.urcs.wl;
    const uF0 = this.urcs.f0;
    const uInline = this.urcs.inline;
    const view = this.view;
    let p = this.rpos;
    let rs = this.rscan;
    if (this.detour) {
      // What the last delivery left unfinished, before any framing: a byte to skip (the space
      // of a "> " prompt cut after its '>', an LF before raw bytes), counted raw bytes still
      // due, an overlong line's rest.
      this.detour = false;
      p = this.skip(p);
      if (this.rawLeft > 0 || this.tailLeft > 0) {
        p = this.raw(p);
        if (p < 0) return;
        rs = 0;
      }
      if (this.dropping) {
        // Inside an overlong line: discard up to its end.
        const n = this.rlen;
        const c = this.findEnd(rs, n);
        if (c >= n) {
          this.rpos = 0;
          this.rlen = 0;
          this.rscan = 0;
          this.detour = true;
          return;
        }
        this.dropping = false;
        p = c;
        rs = 0;
      }
      if (this.skipByte >= 0) this.detour = true;
    }
    // The loop's variables live at function level: in XS a block's own bindings cost a
    // scope per iteration.
    let n = 0; // end of valid bytes, re-read per line: a callback may have appended
    let w = 0; // the line's first word
    let k = 0; // its first byte's class (K_*)
    let q = 0; // where the line-end scan starts (-1: no prefix starts the line)
    let um = NIL; // the URC entry whose prefix starts the line; NIL: the reply prefix
    let l = 0;
    let c = 0; // the line end
    for (;;) {
      n = this.rlen;
      // Skip line ends: the CR that ended the last line, the LF of CR LF, and the empty
      // lines of CR LF CR LF. Bytes past the valid end may be read here (stale data or
      // undefined); p >= n then resets.
      if (dv.getInt32(p) === CRLFCRLF) p += 4;
      w = dv.getInt32(p);
      if (w === W_OK_CRLF) {
        // A complete "OK" (all four bytes valid: the stop at n is CR, 0): no scan at all.
        if (this.cur === null) {
          this.nLateOk++; // nobody waits for it: a line and a late final, dropped
          this.owed = false;
        } else {
          this.nLines++;
          this.rpos = p + 3;
          this.okLine();
          if (this.closed) return;
        }
        p += 2;
        continue;
      }
      k = cls[w >>> 24];
      if (k !== 0) {
        if (k === K_END) {
          // Line ends that CR LF CR LF did not cover, or the stop at n (then all is consumed).
          k = buf[++p];
          while (k === CR || k === LF) k = buf[++p];
          if (p < n) continue; // the line starts at p: read its word (and the OK check) there
          this.rpos = 0;
          this.rlen = 0;
          this.rscan = 0;
          return;
        }
        if (k !== K_ACK || !this.ackMode) {
          // OK with blanks or cut after its CR, ERROR, NO CARRIER, CONNECT, SEND OK/FAIL,
          // or a line that starts like them: final results are tried first.
          p = this.slowLine(p, rs, k);
          if (p < 0) return;
          rs = 0;
          continue;
        }
        this.rpos = ++p; // an ACK in QFUPL ack mode
        this.onAck();
        if (this.closed) return;
        continue;
      }

      // What starts the line, before its end is known: the reply prefix of the command
      // in flight (when its bucket is the line's), or the first URC prefix in the line's
      // bucket. No prefix that can match holds a line end, so a match means the line end
      // lies past it: the scan starts there. A match never reaches past the valid end: the
      // stop's CR at n differs from every prefix byte (a prefix holding a CR never
      // matches). (A word read ends at most 8 bytes past p, inside the buffer; longer
      // prefixes are compared only over valid bytes.)
      l = ((w >> 8) ^ (w >> 15)) & 0xff; // the line's bucket
      um = uHead[l];
      q = -1;
      if (
        l === this.rKey &&
        (w & this.rMask) === this.rW0 &&
        ((l = this.rLen) <= 4 || ((l <= 8 || p + l <= n) && dv.getInt32(p + l - 4) === this.rWl && (l <= 8 || (dv.getInt32(p + 4) === this.rWm && (l <= 12 || midMatch(dv, p, this.rMid))))))
      ) {
        // A reply prefix could start "+CME ERROR:"/"+CMS ERROR:": checked on reply lines only.
        um = NIL;
        if (w !== W_CME && w !== W_CMS) q = p + this.rLen;
      } else {
        while (um !== NIL) {
          l = uLen[um];
          if (
            (w & uMask[um]) === uW0[um] &&
            (l <= 4 || ((l <= 8 || p + l <= n) && dv.getInt32(p + l - 4) === uWl[um] && (l <= 8 || (dv.getInt32(p + 4) === this.urcs.wm[um] && (l <= 12 || midMatch(dv, p, this.urcs.mid[um]))))))
          ) {
            q = p + l;
            break;
          }
          um = this.urcs.next[um];
        }
      }
      if (q < 0) {
        if (n - p < 12 && w >>> 24 !== GT && !this.lfEnds && buf.indexOf(CR, p) >= n && buf[n - 1] !== LF) {
          // Cut before a prefix could be matched (the delivery ended inside its first bytes):
          // kept as it is for the next delivery. ("> " has no line end, and with lfEnds an LF
          // may end it: slowLine.)
          this.partial(p, n);
          return;
        }
        // No prefix starts it (an unknown line), or it may be +CME/+CMS ERROR (no URC
        // prefix in the table can start one: see UrcRegistry.add).
        p = this.slowLine(p, rs, k);
        if (p < 0) return;
        rs = 0;
        continue;
      }

      // The line end: one native scan from q (or from where the last scan of this line
      // stopped), stopped at the valid end by a CR sentinel.
      if (q < rs) q = rs;
      rs = 0;
      c = buf.indexOf(CR, q);
      if (this.lfEnds) {
        buf[c] = LF; // a second scan, stopped at the CR by a temporary LF sentinel
        l = buf.indexOf(LF, q);
        buf[c] = CR;
        if (l < c) c = l;
      }
      if (c >= n) {
        this.partial(p, n);
        return;
      }
      if (this.gateAll || (buf[c - 1] === this.gateLast && c - p >= this.cmdLen) || (this.preLine && um === NIL)) {
        // The line may be the echo, every line must take the full classification (see
        // regate()), or a reply line may have begun before its command went out.
        this.rpos = c + 1;
        if (!this.line(p, c, w, TOKEN_NONE)) return;
        p = c;
        if (this.rawLeft > 0) {
          // The line counted raw bytes (+QIRD: <n>): they follow its CR LF.
          p = this.raw(c + 1);
          if (p < 0) return;
        }
        continue;
      }
      // A URC that had begun before the command went out is still a URC (and not the
      // echo: see the gate above); the next line is the command's to answer.
      if (this.preLine) this.preLine = false;
      // (rpos is not advanced here: nothing reads it until rx() returns, and every way
      // out of rx() sets it.)
      view.start = p;
      view.length = c - p;
      view.nIdx = -1;
      if (um === NIL) {
        // 3. Reply of the command in flight.
        this.nLines++;
        view.f0 = p + this.rF0;
        this.lineSeen = true;
        // onLine is called as the request's method (a request may be an object that carries it).
        const req = this.cur as AtRequest;
        if (req.onLine !== undefined) {
          req.onLine(view);
          if (this.closed) return;
        }
      } else {
        // 4. URC: the first match, then later entries that can match the same line.
        this.nFastUrcs++; // a line and a URC (stats())
        view.f0 = p + uF0[um];
        uInline[um].urc(view);
        if (this.closed) return;
      }
      p = c;
    }
  }

  /** First line end in [from, n) (n when none): a native scan bounded by a CR sentinel. */
  private findEnd(from: number, n: number): number {
    const buf = this.rbuf;
    buf[n] = CR;
    const c = buf.indexOf(CR, from);
    if (!this.lfEnds) return c;
    buf[c] = LF; // a second scan, stopped at the CR by a temporary LF sentinel
    const l = buf.indexOf(LF, from);
    buf[c] = CR;
    return l < c ? l : c;
  }

  /** No line end after the line at p yet: keep it (scan resumes at n), or drop it when overlong. */
  private partial(p: number, n: number): void {
    if (n - p >= this.rcap) {
      this.nOverlong++;
      this.dropping = true;
      this.detour = true;
      this.rpos = 0;
      this.rlen = 0;
      this.rscan = 0;
    } else {
      this.rpos = p;
      this.rscan = n;
    }
  }

  /**
   * A line that rx() does not take inline: scan for its end (from the resume point rs
   * when further), then classify it in full. Returns where the next line may begin
   * (the line end), or -1 when the loop must stop (no line end yet, or closed).
   */
  private slowLine(p: number, rs: number, k: number): number {
    const buf = this.rbuf;
    const n = this.rlen;
    let tok = TOKEN_NONE;
    let q = p;
    if (buf[p] === 0x2b && p + 11 <= n) {
      const w = this.dv.getInt32(p);
      if ((w === W_CME || w === W_CMS) && this.dv.getInt32(p + 4) === W_ERR && this.dv.getInt32(p + 7) === W_ROR) {
        tok = w === W_CME ? TOKEN_CME : TOKEN_CMS;
        q = p + 11; // "+CME ERROR:" holds no line end: the scan starts after it
      }
    }
    let c = this.findEnd(q < rs ? rs : q, n);
    if (c >= n) {
      // "> " has no line end: the prompt of a socket send, when one waits for it.
      if (buf[p] === GT && n - p <= 2 && this.state === ST_PROMPT && (this.cur as AtRequest).promptGt === true) return this.gtPrompt(p, n);
      // A final result whose CR was lost on the UART ("OK\n" ending the delivery): its line
      // ends at the LF, for the next CR may not come before the command's deadline. Only a
      // final result: other lines wait for their CR, and framing stays the same for every way
      // of cutting the input but this one (a final result followed by more than its LF has
      // lost two bytes).
      if (tok === TOKEN_NONE && k >= K_O && buf[n - 1] === LF && n - 1 > p) tok = this.table.classify(this.dv, buf, p, n - 1 - p);
      if (tok === TOKEN_NONE || buf[n - 1] !== LF) {
        this.partial(p, n);
        return -1;
      }
      c = n - 1;
    }
    this.rpos = c + 1;
    // A final result is classified without an LF before its CR: the CR of its CR LF lost on
    // the UART leaves "OK\n" before the next line's CR (Espruino's link, which ends lines at
    // LF, takes it too). Only here, on the slow path, where every such line comes.
    if (tok === TOKEN_NONE && k >= K_O) tok = this.table.classify(this.dv, buf, p, (buf[c - 1] === LF && c - 1 > p ? c - 1 : c) - p);
    if (tok !== TOKEN_NONE && tok !== TOKEN_CONNECT && this.cur === null) {
      // A final result nobody waits for (what line() would conclude): counted, dropped.
      this.nLines++;
      this.late();
      return c;
    }
    if (!this.line(p, c, this.dv.getInt32(p), tok)) return -1;
    return this.rawLeft > 0 ? this.raw(c + 1) : c;
  }

  /**
   * The "> " prompt of a socket send (AT+QISEND, AT+QSSLSEND) at p: the payload follows;
   * its echo, when the module gives one (echoData), is counted out as raw bytes. Returns
   * where the next line may begin, or -1 (see slowLine).
   */
  private gtPrompt(p: number, n: number): number {
    this.nLines++;
    const cur = this.cur as AtRequest;
    this.skipByte = 0x20; // the prompt's space, now or in a later delivery
    this.detour = true;
    const e = this.skip(p + 1);
    this.rpos = e;
    if (cur.echoData === true) {
      this.rawLeft = (cur.data as ByteSource).length;
      this.rawTo = RAW_SKIP;
      this.rawReq = null;
    } else if (cur.commitEcho === true) {
      // The echo is compared as it comes (echoCheck); Ctrl+Z or ESC once it is all in.
      this.rawLeft = (cur.data as ByteSource).length;
      this.rawTo = RAW_ECHO;
      this.ckPos = 0;
    }
    this.startData();
    return this.rawLeft > 0 ? this.raw(e) : e;
  }

  /**
   * Take counted raw bytes from p on (to their sink, or skipped). Returns where framing
   * resumes, or -1 when every buffered byte was taken and more are to come (the buffer is
   * then empty) or the engine was closed.
   */
  private raw(p: number): number {
    const buf = this.rbuf;
    for (;;) {
      p = this.skip(p);
      const n = this.rlen; // re-read: a sink may have appended
      let k = n - p;
      if (k > this.rawLeft) k = this.rawLeft;
      if (k > 0) {
        this.rawLeft -= k;
        const to = this.rawTo;
        const req = this.rawReq;
        if (this.rawLeft === 0) {
          this.rawTo = RAW_SKIP;
          this.rawReq = null;
        }
        this.rawLast = buf[p + k - 1];
        if (to === RAW_ECHO) this.echoCheck(buf, p, p + k);
        else if (to === RAW_READ) (req as AtRequest).readsData!(buf, p, p + k);
        if (this.closed) return -1;
        p += k;
      }
      if (this.rawLeft === 0) {
        if (this.tailLeft > 0) p = this.tail(p);
        if (this.tailLeft === 0) {
          this.rpos = p;
          return p;
        }
      }
      if (p >= this.rlen) {
        this.rpos = 0;
        this.rlen = 0;
        this.rscan = 0;
        this.detour = true;
        return -1;
      }
    }
  }

  /**
   * A read's counted bytes must be followed by CR LF CR LF, then the final result: a byte of
   * the data lost makes the count take the first CR of that end (and a lost count digit
   * takes data bytes for it). One exception is proved harmless and taken: exactly three
   * line-end bytes that are CR LF CR LF with one missing, after data whose last byte is LF.
   * A lost data byte would have made the count end on the tail's CR instead, so the byte
   * lost was one of the end's. Checked from p, across deliveries; returns where framing
   * resumes (the final result's line, or the first byte that broke the form).
   */
  private tail(p: number): number {
    const buf = this.rbuf;
    const n = this.rlen;
    while (p < n) {
      const b = buf[p];
      if (b !== CR && b !== LF) {
        const s = this.tailSeen;
        const t = this.tailBits; // CR LF CR LF less one: LF CR LF 5, CR CR LF 1, CR LF LF 3, CR LF CR 2
        if (!(s === 3 && this.rawLast === LF && (t === 5 || t === 1 || t === 3 || t === 2))) this.rdBad = true;
        this.tailLeft = 0;
        this.rdCheck = RD_FINAL;
        return p;
      }
      this.tailBits = (this.tailBits << 1) | (b === LF ? 1 : 0);
      p++;
      if (++this.tailSeen === 4) {
        if (this.tailBits !== 5) this.rdBad = true; // CR LF CR LF
        this.tailLeft = 0;
        this.rdCheck = RD_FINAL;
        return p;
      }
    }
    return p;
  }

  /**
   * commitEcho: the module's echo of the payload, compared with what was written as it
   * comes (in pieces of the scratch buffer: no allocation). Once all of it is in, Ctrl+Z
   * when every byte matched, else ESC.
   */
  private echoCheck(d: Uint8Array, start: number, end: number): void {
    const src = (this.cur as AtRequest).data as ByteSource;
    const b = this.ckBuf;
    let i = start;
    if (src.same !== undefined && !this.ckBad) {
      if (!src.same(this.ckPos, d, start, end)) this.ckBad = true;
      this.ckPos += end - start;
      i = end;
    }
    while (i < end && !this.ckBad) {
      let m = end - i;
      if (m > b.length) m = b.length;
      if (src.read(this.ckPos, b, 0, m) !== m) this.ckBad = true;
      for (let j = 0; j < m && !this.ckBad; j++) if (d[i + j] !== b[j]) this.ckBad = true;
      this.ckPos += m;
      i += m;
    }
    if (this.rawLeft > 0) return;
    this.ckControl(this.ckBad ? CK_CANCEL : CK_COMMIT);
  }

  /** Write Ctrl+Z (CK_COMMIT) or ESC (any other phase) once the payload is out; the deadline starts again for the answer. */
  private ckControl(phase: number): void {
    this.ckPhase = phase;
    this.ckByte = phase === CK_COMMIT ? CTRL_Z : ESC;
    const dl = this.deadline;
    if (dl !== null && dl !== undefined) this.clock.clearTimer(dl);
    const wait = phase === CK_CANCEL || phase === CK_COMMIT_ESC ? ESC_WAIT_MS : (this.cur as AtRequest).timeoutMs;
    this.deadline = this.clock.setTimer(wait, this.onDeadlineFn);
    this.kick();
  }

  /** commitEcho: the command's deadline passed in `phase`: ESC, or the end (true). */
  private ckDeadline(): boolean {
    const ph = this.ckPhase;
    if (ph === CK_ECHO) {
      // No prompt, or the echo stalled (a payload byte or an echo byte lost): cancel.
      const prompted = this.state !== ST_PROMPT;
      this.endRaw();
      this.state = ST_AFTER;
      this.ckControl(prompted ? CK_CANCEL : CK_NO_PROMPT);
      return false;
    }
    if (ph === CK_COMMIT) {
      this.ckControl(CK_COMMIT_ESC);
      return false;
    }
    return true;
  }

  /** The result of a commitEcho send, from the final result (or timeout) and the phase. */
  private ckResult(code: number, ph: number): number {
    // The payload's echo proved what the module took: a differing echo of the command line does not matter.
    if (ph === CK_COMMIT) return code === RESULT_GARBLED ? RESULT_OK : code;
    if (ph === CK_ECHO) return code;
    const sendOk = code === RESULT_OK && this.ckSendOk;
    // ESC's answer: OK (cancelled), or ERROR (the module's input time ran out first): nothing was sent.
    const dropped = (code === RESULT_OK && !sendOk) || code === RESULT_GARBLED || code === RESULT_ERROR || code === RESULT_CME;
    if (ph === CK_COMMIT_ESC) {
      // Ctrl+Z was written and no SEND OK came. Silence after ESC: the module was not in a
      // send any more (Ctrl+Z was taken, its SEND OK lost on the way): sent.
      if (sendOk || code === RESULT_TIMEOUT) return RESULT_OK;
      if (code === RESULT_SEND_FAIL) return code;
      return dropped ? RESULT_GARBLED : RESULT_DAMAGED;
    }
    if (ph === CK_NO_PROMPT) return sendOk ? RESULT_DAMAGED : RESULT_GARBLED; // no payload was written
    // CK_CANCEL: a SEND OK, SEND FAIL or silence means the module left the send before the ESC
    // (a payload byte turned into Ctrl+Z or ESC on the wire): what it did with it is unknown.
    return dropped ? RESULT_GARBLED : RESULT_DAMAGED;
  }

  /** Step over skipByte at p when it is there; once a byte is there to decide, nothing is to be skipped any more. */
  private skip(p: number): number {
    const b = this.skipByte;
    if (b < 0 || p >= this.rlen) return p;
    this.skipByte = -1;
    return this.rbuf[p] === b ? p + 1 : p;
  }

  /** Forget counted raw bytes still due (their command ended without them: timeout, cancel, close). */
  private endRaw(): void {
    this.rawLeft = 0;
    this.tailLeft = 0;
    this.skipByte = -1;
    this.rawTo = RAW_SKIP;
    this.rawReq = null;
  }

  /**
   * The full classification of the line buf[p..c) (the order at the top of this file).
   * `tok` is its final-result or prompt token when known (TOKEN_NONE otherwise), `w` its
   * first word. Returns false when the engine was closed by a callback.
   */
  private line(p: number, c: number, w: number, tok: number): boolean {
    const buf = this.rbuf;
    const view = this.view;
    const len = c - p;
    this.nLines++;
    const cur = this.cur;
    let pre = false;
    // After a read's bytes only its final result may come (a line here: the count was short).
    if (this.rdCheck === RD_FINAL && tok === TOKEN_NONE) this.rdBad = true;
    if (cur !== null) {
      // A line that had begun before the command went out cannot be its answer.
      if (this.preLine) {
        pre = true;
        this.preLine = false;
      }
      // 1. Echo of the command in flight.
      if (!this.echoSeen) {
        if (len >= this.cmdLen && this.isEcho(buf, p, len)) {
          const st = this.state;
          if (st === ST_WAIT || st === ST_PROMPT) {
            this.echoSeen = true;
            this.echoOn = true;
            this.owed = false;
            this.regate();
            return true;
          }
        } else if ((w >>> 16) === 0x4154 && !pre && (this.state === ST_WAIT || this.state === ST_PROMPT)) {
          // "AT..." but not what was sent: the echo of the command as the module took it
          // (a byte lost or changed on the way), and the module has moved on. An OK for
          // this command is reported as RESULT_GARBLED (onToken). The line is consumed.
          // (echoOn is left alone: junk that merely looks like an echo must not make the
          // engine wait for echoes that never come.)
          this.echoBad = true;
          this.owed = false;
          return true;
        }
      }
    }
    // 2. Final result or prompt.
    if (tok !== TOKEN_NONE) {
      if (pre) {
        this.late(); // a final result that began before our command: an old one
        return true;
      }
      view.start = p;
      view.length = len;
      view.f0 = tok === TOKEN_CME || tok === TOKEN_CMS ? p + 11 : -1;
      view.nIdx = -1;
      if (this.onToken(tok)) return !this.closed;
    }
    // 3. Reply of the command in flight.
    if (!pre && this.replyAt(p, len, w)) {
      this.lineSeen = true;
      const fa = this.rFa;
      view.start = p;
      view.length = len;
      view.f0 = fa >= 0 ? p + fa : -1;
      view.nIdx = -1;
      // Called as the request's methods (a request may be an object that carries them).
      const req = cur as AtRequest;
      if (req.onLine !== undefined) req.onLine(view);
      if (req.readsData !== undefined && this.rawLeft === 0 && !this.closed) {
        // "+QIRD: <n>": n raw bytes follow the line's CR LF (rx() and slowLine() take them),
        // then CR LF CR LF (tail()). A second count line is a damaged answer.
        if (this.rdCheck !== 0) this.rdBad = true;
        const k = view.int(0, 0);
        this.rdCheck = k > 0 ? RD_DATA : RD_FINAL;
        if (k > 0) {
          this.rawLeft = k;
          this.tailLeft = 1;
          this.tailSeen = 0;
          this.tailBits = 0;
          this.skipByte = LF;
          this.rawTo = RAW_READ;
          this.rawReq = req;
        }
      }
      return !this.closed;
    }
    // 4. URC, 5. unknown.
    const urcs = this.urcs;
    if (!urcs.anyShort) {
      // Every prefix is in the three-byte table: the line's bucket holds all candidates.
      const first = urcs.firstInBucket(this.dv, p, len, w);
      if (first === NIL) {
        this.nUnknown++;
        return true;
      }
      view.start = p;
      view.length = len;
      view.f0 = p + urcs.f0[first];
      view.nIdx = -1;
      // (and the later related entries: UrcRegistry.chained)
      urcs.inline[first].urc(view);
      this.nUrcs++;
      return !this.closed;
    }
    const first = urcs.first(this.dv, p, len, w);
    if (first === NIL) {
      this.nUnknown++;
      return true;
    }
    view.start = p;
    view.length = len;
    view.f0 = -1;
    view.nIdx = -1;
    if (urcs.dispatch(this.dv, p, len, w, view, this) > 0) this.nUrcs++;
    else this.nUnknown++;
    return !this.closed;
  }

  /** The in-flight command's reply prefix starts the line at p (of len bytes, first word w). */
  private replyAt(p: number, len: number, w: number): boolean {
    const rl = this.rLen;
    if (rl < 0 || rl > len || (w & this.rMask) !== this.rW0) return false;
    return rl <= 4 || (this.dv.getInt32(p + rl - 4) === this.rWl && (rl <= 8 || midMatch(this.dv, p, this.rMid)));
  }

  /**
   * Which lines rx() must hand to line() instead of taking them inline. Every line
   * (gateAll) while short URC prefixes are registered, while the command in flight counts
   * raw bytes after its reply (slowReplies) or awaits a reply prefix shorter than three
   * bytes (rKey -2). Otherwise, while its echo is due, a line ending with the echo's
   * last byte (gateLast) and at least as long as the echo. (A reply line that had begun
   * before the command went out, preLine, is checked apart.)
   */
  private regate(): void {
    const busy = this.cur !== null;
    this.gateAll = this.urcs.anyShort || (busy && (this.slowReplies || this.rKey === -2));
    this.gateLast = busy && !this.echoSeen ? this.txLast : -1;
  }

  /** A complete "OK" while a command may be waiting for it. */
  private okLine(): void {
    if (this.cur !== null) {
      if (this.preLine) {
        // A line that had begun before the command went out cannot be its answer.
        this.preLine = false;
        this.late();
        return;
      }
    }
    this.onToken(TOKEN_OK);
  }

  /** Encode the reply prefix of the command about to go out for the receive loop. */
  private replyPrefix(req: AtRequest): void {
    const shape = req.shape;
    const pf = req.prefix;
    if (pf === undefined || pf === null || shape === SHAPE_NONE || shape === SHAPE_DEFERRED) {
      this.rLen = -1;
      this.rKey = -1;
      return;
    }
    if (pf === this.rPfx) {
      this.rLen = this.rPfxLen; // the same prefix as the last command's: encoded already
      this.rKey = this.rPfxKey;
      return;
    }
    const wp = asWordPrefix(pf);
    const never = (wp.ends & PFX_CR) !== 0 || ((wp.ends & PFX_LF) !== 0 && this.lfEnds);
    this.rPfx = pf;
    this.rPfxLen = never ? NEVER : wp.bytes.length;
    this.rLen = this.rPfxLen;
    this.rMask = never ? 0 : wp.mask;
    this.rW0 = never ? 1 : wp.w0; // never: (w & 0) !== 1
    this.rWl = wp.wl;
    this.rMid = wp.mid;
    this.rWm = wp.mid !== null ? wp.mid[0] : 0;
    this.rFa = wp.fieldsAt;
    this.rF0 = wp.fieldsAt >= 0 ? wp.fieldsAt : NO_FIELDS;
    // No bucket for a prefix that can never start a line (-1 matches no line) or one
    // shorter than three bytes (-2: every line takes line() while it is awaited, regate()).
    this.rPfxKey = never ? -1 : wp.bytes.length < 3 ? -2 : keyOf(wp.w0);
    this.rKey = this.rPfxKey;
  }

  onAck(): void {
    if (this.closed) return;
    if (this.cur === null || this.data.every <= 0) return;
    if (this.state === ST_DATA || this.state === ST_ACK) {
      this.data.ack();
      if (this.state === ST_ACK) {
        this.state = ST_DATA;
        this.kick();
      }
    }
  }

  // ---------------------------------------------------------------- classification helpers

  /**
   * The line ends with "AT" + command: the echo, possibly glued to the unterminated
   * tail of earlier noise (power-up garbage has no line end). Compared from the end.
   */
  private isEcho(buf: Uint8Array, start: number, length: number): boolean {
    const tx = this.tx;
    const n = this.cmdLen;
    const base = start + length - n;
    for (let i = n - 1; i >= 0; i--) if (buf[base + i] !== tx[i]) return false;
    return true;
  }

  /** Handle a final-result or prompt token; false when the line is not one here (falls through). */
  private onToken(token: number): boolean {
    if (token === TOKEN_CONNECT) {
      if (this.cur !== null && this.state === ST_PROMPT) {
        // Only soon after the command (PROMPT_MS): a late CONNECT lost its line end and the
        // module has left data mode, so nothing is written and its answer ends the command.
        if (this.clock.now() - this.writeTime < PROMPT_MS) this.startData();
        else this.state = ST_AFTER;
        return true;
      }
      return false;
    }
    // The tokens of final results are numbered as their results, one up (results.ts).
    let code = token - TOKEN_OK;
    if (token >= TOKEN_SEND_OK) {
      // SEND OK / SEND FAIL end only a socket send's payload; after anything else they are lines.
      if (this.cur !== null && (this.cur.promptGt !== true || this.state !== ST_AFTER)) return false;
      code = token === TOKEN_SEND_OK ? RESULT_OK : RESULT_SEND_FAIL;
      this.ckSendOk = token === TOKEN_SEND_OK;
    } else if (token < TOKEN_OK || token > TOKEN_NO_CARRIER) return false;

    if (this.cur === null || this.state === ST_IDLE) {
      this.late(); // nobody waits for it: counted, dropped, and its error code never parsed
      return true;
    }
    // The error code is read only for a final result that will be reported.
    let errCode = -1;
    let errText = "";
    if (code === RESULT_CME || code === RESULT_CMS) {
      errCode = this.view.int(0, -1);
      if (errCode < 0) {
        errCode = -1;
        errText = this.view.rest(); // allocates, on the error path only
      }
    }

    const cur = this.cur as AtRequest;
    const st = this.state;
    if (this.owed && !this.echoSeen) {
      if (this.echoOn) {
        this.late();
        return true;
      }
      if (code === RESULT_OK && cur.shape === SHAPE_LINE && !this.lineSeen) {
        this.late();
        return true;
      }
      this.owed = false;
    }
    if (st === ST_PROMPT && code === RESULT_OK && !this.lineSeen) {
      // An OK cannot answer a prompt command before CONNECT, unless the command's own reply
      // line came first: the module has ended its data mode (its CONNECT was damaged on the
      // UART, and its input time ran out), and this OK is its answer (a body short).
      this.late();
      return true;
    }
    // The echo check, once per command: an OK for a command whose echo was due (echo known
    // on, or a differing echo came) and did not match is not the OK of what was sent.
    this.complete(code === RESULT_OK && !this.echoSeen && (this.echoOn || this.echoBad) ? RESULT_GARBLED : code, errCode, errText);
    return true;
  }

  private late(): void {
    this.nLate++;
    this.owed = false;
  }

  // ---------------------------------------------------------------- completion and callbacks

  private complete(code: number, errCode: number, errText: string): void {
    const done = this.curDone;
    const cur = this.cur;
    if (cur === null || done === null) return;
    if (cur.readsData !== undefined && cur.shape === SHAPE_LINE && (code === RESULT_OK || code === RESULT_GARBLED) && (this.rdBad || this.rdCheck !== RD_FINAL)) {
      code = RESULT_DAMAGED; // the answer broke its form: bytes of it were lost
    }
    // A final result before our Ctrl+Z went out: the module left the send on its own (a byte
    // turned into Ctrl+Z or ESC on the wire), judged as after an ESC.
    const ck = this.ckPhase === CK_COMMIT && this.ckByte >= 0 ? CK_CANCEL : this.ckPhase;
    this.rdCheck = 0;
    this.rdBad = false;
    this.ckPhase = 0;
    this.ckByte = -1;
    const clock = this.clock;
    const elapsed = clock.now() - this.writeTime;
    const dl = this.deadline;
    if (dl !== null && dl !== undefined) clock.clearTimer(dl);
    this.deadline = null;
    if (code === RESULT_TIMEOUT || code === RESULT_CANCELLED) this.endRaw();
    if (code === RESULT_TIMEOUT) {
      this.nTimeouts++;
      this.nConsecutive++;
      this.owed = this.txPos >= this.txLen;
      if (!this.echoSeen) this.echoOn = false;
    } else if (code !== RESULT_CANCELLED) {
      this.nConsecutive = 0;
      if (!this.echoSeen) this.echoOn = false;
    }
    this.cur = null;
    this.curDone = null;
    this.state = ST_IDLE;
    this.rLen = -1;
    this.rKey = -1;
    this.gateAll = this.urcs.anyShort;
    this.gateLast = -1;
    this.slowReplies = false;
    if (cur.shape === SHAPE_PROMPT) {
      this.data.clear();
      this.ackMode = false;
    }
    // The settle pause (startSettle, inline: once per command).
    const st = this.settleTimer;
    if (st !== null && st !== undefined) clock.clearTimer(st);
    this.settling = true;
    this.settleTimer = clock.setTimer(this.settleMs, this.onSettleFn);
    this.echoedOut = ck === 0 || ck === CK_NO_PROMPT ? -1 : this.ckPos;
    this.callDone(done, ck !== 0 ? this.ckResult(code, ck) : code, errCode, errText, elapsed);
  }

  /**
   * Report a result. The AtResult is the engine's own, reused for every report (no
   * allocation per command): callers read it during the callback and copy what they
   * keep. A report made while another callback is still running (e.g. a done callback
   * that calls flush()) gets a fresh object, so the outer callback's result stays intact.
   */
  private callDone(done: AtDone, code: number, errCode: number, errText: string, elapsed: number): void {
    let result = this.result;
    if (this.reporting > 0) result = { code: 0, errorCode: -1, errorText: "", elapsedMs: 0, echoed: -1 };
    result.echoed = this.echoedOut;
    this.echoedOut = -1;
    result.code = code;
    result.errorCode = errCode;
    result.errorText = errText;
    result.elapsedMs = elapsed;
    this.depth++;
    this.reporting++;
    try {
      if (typeof done === "function") done(result);
      else done.atDone(result);
    } finally {
      this.reporting--;
      if (--this.depth === 0 && this.pumpPending && !this.closed) this.kick();
    }
  }

  /** Cancel the first `n` queued commands (those queued when the cancel began). */
  private cancelQueued(n: number): void {
    const q = this.queue;
    while (n > 0 && q.shift()) {
      n--;
      const done = q.done;
      q.req = null;
      q.done = null;
      if (done !== null) this.callDone(done, RESULT_CANCELLED, -1, "", 0);
    }
  }

  // ---------------------------------------------------------------- timers

  private clearTimer(h: TimerHandle): void {
    if (h !== null && h !== undefined) this.clock.clearTimer(h);
  }

  private onSettle(): void {
    this.settleTimer = null;
    if (this.closed) return;
    this.settling = false;
    this.kick();
  }

  private onDeadline(): void {
    this.deadline = null;
    if (this.closed || this.cur === null) return;
    this.depth++;
    try {
      if (this.ckPhase !== 0 && !this.ckDeadline()) return;
      this.takeOpenLine(); // a line whose CR was lost ends here, before the command is judged
      if (this.cur !== null) this.complete(RESULT_TIMEOUT, -1, "");
    } finally {
      this.leave();
    }
  }

  // ---------------------------------------------------------------- the pump (all writes happen here)

  private leave(): void {
    this.depth--;
    if (this.depth === 0 && this.pumpPending && !this.closed) this.kick();
  }

  /** Run the pump now, or as soon as the current callback chain unwinds. */
  private kick(): void {
    if (this.closed) return;
    if (this.depth > 0) {
      this.pumpPending = true;
      return;
    }
    this.depth++;
    try {
      do {
        this.pumpPending = false;
        this.pumpOnce();
      } while (this.pumpPending && !this.closed);
    } finally {
      this.depth--;
    }
  }

  private pumpOnce(): void {
    if (this.closed) return;
    if (this.cur === null) {
      // Start the next command once the settle pause is over.
      const q = this.queue;
      while (this.cur === null && !this.settling && !this.closed && q.shift()) {
        const req = q.req as AtRequest;
        const done = q.done as AtDone;
        q.req = null;
        q.done = null;
        if (!this.prepare(req)) {
          this.slowReplies = false;
          this.callDone(done, RESULT_REJECTED, -1, "", 0);
          continue;
        }
        this.gen++;
        this.cur = req;
        this.curDone = done;
        this.state = req.shape === SHAPE_PROMPT ? ST_PROMPT : ST_WAIT;
        this.echoSeen = false;
        this.echoBad = false;
        this.lineSeen = false;
        this.ckPhase = req.commitEcho === true ? CK_ECHO : 0;
        this.ckBad = false;
        this.ckByte = -1;
        this.ckSendOk = false;
        this.preLine = this.rlen > this.rpos;
        const shape = req.shape;
        if (req.prefix === this.rPfx && shape !== SHAPE_NONE && shape !== SHAPE_DEFERRED) {
          this.rLen = this.rPfxLen;
          this.rKey = this.rPfxKey;
        } else this.replyPrefix(req);
        this.gateAll = this.urcs.anyShort || this.slowReplies || this.rKey === -2; // regate(), inline
        this.gateLast = this.txLast;
        this.writeTime = this.clock.now();
        this.deadline = this.clock.setTimer(req.timeoutMs, this.onDeadlineFn);
        break; // written just below
      }
      if (this.cur === null || this.closed) return;
    }
    if (this.txPos < this.txLen) {
      const g = this.gen;
      const n = this.uart.write(this.tx, this.txPos, this.txLen);
      if (g !== this.gen || this.cur === null) return;
      if (n > 0) this.txPos += n;
      if (this.txPos < this.txLen) return; // onWritable continues
    }
    if (this.state === ST_DATA) this.pumpData();
    if (this.ckByte >= 0 && this.state === ST_AFTER) {
      // commitEcho's Ctrl+Z or ESC, after the whole payload.
      this.ck1[0] = this.ckByte;
      if (this.uart.write(this.ck1, 0, 1) === 1) this.ckByte = -1;
    }
  }

  /** Validate a request and stage "AT" + command + CR in the TX buffer. */
  private prepare(req: AtRequest): boolean {
    if (req === null || typeof req !== "object") return false;
    const t = req.timeoutMs;
    if (!(t > 0) || t === Infinity) return false;
    const shape = req.shape;
    let ackEvery = 0;
    if (shape === SHAPE_LINE || shape === SHAPE_LINES) {
      if (req.prefix === undefined || req.prefix === null) return false;
      // readsData counts only on SHAPE_LINE (on other shapes no reply line reaches it).
      const reads = req.readsData;
      if (reads !== undefined && (typeof reads !== "function" || shape !== SHAPE_LINE)) return false;
      this.slowReplies = reads !== undefined;
    } else if (shape === SHAPE_PROMPT) {
      const data = req.data;
      if (data === undefined || data === null || !isWholeNumber(data.length) || data.length < 0) return false;
      // The "> " prompt has no ACK pacing; echoData belongs to it.
      if (req.promptGt === true ? req.ackEvery !== undefined : req.echoData === true || req.commitEcho === true) return false;
      if (req.echoData === true && req.commitEcho === true) return false;
      if (req.ackEvery !== undefined) {
        if (!isWholeNumber(req.ackEvery) || req.ackEvery < 0) return false;
        ackEvery = req.ackEvery;
      }
    } else if (shape !== SHAPE_NONE && shape !== SHAPE_DEFERRED) {
      return false;
    }
    // Encode only when the text differs from what the TX buffer holds: in XS, reading a
    // string's length allocates (text/code-at.ts), and polls repeat the same command.
    const cmd = req.command;
    if (cmd !== this.txCmd) {
      if (typeof cmd !== "string") return false;
      this.txCmd = null;
      const n = cmd.length;
      const tx = this.tx;
      if (n + 3 > tx.length) return false;
      tx[0] = 0x41; // A
      tx[1] = 0x54; // T
      for (let i = 0; i < n; i++) {
        const c = codeAt.call(cmd, i);
        if (c < 0x20 || c > 0x7e) return false; // printable ASCII only: no CR/LF/controls, nothing above 0x7E
        tx[2 + i] = c;
      }
      tx[2 + n] = CR;
      this.txLast = tx[n + 1];
      this.txLen = n + 3;
      this.cmdLen = n + 2;
      this.txCmd = cmd;
    }
    this.txPos = 0;
    if (shape === SHAPE_PROMPT) this.data.load(req.data as ByteSource, ackEvery); // cleared when it ends (complete)
    return true;
  }

  // ---------------------------------------------------------------- data mode

  private startData(): void {
    this.state = ST_DATA;
    this.data.begin();
    this.ackMode = this.data.every > 0;
    this.kick(); // runs once the current line has been handled
  }

  /** DataOwner: the payload of generation `gen` is still being written. */
  dataLive(gen: number): boolean {
    return gen === this.gen && this.state === ST_DATA;
  }

  private pumpData(): void {
    const r = this.data.pump(this.uart, this, this.gen);
    if (r === DATA_DONE) {
      this.state = ST_AFTER;
      if (this.ckPhase === CK_ECHO && this.rawLeft > 0) {
        // The payload is out: its echo must follow at once, or it stalled (ESC: ckDeadline).
        const dl = this.deadline;
        if (dl !== null && dl !== undefined) this.clock.clearTimer(dl);
        this.deadline = this.clock.setTimer(ECHO_STALL_MS, this.onDeadlineFn);
      }
    }
    else if (r === DATA_ACK) this.state = ST_ACK;
    // The source broke its promise: stop. The module is still in data mode: its own
    // timeout ends it (or a reset).
    else if (r === DATA_BROKEN) this.complete(RESULT_REJECTED, -1, "");
  }
}
