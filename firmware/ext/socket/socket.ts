// The module's own TCP and TLS sockets as a byte stream (modem/stream.ts): AT+QIOPEN /
// AT+QSSLOPEN, AT+QISEND / AT+QSSLSEND, AT+QIRD / AT+QSSLRECV, AT+QICLOSE / AT+QSSLCLOSE
// and their URCs, in buffer access mode (docs/sockets.md has the exact forms and sources).
// An optional module on the modem layer: the compositions that carry cellmail's own SMTP
// client (firmware/ext/smtp) hand it this stream.
//
// One connection at a time (mails are sent one at a time), on one connect id. The
// conversation with the module, as a table (what comes in -> what the socket does):
//
//   connect          [AT+QISDE=1 once per module boot] AT+QIOPEN -> OK, then
//                    +QIOPEN: <id>,<err>: 0 open, else the socket code (550-574, kind network);
//                    563 (the id still taken: an earlier close never arrived), or OK after an
//                    echo that differed (some open was taken): the id closed, the open
//                    written again (twice per connect at most)
//   no open URC      (or one that is not "<our id>,<0 or 550-574>": damaged on the UART) ->
//                    8 s after the OK: AT+QISTATE=1,<id> / AT+QSSLSTATE=<id>: connected ->
//                    open, as if the URC came; opening -> asked again every 10 s up to
//                    150 s; closed or not listed, twice in a row -> the open failed (kind
//                    network)
//   write            in chunks (adaptive, below): AT+QISEND=<id> (variable length), "> ",
//                    the chunk, its echo compared by the engine (AtRequest.commitEcho):
//                    Ctrl+Z -> SEND OK: the next chunk, onSent after the last; the echo
//                    differed or stalled: ESC, nothing was sent, the chunk again, smaller;
//                    ERROR (nothing was sent): again; SEND FAIL, DAMAGED (whether it left is
//                    unknown), too many tries: onClosed(error)
//   "recv" URC       AT+QIRD=<id>,1500 -> "+QIRD: <got>", got raw bytes, kept until the
//                    engine saw the answer's end intact (CR LF CR LF OK), then onBytes;
//                    read again while a read returns the full 1500 (the module sends no
//                    new "recv" URC before its buffer was read empty, which a shorter read
//                    did: docs/sockets.md); a read answered ERROR, or nothing
//                    at all (its command never reached the module), is asked again (3
//                    tries); a damaged answer (RESULT_DAMAGED: bytes lost) or a timeout
//                    after data came ends the stream: the bytes are gone, never handed over
//   no URC in time   after the open, a write, or a read that found nothing, a read every
//                    POLL_MS doubling to POLL_MAX_MS: a lost "recv" URC costs a poll, not
//                    the mail
//   "closed" URC     the buffer is read empty, then onClosed(null)
//   close()          AT+QICLOSE=<id> (the id is free again), written again until an intact
//                    OK comes (three writes at most); the next open waits for it; nothing
//                    reaches the sink after
//
// Why variable-length sends with the echo compared: in the fixed-length form
// (AT+QISEND=<id>,<n>) a payload byte lost on the UART makes the module wait for one more
// byte, which then comes from the next command, and the damaged bytes go to the server: a
// damaged SMTP line may still be a valid command (RCPT TO:<ps@...>). Here nothing leaves the
// module until the host has seen its echo of every byte match and written Ctrl+Z. The
// payload never holds 0x1A or 0x1B (the MIME writer emits 7-bit text without controls).
// Chunk size: a chunk and its echo are lost whole by one lost byte, so on a lossy link big
// chunks almost never pass: a cancelled chunk halves the size (down to CHUNK_MIN), and
// CHUNK_GROW chunks in a row that pass double it again (up to SEND_MAX).
import type { AtDoneTarget, AtPort, AtRequest, AtResult, ByteSource, Line, Prefix, UrcTarget } from "../../at/types.js";
import { WindowSource } from "../../at/source.js";
import { RESULT_CANCELLED, RESULT_CME, RESULT_DAMAGED, RESULT_ERROR, RESULT_GARBLED, RESULT_OK, RESULT_TIMEOUT, SHAPE_LINE, SHAPE_LINES, SHAPE_NONE, SHAPE_PROMPT } from "../../at/types.js";
import { LOG_WARN, type Clock, type TimerHandle } from "../../platform/types.js";
import { CellError, cellError, E_AT_ERROR, E_CLOSED, E_STREAM_DAMAGED, E_UNSAFE_CHAR, KIND_CONFIG, KIND_NETWORK, KIND_RETRYABLE } from "../../errors.js";
import { refusal, resultToError, type CauseTexts } from "../../modem/codes.js";
import { quoteAt, AT_FIELD_MAX } from "../../modem/quote.js";
import type { StreamConnector, StreamSink } from "../../modem/stream.js";
import { nextTurn } from "../../turn.js";
import { codeAt } from "../../text/code-at.js";

/** Bytes one AT+QISEND takes at most, and one AT+QIRD returns at most. */
export const SEND_MAX = 1460;
const READ_MAX = 1500;
const CHUNK_MIN = 32;
const CTRL_Z = 0x1a;
const ESC = 0x1b;
const CHUNK_GROW = 4;
/** Cancelled chunks in a row (the echo differed or stalled) before the connection is given up. */
const CANCELS_MAX = 12;
/**
 * Cancelled chunks in a row of at least SILENT_MIN bytes whose echo never began (the prompt
 * came, the chunk went out, not one byte came back) after which this boot's module is taken
 * for one that does not echo the variable-length send (no document we have says whether
 * AT+QSSLSEND's data is echoed: docs/sockets.md): its sends go unchecked, in the
 * fixed-length form, and the board's log says so once per boot. One lost byte cancels a
 * chunk with most of its echo in; a whole echo lost twice is not a lossy UART.
 */
const SILENT_CANCELS = 2;
const SILENT_MIN = 8;
const T_SHORT = 5000; //    QISDE, QIRD, QICLOSE (10 s for a connected socket's FIN: below)
const T_SEND = 2000; //     the prompt at once, the echo as the bytes come, SEND OK at once after Ctrl+Z
/**
 * A read or a send answered ERROR is written again in place, up to this many times in all:
 * the module executed nothing (a command garbled on the way, or a payload that did not all
 * arrive within its input time: the module drops it), so nothing is lost or doubled.
 */
const TRIES = 3;
const POLL_MS = 1000;
const POLL_MAX_MS = 8000;

// Connection states.
const S_IDLE = 0;
const S_OPENING = 1; // AT+QIOPEN written or waiting for +QIOPEN
const S_OPEN = 2;
const S_PEER_CLOSED = 3; // "closed" URC seen: reading what is left, then onClosed(null)
const S_DONE = 4; //  onClosed told, or close() called: nothing more reaches the sink

export interface SocketPlace {
  /** PDP context id (AT+QIACT), 1..16. */
  contextId: number;
  /** SSL context id (AT+QSSLCFG) for TLS, 0..5. */
  sslCtxId: number;
  /** The connect id this module uses, 0..11. Default 1. */
  connectId?: number;
  /** The family the board connects with (smtp.ssl): its URCs are taken at once (listen()). */
  tls?: boolean;
}

/** The line holds `word` (n chars: a string's length allocates in XS) at buf[at..]. */
function wordAt(l: Line, at: number, word: string, n: number): boolean {
  if (at + n > l.start + l.length) return false;
  const b = l.buf;
  for (let i = 0; i < n; i++) if (b[at + i] !== codeAt.call(word, i)) return false;
  return true;
}

// What a socket command is (SocketCall.kind): its result goes to ModuleSocket.called().
const K_SEND = 0;
const K_READ = 1;
const K_TOTALS = 2;
const K_QISDE = 3;
const K_OPEN = 4;
const K_STATE = 5;
const K_CLOSE = 6;

// What waits for a close that is being written (ModuleSocket.after).
const AFTER_NONE = 0;
const AFTER_ECHO = 1; //  a connect: AT+QISDE=1, then the open
const AFTER_OPEN = 2; //  a reopen: the open again

/**
 * One of the socket's commands: the request and, as a method the engine calls (AtDone as
 * an object), its completion, so no closure is made per command (XS heap). `gen` is the
 * connection attempt a step of the open belongs to: a result for an older one is stale.
 */
class SocketCall implements AtRequest, AtDoneTarget {
  command: string;
  shape: number;
  timeoutMs: number;
  declare prefix?: Prefix;
  declare data?: ByteSource;
  declare promptGt?: boolean;
  declare commitEcho?: boolean;
  declare echoData?: boolean;
  declare onLine?: (line: Line) => void;
  declare readsData?: (data: Uint8Array, start: number, end: number) => void;
  readonly kind: number;
  readonly gen: number;
  readonly owner: ModuleSocket;

  constructor(owner: ModuleSocket, kind: number, command: string, shape: number, timeoutMs: number, gen: number) {
    this.owner = owner;
    this.kind = kind;
    this.command = command;
    this.shape = shape;
    this.timeoutMs = timeoutMs;
    this.gen = gen;
  }

  atDone(r: AtResult): void {
    this.owner.called(this, r);
  }
}

// The read request's onLine and readsData: the engine calls them as its methods, so these
// two functions serve every socket (no closures per socket for the board's life: XS heap).
function readLine(this: SocketCall): void {
  this.owner.header = true;
}

function readBytes(this: SocketCall, data: Uint8Array, start: number, end: number): void {
  // Kept until the engine has seen the answer's end intact: damaged bytes never reach the client.
  // Copied in a loop: a subarray() per delivery would be garbage (replies are short).
  const s = this.owner;
  const n = end - start;
  const rb = s.rbuf;
  if (s.got + n <= rb.length) for (let i = 0, o = s.got; i < n; i++) rb[o + i] = data[start + i];
  s.got += n;
}

/**
 * What the socket asks of the modem driver (Ec800 is one): handed as the object, not as
 * closures over it (each closure is 11-15 XS slots for the life of the board).
 */
export interface SocketModem {
  /** Module boots so far: a reboot forgets AT+QISDE=1 and every socket. */
  readonly bootCount: number;
  /** The board's log (the fallback to unchecked sends is told there). */
  note(level: number, message: string): void;
}

export class ModuleSocket implements StreamConnector, UrcTarget {
  readonly maxWrite: number;
  /** Commands written for connections so far (the bench's commandsFirst). */
  commands: number;
  private readonly port: AtPort;
  private readonly clock: Clock;
  /** The place's contexts (its numbers, not the object: the caller's is garbage once made). */
  private readonly contextId: number;
  private readonly sslCtxId: number;
  private readonly id: number;
  private readonly modem: SocketModem;
  private readonly causes: CauseTexts | null;
  private state: number;
  private tls: boolean;
  private sink: StreamSink | null;
  private opened: ((err: CellError | null) => void) | null;
  /** After the open's OK: the next state query (8 s, then every 10 s; one timer per open). */
  private openTimer: TimerHandle;
  /** This connect: its host (quoted) and port, reopens so far, AT+QISDE=1 tries, and its gen when it began. */
  private host: string;
  private hostPort: number;
  private reopens: number;
  private qisdeTries: number;
  private connGen: number;
  /** The open attempt's gen, its deadline for the open URC, state answers in a row that list it as absent, the last state. */
  private openGen: number;
  private deadline: number;
  private absent: number;
  private st: number;
  /** A close is being written (again until an intact OK, closeTries writes so far); what waits for it (AFTER_*). */
  private closing: boolean;
  private closeTries: number;
  private after: number;
  /** Module boot in which AT+QISDE=1 was taken (-1: not yet). */
  private qisdeBoot: number;
  private reading: boolean;
  // The read's fields its request's functions fill (readLine, readBytes): not private for them.
  /** The read's count line came (a read answered with nothing at all was never executed). */
  header: boolean;
  /** The read's bytes, kept until its answer proved intact, and how many came. */
  readonly rbuf: Uint8Array;
  /** Bytes handed to the sink on this connection, and the module's count of bytes read (AT+QIRD=<id>,0). */
  private delivered: number;
  private modRead: number;
  /** A chunk waits for the read in flight to end (a send never queues behind a read that may end the stream). */
  private sendWaiting: boolean;
  /** gen of the read in flight: its result after a close or a new connect is not this connection's. */
  private readGen: number;
  got: number;
  /** Tries of the read / the send in progress (TRIES). */
  private readTries: number;
  private sendTries: number;
  private pollTimer: TimerHandle;
  private pollMs: number;
  /** Generation: a result that arrives after close() or a new connect is ignored. */
  private gen: number;
  private readonly src: WindowSource;
  /** Writes so far (sendDone: did the sink write again when told of the last one's end?). */
  private writes: number;
  /** The gen of an open to be told on the next turn (by tickFn), else -1. */
  private handGen: number;
  /** The write in progress: data[wFrom..wEnd) is out, data[wFrom..wTo) the chunk being sent. */
  private wData: Uint8Array;
  private wFrom: number;
  private wTo: number;
  private wEnd: number;
  /** Chunk size now (adaptive), chunks passed in a row, chunks cancelled in a row. */
  private chunk: number;
  private passed: number;
  private cancels: number;
  /** Cancels in a row whose echo never began (SILENT_CANCELS), and the boot whose sends go unchecked (-1: none). */
  private silent: number;
  private uncheckedBoot: number;
  /** AT+QSSLSEND=<id> (AT+QISEND=<id>) of this connection. */
  private sendCmd: string;
  /** Families whose URCs are taken: 1 TCP, 2 TLS (listen()). */
  private listening: number;

  private readonly sendReq: SocketCall;
  private readonly readReq: SocketCall;
  /** The one timer callback of both waits, the open's state query (opening) and the read poll (open), and of the open's hand-over. */
  private readonly tickFn: () => void;

  /**
   * `modem` says which module boot this is and takes the log's warnings. URCs are taken from
   * `port` from now on (the registry keeps them).
   */
  constructor(port: AtPort, clock: Clock, place: SocketPlace, modem: SocketModem, causes: CauseTexts | null) {
    this.maxWrite = SEND_MAX;
    this.commands = 0;
    this.port = port;
    this.clock = clock;
    this.contextId = place.contextId;
    this.sslCtxId = place.sslCtxId;
    this.id = place.connectId === undefined ? 1 : place.connectId;
    this.modem = modem;
    this.causes = causes;
    this.state = S_IDLE;
    this.tls = false;
    this.sink = null;
    this.opened = null;
    this.openTimer = null;
    this.host = "";
    this.hostPort = 0;
    this.reopens = 0;
    this.qisdeTries = 0;
    this.connGen = 0;
    this.openGen = 0;
    this.deadline = 0;
    this.absent = 0;
    this.st = -1;
    this.closing = false;
    this.closeTries = 0;
    this.after = AFTER_NONE;
    this.qisdeBoot = -1;
    this.reading = false;
    this.header = false;
    this.rbuf = new Uint8Array(READ_MAX);
    this.delivered = 0;
    this.modRead = -1;
    this.sendWaiting = false;
    this.readGen = 0;
    this.got = 0;
    this.readTries = 0;
    this.sendTries = 0;
    this.pollTimer = null;
    this.pollMs = POLL_MS;
    this.gen = 0;
    // Pointed at rbuf while no write is under way: an empty typed array is 9 XS slots too.
    this.src = new WindowSource(this.rbuf, 0, 0);
    this.writes = 0;
    this.handGen = -1;
    this.wData = this.rbuf;
    this.wFrom = 0;
    this.wTo = 0;
    this.wEnd = 0;
    this.chunk = SEND_MAX;
    this.passed = 0;
    this.cancels = 0;
    this.silent = 0;
    this.uncheckedBoot = -1;
    this.sendCmd = "";

    this.sendReq = new SocketCall(this, K_SEND, "", SHAPE_PROMPT, T_SEND, 0);
    this.sendReq.promptGt = true;
    this.sendReq.commitEcho = true;
    this.sendReq.data = this.src;
    this.readReq = new SocketCall(this, K_READ, "", SHAPE_LINE, T_SHORT, 0);
    this.readReq.onLine = readLine;
    this.readReq.readsData = readBytes;
    // The two waits never overlap: the open timer lives while opening, the poll while open.
    this.tickFn = () => {
      if (this.handGen >= 0) {
        // The open told to its caller (inline: a method is one more function in the heap).
        const g = this.handGen;
        const done = this.opened;
        this.handGen = -1;
        if (g !== this.gen || done === null) return;
        this.opened = null;
        return done(null);
      }
      if (this.state === S_OPENING) {
        this.openTimer = null;
        this.ask();
        return;
      }
      this.pollTimer = null;
      this.readNow();
    };
    this.listening = 0;
    if (place.tls !== undefined) this.listen(place.tls);
  }

  /**
   * Take the URCs of one socket family (TCP or TLS) from now on. The board's own family is
   * taken when the socket is made, the other one at its first connect, if ever: each
   * registration holds a prefix and a handler for the life of the board (XS heap).
   */
  private listen(tls: boolean): void {
    const bit = tls ? 2 : 1;
    if ((this.listening & bit) !== 0) return;
    this.listening |= bit;
    const port = this.port;
    // One registration for the family's URCs ("+QSSL" / "+QI": the open's outcome, "recv",
    // "closed"), told apart by the words after it, compared in place: one prefix and one handler
    // for all three (each registration is about 40 XS slots for the board's life). A reply of a
    // command in flight never comes here (the engine gives it to the command first); one that
    // comes late ("+QSSLRECV:", "+QSSLSTATE:") matches no word and is dropped.
    // "recv": read (a lost one costs a poll). "closed": what the peer sent before it closed
    // can still be read: handed over, then the close.
    // The socket itself is the handler (urc(): no closure for the board's life).
    port.onUrc(port.prefix(tls ? "+QSSL" : "+QI"), this);
  }

  /** A line of a family whose URCs are taken (listen()): "+QSSL..." or "+QI...". */
  urc(l: Line): void {
    const b = l.buf;
    const tls = b[l.start + 2] === 0x53; // S
    if (tls !== this.tls) return;
    const s0 = l.start + (tls ? 5 : 3);
    const open = b[s0] === 0x4f; // O
    if (!open && !wordAt(l, s0, 'URC: "', 6)) return;
    if (open) {
      if (wordAt(l, s0, "OPEN: ", 6)) this.onOpenUrc(l, tls);
      return;
    }
    if (l.int(1, -1) !== this.id) return;
    const recv = b[s0 + 6] === 0x72; // r
    if (!(recv ? wordAt(l, s0 + 6, 'recv",', 6) : wordAt(l, s0 + 6, 'closed",', 8))) return;
    if (recv) {
      if (this.state === S_OPEN || this.state === S_PEER_CLOSED) this.readNow();
      return;
    }
    if (this.state === S_OPENING) return this.openFailed(cellError(KIND_NETWORK, 567, "socket closed while opening", ""));
    if (this.state !== S_OPEN) return;
    this.state = S_PEER_CLOSED;
    this.readNow();
  }

  /**
   * Open a connection to host:port, TLS from the first byte when `tls` (the SSL context of
   * `place.sslCtxId`, as AT+QSSLCFG set it up). `done(null)` once it is open, on a fresh
   * turn; the stream's events then reach `sink`. Throws a KIND_CONFIG error for a host the
   * AT quoting gate refuses (modem/quote.ts), before anything is written.
   */
  connect(host: string, port: number, tls: boolean, sink: StreamSink, done: (err: CellError | null) => void): void {
    const quoted = quoteAt(host, AT_FIELD_MAX, "server");
    this.listen(tls);
    this.reset();
    this.gen++;
    this.tls = tls;
    this.sink = sink;
    this.opened = done;
    this.state = S_OPENING;
    this.readReq.command = (tls ? "+QSSLRECV=" : "+QIRD=") + this.id + "," + READ_MAX;
    this.sendCmd = (tls ? "+QSSLSEND=" : "+QISEND=") + this.id;
    this.readReq.prefix = this.port.prefix(tls ? "+QSSLRECV:" : "+QIRD:");
    this.delivered = 0;
    this.sendWaiting = false;
    this.host = quoted;
    this.hostPort = port;
    this.reopens = 0;
    this.qisdeTries = 0;
    this.connGen = this.gen;
    // The id must be free first: an open behind a close still being written again would be
    // answered 563, and that close's next write would end the new connection.
    if (this.closing) this.after = AFTER_ECHO;
    else this.echoOn();
  }

  /**
   * The payload echo is what proves a send (above): on after every boot, and made sure of
   * once per boot; then the open. Written again in place when it fails (a byte lost on the
   * way: nothing else was executed); refused TRIES times: the module cannot echo.
   */
  private echoOn(): void {
    if (this.connGen !== this.gen || this.state !== S_OPENING) return;
    if (this.qisdeBoot === this.modem.bootCount) {
      this.open();
      return;
    }
    this.issue(new SocketCall(this, K_QISDE, "+QISDE=1", SHAPE_NONE, T_SHORT, this.gen));
  }

  private qisdeDone(r: AtResult): void {
    if (r.code === RESULT_OK) {
      this.qisdeBoot = this.modem.bootCount;
      this.open();
      return;
    }
    if (++this.qisdeTries < TRIES) return this.echoOn();
    const refused = r.code === RESULT_ERROR || r.code === RESULT_CME;
    this.openFailed(
      refused
        ? cellError(KIND_CONFIG, E_AT_ERROR, "the module refused AT+QISDE=1: without its echo of the data, a send cannot be checked", "")
        : (resultToError(r, "AT+QISDE=1", this.causes) as CellError),
    );
  }

  /** Write the open (AT+QSSLOPEN / AT+QIOPEN): OK, then the open URC (onOpenUrc). */
  private open(): void {
    if (this.state !== S_OPENING) return;
    this.openGen = this.gen; // a reopen or a close ends this attempt: its answers are then stale
    const command = this.tls
      ? "+QSSLOPEN=" + this.contextId + "," + this.sslCtxId + "," + this.id + "," + this.host + "," + this.hostPort + ",0"
      : "+QIOPEN=" + this.contextId + "," + this.id + ',"TCP",' + this.host + "," + this.hostPort + ",0,0";
    this.issue(new SocketCall(this, K_OPEN, command, SHAPE_NONE, T_SHORT, this.gen));
  }

  /**
   * Close the id, then write the open again (twice per connect at most; false when spent):
   * after 563, or an OK whose echo differed.
   */
  private reopen(): boolean {
    if (this.state !== S_OPENING || this.reopens >= 2) return false;
    this.reopens++;
    this.gen++; // this attempt's answers are stale from here on
    if (this.openTimer !== null) this.clock.clearTimer(this.openTimer);
    this.openTimer = null;
    this.closeId(AFTER_OPEN);
    return true;
  }

  private openDone(r: AtResult, command: string): void {
    // OK after an echo that differed: some open was taken, its fields perhaps changed on
    // the way (a port 65 for 465): the id closed, then this open again.
    if (r.code === RESULT_GARBLED && this.reopen()) return;
    if (r.code !== RESULT_OK) return this.openFailed(resultToError(r, command, this.causes) as CellError);
    // The outcome is the open URC; the module gives it within 150 s (S-TCP 2.4.7). Without a
    // usable one, the module is asked the connection's state (AT+QSSLSTATE=<id>,
    // AT+QISTATE=1,<id>; S-TCP 2.4.9, S-EG800K), 8 s after this OK: the real EG800K
    // opened TLS in 2.0 s (S-EG800K), the model takes 0.3 s (TCP) or 0.6 s (TLS) at its
    // 150-ms round trip, so a slow radio costs a query (it only reads the state), and a
    // lost URC 8 s instead of 150 s and a PDP re-activation. <socket_state> 2 connected
    // -> open, as if the URC came; 1 opening -> asked again every 10 s up to the deadline
    // (then 569); 0 initial, 4 closing, or not listed, twice in a row (a state line
    // damaged on the UART reads as "not listed") -> the open failed; an answer that
    // cannot be read (ERROR, a differing echo, none, a line whose fields do not parse)
    // -> asked again in 10 s. The query's request is made when it is asked: the rare
    // path costs the heap nothing otherwise. (The numbers are literals:
    // a module-level const costs the XS heap about 4.5 slots, bench
    // xs.socket.mail.peakFirmwareSlots.)
    this.deadline = this.clock.now() + 155000;
    this.absent = 0;
    this.openTimer = this.clock.setTimer(8000, this.tickFn);
  }

  /** The state query: AT+QSSLSTATE=<id> / AT+QISTATE=1,<id> (openDone says when and why). */
  private ask(): void {
    if (this.openTimer !== null) this.clock.clearTimer(this.openTimer);
    this.openTimer = null;
    if (this.openGen !== this.gen || this.state !== S_OPENING) return;
    if (this.clock.now() >= this.deadline) return this.openFailed(cellError(KIND_NETWORK, 569, "socket open: no open URC in 150 s", ""));
    // <socket_state> of this id's line: -1 no line, -2 one whose fields do not parse (a
    // whole one has 10 fields for TCP, 11 for TLS).
    this.st = -1;
    const c = new SocketCall(this, K_STATE, this.tls ? "+QSSLSTATE=" + this.id : "+QISTATE=1," + this.id, SHAPE_LINES, T_SHORT, this.gen);
    c.prefix = this.port.prefix(this.tls ? "+QSSLSTATE:" : "+QISTATE:");
    c.onLine = (l) => {
      this.st = l.int(0, -1) === this.id && l.fieldCount() >= (this.tls ? 11 : 10) ? l.int(5, -2) : -2;
    };
    this.issue(c);
  }

  private stateDone(r: AtResult): void {
    const st = this.st;
    if (r.code === RESULT_OK && st === 2) return this.onOpenUrc(null, this.tls);
    if (r.code === RESULT_OK && st !== 1 && st !== -2) {
      if (++this.absent < 2) return this.ask();
      const how = st === 4 ? "closed by the peer" : "closed";
      return this.openFailed(cellError(KIND_NETWORK, st === 4 ? 567 : 550, "socket open: no usable open URC, and the module lists the connection as " + how, ""));
    }
    if (st === 1) this.absent = 0;
    const left = this.deadline - this.clock.now();
    this.openTimer = this.clock.setTimer(left < 10000 ? (left > 0 ? left : 0) : 10000, this.tickFn);
  }

  /** A command's result (SocketCall.atDone). */
  called(c: SocketCall, r: AtResult): void {
    switch (c.kind) {
      case K_SEND:
        return this.sendDone(r);
      case K_READ:
        return this.readDone(r);
      case K_TOTALS:
        return this.totalsDone(r);
      case K_CLOSE:
        return this.closeDone(c, r);
    }
    // The open's steps: only this attempt's, while it is still opening.
    if (c.gen !== this.gen || this.state !== S_OPENING) return;
    if (c.kind === K_QISDE) this.qisdeDone(r);
    else if (c.kind === K_OPEN) this.openDone(r, c.command);
    else this.stateDone(r);
  }

  /** Write one of the socket's commands; refused: the connection fails (refused()). */
  private issue(c: SocketCall): void {
    this.commands++;
    if (!this.port.send(c, c)) this.refused();
  }

  write(data: Uint8Array, start: number, end: number): void {
    if (this.state !== S_OPEN) {
      const g = this.gen;
      nextTurn(this.clock, () => {
        if (g === this.gen) this.fail(cellError(KIND_RETRYABLE, E_CLOSED, "socket write after the connection ended", ""));
      });
      return;
    }
    // Ctrl+Z or ESC inside the data would end the checked send early (the MIME writer never
    // emits them: a caller's bug, refused whole rather than half sent).
    const z = data.indexOf(CTRL_Z, start);
    const e = data.indexOf(ESC, start);
    if ((z >= 0 && z < end) || (e >= 0 && e < end)) {
      const g = this.gen;
      nextTurn(this.clock, () => {
        if (g === this.gen) this.fail(cellError(KIND_CONFIG, E_UNSAFE_CHAR, "socket write holds Ctrl+Z or ESC (0x1A/0x1B): refused, nothing sent", ""));
      });
      return;
    }
    this.stopPoll();
    this.writes++;
    this.wData = data;
    this.wFrom = start;
    this.wEnd = end;
    this.cancels = 0;
    this.sendChunk();
  }

  /** One chunk of the write from wFrom, of the chunk size now. */
  private sendChunk(): void {
    if (this.reading) {
      this.sendWaiting = true; // after the read (onReadDone), unless it ended the stream
      return;
    }
    let to = this.wFrom + this.chunk;
    if (to > this.wEnd) to = this.wEnd;
    this.wTo = to;
    this.src.point(this.wData, this.wFrom, to);
    const checked = this.uncheckedBoot !== this.modem.bootCount;
    this.sendReq.commitEcho = checked;
    // The fixed form's TCP data is echoed while AT+QISDE=1 (S-TCP): counted out, never read as lines.
    this.sendReq.echoData = !checked && !this.tls;
    // Unchecked (a module that echoes none of it): the fixed-length form, which needs no Ctrl+Z.
    this.sendReq.command = checked ? this.sendCmd : this.sendCmd + "," + (to - this.wFrom);
    this.sendTries = 1;
    this.commands++;
    if (!this.port.send(this.sendReq, this.sendReq)) this.refused();
  }

  close(): void {
    const was = this.state;
    this.reset();
    this.gen++;
    this.state = S_IDLE;
    if (was === S_IDLE) return;
    // Free the id (also after the peer closed: the id stays taken until AT+QICLOSE).
    this.closeId(AFTER_NONE);
  }

  // ---------------------------------------------------------------- module events

  /** The open's URC, or null when the module's state says the connection is up (the state query). */
  private onOpenUrc(l: Line | null, tls: boolean): void {
    // Not while the id is being closed for a reopen (a late URC of the attempt given up).
    if (tls !== this.tls || this.state !== S_OPENING || this.closing) return;
    const err = l === null ? 0 : l.int(1, -1);
    if (l !== null && (l.fieldCount() !== 2 || l.int(0, -1) !== this.id || (err !== 0 && (err < 550 || err > 574)))) {
      // Not "<our id>,<0 or a socket code>": damaged on the UART (one connect id is ever
      // used), its code not to be trusted. Taken as lost: the module's state decides (the
      // query 8 s after the open's OK).
      return;
    }
    // The id still taken: the previous connection's close did not arrive intact (or not
    // within its tries). Closed now, then the open again.
    if (err === 563 && this.reopen()) return;
    if (this.openTimer !== null) this.clock.clearTimer(this.openTimer);
    this.openTimer = null;
    if (err !== 0) {
      // 566 on a TLS open is the handshake or the certificate (as for the module's SMTP
      // engine: configuration); every other socket code is the network's.
      const tlsRefused = this.tls && err === 566;
      const text = this.causes ? this.causes.cme(err) : "";
      this.openFailed(cellError(tlsRefused ? KIND_CONFIG : KIND_NETWORK, err, "socket open failed: " + (text ? text : "error " + err), ""));
      return;
    }
    this.state = S_OPEN;
    // The server speaks first: poll in case the greeting's "recv" URC is lost.
    this.armPoll();
    // Told on a fresh turn by tickFn (no closure per open): it runs before the poll, which
    // waits POLL_MS; a close or a new connect in between makes it stale (gen).
    this.handGen = this.gen;
    nextTurn(this.clock, this.tickFn);
  }


  // ---------------------------------------------------------------- reading

  private readNow(): void {
    if (this.reading || (this.state !== S_OPEN && this.state !== S_PEER_CLOSED)) return;
    this.stopPoll();
    this.reading = true;
    this.readGen = this.gen;
    this.got = 0;
    this.header = false;
    this.commands++;
    if (!this.port.send(this.readReq, this.readReq)) this.refused();
  }

  // The completions are methods the requests call (SocketCall.atDone): no function of their
  // own in the XS heap (bench xs.socket.mail.peakFirmwareSlots).
  private readDone(r: AtResult): void {
    if (this.readGen !== this.gen) return;
    this.reading = false;
    if (this.state !== S_OPEN && this.state !== S_PEER_CLOSED) return;
    // GARBLED: the command's echo differed, but the module's own count framed what it
    // returned and the engine saw the answer's end intact: taken.
    if (r.code === RESULT_DAMAGED && this.readTries < TRIES - 1) {
      // Bytes of the answer were lost. Whether they held data the module's totals say.
      this.readTries++;
      this.reading = true;
      this.readGen = this.gen;
      this.modRead = -1;
      this.commands++;
      // AT+QSSLRECV=<id>,0 (AT+QIRD=<id>,0): made only on this rare path, not carried by every board.
      const totals = new SocketCall(this, K_TOTALS, (this.tls ? "+QSSLRECV=" : "+QIRD=") + this.id + ",0", SHAPE_LINE, T_SHORT, 0);
      totals.prefix = this.readReq.prefix;
      totals.onLine = (l) => {
        this.modRead = l.int(1, -1);
      };
      if (!this.port.send(totals, totals)) this.refused();
      return;
    }
    if (r.code !== RESULT_OK && r.code !== RESULT_GARBLED) {
      // ERROR, or no answer at all (only the command's echo, or part of it: its CR never
      // reached the module): nothing was executed, nothing lost: ask again.
      const unanswered = r.code === RESULT_TIMEOUT && !this.header && this.got === 0;
      if ((r.code === RESULT_ERROR || unanswered) && this.readTries < TRIES - 1) {
        this.readTries++;
        this.readNow();
        return;
      }
      this.readTries = 0;
      this.fail(resultToError(r, this.readReq.command, this.causes) as CellError);
      return;
    }
    this.readTries = 0;
    if (this.got > this.rbuf.length) {
      this.fail(cellError(KIND_RETRYABLE, E_STREAM_DAMAGED, "socket read longer than asked", ""));
      return;
    }
    if (this.got > 0) {
      // To the client on a fresh turn (what it writes in answer must not stack on this
      // result's frames); `reading` holds the buffer and any send until then.
      this.reading = true;
      this.clock.setTimer(0, this.deliverFn);
      return;
    }
    if (this.got > 0) this.pollMs = POLL_MS;
    if (this.state === S_PEER_CLOSED) {
      this.finish(null);
      return;
    }
    this.armPoll();
    this.sendNow();
  }

  /** The read's bytes to the client, then the next read (more may wait: no new "recv" URC comes before the buffer was read empty). */
  private readonly deliverFn = (): void => {
    if (this.readGen !== this.gen || (this.state !== S_OPEN && this.state !== S_PEER_CLOSED)) return;
    this.reading = false;
    const got = this.got;
    this.delivered += got;
    (this.sink as StreamSink).onBytes(this.rbuf, 0, got);
    if (this.readGen !== this.gen || (this.state !== S_OPEN && this.state !== S_PEER_CLOSED)) return;
    this.pollMs = POLL_MS;
    // A full read may have left more behind, and the peer's close is confirmed by an empty
    // read. A shorter read emptied the module's buffer: the next bytes bring a URC of their
    // own (the poll covers a lost one), so no empty read follows every reply (docs/sockets.md).
    if (got >= READ_MAX || this.state === S_PEER_CLOSED) {
      this.readNow();
      return;
    }
    this.armPoll();
    this.sendNow();
  };

  /** A chunk that waited for a read goes now. */
  private sendNow(): void {
    if (!this.sendWaiting || this.reading || this.state !== S_OPEN) return;
    this.sendWaiting = false;
    this.sendChunk();
  }

  /**
   * The totals after a damaged read: the module has handed out exactly what reached the
   * sink, so the damaged answer held no data (a count of 0, or its end hit): nothing lost,
   * go on. Otherwise the bytes are gone and the stream ends.
   */
  private totalsDone(r: AtResult): void {
    if (this.readGen !== this.gen) return;
    this.reading = false;
    if (this.state !== S_OPEN && this.state !== S_PEER_CLOSED) return;
    if (r.code !== RESULT_OK || this.modRead !== this.delivered) {
      this.readTries = 0;
      const lost = this.modRead > this.delivered ? " (" + (this.modRead - this.delivered) + " bytes lost)" : "";
      this.fail(cellError(KIND_RETRYABLE, E_STREAM_DAMAGED, "socket read damaged on the UART" + lost + ": the stream cannot go on", ""));
      return;
    }
    this.readNow();
  }

  private armPoll(): void {
    if (this.pollTimer !== null || this.state !== S_OPEN) return;
    this.pollTimer = this.clock.setTimer(this.pollMs, this.tickFn);
    this.pollMs = this.pollMs * 2 > POLL_MAX_MS ? POLL_MAX_MS : this.pollMs * 2;
  }

  private stopPoll(): void {
    if (this.pollTimer !== null) this.clock.clearTimer(this.pollTimer);
    this.pollTimer = null;
  }

  // ---------------------------------------------------------------- writing

  private sendDone(r: AtResult): void {
    if (this.state !== S_OPEN) return;
    if (r.code === RESULT_GARBLED) {
      // The echo differed or stalled (or no prompt came): cancelled, nothing was sent. The
      // chunk again, smaller: on a lossy link a smaller chunk passes more often.
      this.passed = 0;
      this.silent = r.echoed === 0 && this.wTo - this.wFrom >= SILENT_MIN ? this.silent + 1 : 0;
      if (this.silent >= SILENT_CANCELS && this.uncheckedBoot !== this.modem.bootCount) {
        this.uncheckedBoot = this.modem.bootCount;
        this.silent = 0;
        this.cancels = 0;
        this.modem.note(LOG_WARN, "socket: the module echoes none of a send's data: sends go unchecked in this module boot (a byte lost on the UART is then not seen before it leaves)");
        this.sendChunk();
        return;
      }
      if (++this.cancels >= CANCELS_MAX) {
        this.fail(cellError(KIND_RETRYABLE, E_STREAM_DAMAGED, "socket send: " + this.cancels + " chunks in a row cancelled (their echo differed: the UART loses bytes)", ""));
        return;
      }
      if (this.chunk > CHUNK_MIN) this.chunk = this.chunk >> 1 < CHUNK_MIN ? CHUNK_MIN : this.chunk >> 1;
      this.sendChunk();
      return;
    }
    if (r.code === RESULT_ERROR && this.sendTries < TRIES) {
      // Not sent (a garbled command, or the module dropped the input): the same bytes again.
      this.sendTries++;
      this.commands++;
      if (!this.port.send(this.sendReq, this.sendReq)) this.refused();
      return;
    }
    if (r.code !== RESULT_OK) {
      this.fail(resultToError(r, this.sendReq.command, this.causes) as CellError);
      return;
    }
    this.cancels = 0;
    this.silent = 0;
    if (++this.passed >= CHUNK_GROW && this.chunk < SEND_MAX) {
      this.passed = 0;
      this.chunk = this.chunk * 2 > SEND_MAX ? SEND_MAX : this.chunk * 2;
    }
    if (this.wTo < this.wEnd) {
      this.wFrom = this.wTo;
      this.sendChunk();
      return;
    }
    // Straight from the command's result (not inside write(), as the stream's contract asks):
    // a turn of its own per write would cost a timer per write (bench xs.socket.mail.peakLiveSlots).
    const g = this.gen;
    const writes = this.writes;
    this.pollMs = POLL_MS;
    (this.sink as StreamSink).onSent();
    // The reply will come: poll in case its "recv" URC is lost. Not when onSent wrote again
    // (the next write's end arms it): no timer set and cleared for every chunk of a message.
    if (g === this.gen && writes === this.writes) this.armPoll();
  }

  // ---------------------------------------------------------------- endings

  private refused(): void {
    const g = this.gen;
    nextTurn(this.clock, () => {
      if (g === this.gen) this.fail(refusal(this.port, "a socket command", KIND_RETRYABLE));
    });
  }

  private openFailed(err: CellError): void {
    const done = this.opened;
    this.reset();
    this.state = S_IDLE;
    // A failed open may still hold the id (a late open URC after our deadline): free it.
    this.closeId(AFTER_NONE);
    if (done !== null) nextTurn(this.clock, () => done(err));
  }

  /**
   * Free the id: AT+QICLOSE=<id> (AT+QSSLCLOSE), written again until an intact OK comes, up to
   * three writes. ERROR (a line garbled on the way, or S-TCP's "failed to close"),
   * OK after a differing echo (the module may have closed another id) or no answer (its CR
   * lost): again; closing an id twice is harmless (OK). A flushed queue (a reboot closes every
   * socket) ends it. Then `after` (AFTER_*), a connect or a reopen that waits for the id; a second request
   * while one is under way joins it.
   */
  private closeId(after: number): void {
    if (after !== AFTER_NONE) this.after = after;
    if (this.closing) return;
    this.closing = true;
    this.closeTries = 1;
    // 10 s for a connected socket's FIN (S-TCP 2.4.8).
    const c = new SocketCall(this, K_CLOSE, (this.tls ? "+QSSLCLOSE=" : "+QICLOSE=") + this.id, SHAPE_NONE, 11000, 0);
    this.commands++;
    if (!this.port.send(c, c)) this.closeEnd();
  }

  private closeDone(c: SocketCall, r: AtResult): void {
    if (r.code !== RESULT_OK && r.code !== RESULT_CANCELLED && this.closeTries < 3) {
      this.closeTries++;
      this.commands++;
      if (this.port.send(c, c)) return;
    }
    this.closeEnd();
  }

  /** The id is free (or given up on): what waited for it goes on. */
  private closeEnd(): void {
    this.closing = false;
    const after = this.after;
    this.after = AFTER_NONE;
    if (after === AFTER_ECHO) this.echoOn();
    else if (after === AFTER_OPEN) this.open();
  }

  /** The connection failed (err) or the peer closed it (null): tell the sink once. */
  private fail(err: CellError): void {
    if (this.state === S_OPENING) return this.openFailed(err);
    this.finish(err);
  }

  private finish(err: CellError | null): void {
    if (this.state !== S_OPEN && this.state !== S_PEER_CLOSED) return;
    const sink = this.sink as StreamSink;
    this.stopPoll();
    this.state = S_DONE;
    const g = this.gen;
    nextTurn(this.clock, () => {
      if (g === this.gen) sink.onClosed(err);
    });
  }

  private reset(): void {
    this.stopPoll();
    if (this.openTimer !== null) this.clock.clearTimer(this.openTimer);
    this.openTimer = null;
    this.opened = null;
    this.reading = false;
    this.pollMs = POLL_MS;
  }
}
