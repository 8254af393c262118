// The module's own TCP and TLS sockets as a byte stream (modem/stream.ts): AT+QIOPEN /
// AT+QSSLOPEN, AT+QISEND / AT+QSSLSEND, AT+QIRD / AT+QSSLRECV, AT+QICLOSE / AT+QSSLCLOSE
// and their URCs, in buffer access mode (docs/sockets.md has the exact forms and sources).
// An optional module on the modem layer: the compositions that carry cellmail's own SMTP
// client (firmware/ext/smtp) hand it this stream.
//
// One connection at a time (mails are sent one at a time), on one connect id. The
// conversation with the module, as a table (what comes in -> what the socket does):
//
//   connect          [AT+QISDE=0 once per module boot, TCP only] AT+QIOPEN -> OK, then
//                    +QIOPEN: <id>,<err>: 0 open, else the socket code (550-574, kind network)
//   write            AT+QISEND=<id>,<n>, "> ", n bytes -> SEND OK: onSent; ERROR (nothing
//                    was sent): the same again, 3 tries in all; SEND FAIL, a timeout, the
//                    3rd ERROR: onClosed(error)
//   "recv" URC       AT+QIRD=<id>,1500 -> "+QIRD: <got>", got raw bytes: onBytes; read
//                    again while a read returns the full 1500 (the module sends no new
//                    "recv" URC before its buffer was read empty, which a shorter read
//                    did); a read answered ERROR is asked
//                    again (3 tries); a timeout ends the stream (bytes may be lost)
//   no URC in time   after the open, a write, or a read that found nothing, a read every
//                    POLL_MS doubling to POLL_MAX_MS: a lost "recv" URC costs a poll, not
//                    the mail
//   "closed" URC     the buffer is read empty, then onClosed(null)
//   close()          AT+QICLOSE=<id> (the id is free again); nothing reaches the sink after
//
// The module echoes the payload of AT+QISEND unless AT+QISDE=0 (its default is 1, and it
// does not apply to AT+QSSLSEND); when a module refuses AT+QISDE=0 the engine counts the
// echo out (AtRequest.echoData), so a payload line is never read as a result either way.
// Received bytes reach the sink straight from the engine's receive buffer (no copy).
import type { AtPort, AtRequest, AtResult, Line } from "../../at/types.js";
import { WindowSource } from "../../at/source.js";
import { RESULT_ERROR, RESULT_GARBLED, RESULT_OK, SHAPE_LINE, SHAPE_NONE, SHAPE_PROMPT } from "../../at/types.js";
import type { Clock, TimerHandle } from "../../platform/types.js";
import { CellError, cellError, E_AT_ERROR, E_CLOSED, KIND_CONFIG, KIND_NETWORK, KIND_RETRYABLE } from "../../errors.js";
import { resultToError, type CauseTexts } from "../../modem/codes.js";
import { quoteAt, AT_FIELD_MAX } from "../../modem/quote.js";
import type { StreamConnector, StreamSink } from "../../modem/stream.js";
import { nextTurn } from "../../turn.js";

/** Bytes one AT+QISEND takes at most, and one AT+QIRD returns at most. */
export const SEND_MAX = 1460;
const READ_MAX = 1500;
const T_OPEN = 155000; //   the module answers +QIOPEN within 150 s (TCP/IP note)
const T_SHORT = 5000; //    QISDE, QIRD, QICLOSE (10 s for a connected socket's FIN: below)
const T_CLOSE = 11000;
const T_SEND = 10000; //    the prompt at once; the payload's SEND OK after the 5 s input time at most
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

export class ModuleSocket implements StreamConnector {
  readonly maxWrite: number;
  /** Commands written for connections so far (the bench's commandsFirst). */
  commands: number;
  private readonly port: AtPort;
  private readonly clock: Clock;
  private readonly place: SocketPlace;
  private readonly id: number;
  private readonly boots: () => number;
  private readonly causes: CauseTexts | null;
  private state: number;
  private tls: boolean;
  private sink: StreamSink | null;
  private opened: ((err: CellError | null) => void) | null;
  private openTimer: TimerHandle;
  /** Module boot in which AT+QISDE=0 was taken (-1: not yet); echoData when it was refused. */
  private qisdeBoot: number;
  private echo: boolean;
  private reading: boolean;
  /** gen of the read in flight: its result after a close or a new connect is not this connection's. */
  private readGen: number;
  private got: number;
  /** Tries of the read / the send in progress (TRIES). */
  private readTries: number;
  private sendTries: number;
  private pollTimer: TimerHandle;
  private pollMs: number;
  /** Generation: a result that arrives after close() or a new connect is ignored. */
  private gen: number;
  private readonly src: WindowSource;
  /** The payload length sendReq.command names (-1: none yet for this connection). */
  private sendLen: number;
  /** Families whose URCs are taken: 1 TCP, 2 TLS (listen()). */
  private listening: number;

  private readonly sendReq: AtRequest;
  private readonly readReq: AtRequest;
  private readonly sendDone: (r: AtResult) => void;
  private readonly readDone: (r: AtResult) => void;
  private readonly pollFn: () => void;

  /**
   * `boots` says which module boot this is (Ec800.bootCount): a reboot forgets AT+QISDE and
   * every socket. URCs are taken from `port` from now on (the registry keeps them).
   */
  constructor(port: AtPort, clock: Clock, place: SocketPlace, boots: () => number, causes: CauseTexts | null) {
    this.maxWrite = SEND_MAX;
    this.commands = 0;
    this.port = port;
    this.clock = clock;
    this.place = place;
    this.id = place.connectId === undefined ? 1 : place.connectId;
    this.boots = boots;
    this.causes = causes;
    this.state = S_IDLE;
    this.tls = false;
    this.sink = null;
    this.opened = null;
    this.openTimer = null;
    this.qisdeBoot = -1;
    this.echo = false;
    this.reading = false;
    this.readGen = 0;
    this.got = 0;
    this.readTries = 0;
    this.sendTries = 0;
    this.pollTimer = null;
    this.pollMs = POLL_MS;
    this.gen = 0;
    this.src = new WindowSource(new Uint8Array(0), 0, 0);
    this.sendLen = -1;

    this.sendReq = { command: "", shape: SHAPE_PROMPT, timeoutMs: T_SEND, promptGt: true, data: this.src };
    this.readReq = { command: "", shape: SHAPE_LINE, timeoutMs: T_SHORT, readsData: (d, s, e) => this.onData(d, s, e) };
    this.sendDone = (r) => this.onSendDone(r);
    this.readDone = (r) => this.onReadDone(r);
    this.pollFn = () => {
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
    if (tls) {
      port.onUrc(port.prefix('+QSSLOPEN: '), (l) => this.onOpenUrc(l, true));
      port.onUrc(port.prefix('+QSSLURC: "recv",'), (l) => this.onRecvUrc(l, true));
      port.onUrc(port.prefix('+QSSLURC: "closed",'), (l) => this.onClosedUrc(l, true));
    } else {
      port.onUrc(port.prefix('+QIOPEN: '), (l) => this.onOpenUrc(l, false));
      port.onUrc(port.prefix('+QIURC: "recv",'), (l) => this.onRecvUrc(l, false));
      port.onUrc(port.prefix('+QIURC: "closed",'), (l) => this.onClosedUrc(l, false));
    }
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
    this.sendLen = -1;
    this.state = S_OPENING;
    this.readReq.command = (tls ? "+QSSLRECV=" : "+QIRD=") + this.id + "," + READ_MAX;
    this.readReq.prefix = this.port.prefix(tls ? "+QSSLRECV:" : "+QIRD:");
    const g = this.gen;
    const open = (): void => {
      const p = this.place;
      const command = tls
        ? "+QSSLOPEN=" + p.contextId + "," + p.sslCtxId + "," + this.id + "," + quoted + "," + port + ",0"
        : "+QIOPEN=" + p.contextId + "," + this.id + ',"TCP",' + quoted + "," + port + ",0,0";
      this.exec(command, T_SHORT, (r) => {
        if (g !== this.gen) return;
        if (r.code !== RESULT_OK) return this.openFailed(resultToError(r, command, this.causes) as CellError);
        // The outcome is the +QIOPEN URC; the module gives it within 150 s.
        this.openTimer = this.clock.setTimer(T_OPEN, () => {
          this.openTimer = null;
          if (g === this.gen && this.state === S_OPENING) this.openFailed(cellError(KIND_NETWORK, 569, "socket open: no +QIOPEN in 150 s", ""));
        });
      });
    };
    if (tls || this.qisdeBoot === this.boots()) return open();
    // The payload echo of AT+QISEND is on after every boot: switch it off once per boot.
    this.exec("+QISDE=0", T_SHORT, (r) => {
      if (g !== this.gen) return;
      this.qisdeBoot = this.boots();
      this.echo = r.code !== RESULT_OK; // refused: the engine counts the echo out
      open();
    });
  }

  write(data: Uint8Array, start: number, end: number): void {
    if (this.state !== S_OPEN) {
      const g = this.gen;
      nextTurn(this.clock, () => {
        if (g === this.gen) this.fail(cellError(KIND_RETRYABLE, E_CLOSED, "socket write after the connection ended", ""));
      });
      return;
    }
    this.stopPoll();
    this.src.point(data, start, end);
    // Writes come in the client's buffer size: the command of the last length is kept, not built again.
    if (end - start !== this.sendLen) {
      this.sendLen = end - start;
      this.sendReq.command = (this.tls ? "+QSSLSEND=" : "+QISEND=") + this.id + "," + this.sendLen;
    }
    this.sendReq.echoData = this.echo && !this.tls;
    this.sendTries = 1;
    this.commands++;
    if (!this.port.send(this.sendReq, this.sendDone)) this.refused();
  }

  close(): void {
    const was = this.state;
    this.reset();
    this.gen++;
    this.state = S_IDLE;
    if (was === S_IDLE) return;
    // Free the id (also after the peer closed: the id stays taken until AT+QICLOSE).
    this.exec((this.tls ? "+QSSLCLOSE=" : "+QICLOSE=") + this.id, T_CLOSE, () => {});
  }

  // ---------------------------------------------------------------- module events

  private onOpenUrc(l: Line, tls: boolean): void {
    if (tls !== this.tls || l.int(0, -1) !== this.id || this.state !== S_OPENING) return;
    const err = l.int(1, -1);
    if (this.openTimer !== null) this.clock.clearTimer(this.openTimer);
    this.openTimer = null;
    if (err !== 0) {
      // 566 on a TLS open is the handshake or the certificate (as for the module's SMTP
      // engine: configuration); every other socket code is the network's.
      const tlsRefused = this.tls && err === 566;
      const text = this.causes ? this.causes.cme(err) : "";
      this.openFailed(cellError(tlsRefused ? KIND_CONFIG : KIND_NETWORK, err > 0 ? err : E_AT_ERROR, "socket open failed: " + (text ? text : "error " + err), ""));
      return;
    }
    this.state = S_OPEN;
    // The server speaks first: poll in case the greeting's "recv" URC is lost.
    this.armPoll();
    const done = this.opened as (err: CellError | null) => void;
    this.opened = null;
    nextTurn(this.clock, () => done(null));
  }

  private onRecvUrc(l: Line, tls: boolean): void {
    if (tls !== this.tls || l.int(1, -1) !== this.id) return;
    if (this.state === S_OPEN || this.state === S_PEER_CLOSED) this.readNow();
  }

  private onClosedUrc(l: Line, tls: boolean): void {
    if (tls !== this.tls || l.int(1, -1) !== this.id) return;
    if (this.state === S_OPENING) {
      this.openFailed(cellError(KIND_NETWORK, 567, "socket closed while opening", ""));
      return;
    }
    if (this.state !== S_OPEN) return;
    // What the peer sent before it closed can still be read: hand it over, then the close.
    this.state = S_PEER_CLOSED;
    this.readNow();
  }

  // ---------------------------------------------------------------- reading

  private readNow(): void {
    if (this.reading || (this.state !== S_OPEN && this.state !== S_PEER_CLOSED)) return;
    this.stopPoll();
    this.reading = true;
    this.readGen = this.gen;
    this.got = 0;
    this.commands++;
    if (!this.port.send(this.readReq, this.readDone)) this.refused();
  }

  private onData(data: Uint8Array, start: number, end: number): void {
    this.got += end - start;
    if (this.readGen === this.gen && (this.state === S_OPEN || this.state === S_PEER_CLOSED)) (this.sink as StreamSink).onBytes(data, start, end);
  }

  private onReadDone(r: AtResult): void {
    if (this.readGen !== this.gen) return;
    this.reading = false;
    if (this.state !== S_OPEN && this.state !== S_PEER_CLOSED) return;
    // GARBLED: the echo differed, but the module's own count framed what it returned: taken.
    if (r.code !== RESULT_OK && r.code !== RESULT_GARBLED) {
      if (r.code === RESULT_ERROR && this.readTries < TRIES - 1) {
        this.readTries++;
        this.readNow();
        return;
      }
      this.readTries = 0;
      this.fail(resultToError(r, this.readReq.command, this.causes) as CellError);
      return;
    }
    this.readTries = 0;
    if (this.got >= READ_MAX) {
      // More may wait: the module sends no new "recv" URC before its buffer was read empty.
      // A shorter read emptied it, so the next bytes bring their own URC (and the poll
      // below covers a lost one): no empty read after every reply.
      this.pollMs = POLL_MS;
      this.readNow();
      return;
    }
    if (this.got > 0) this.pollMs = POLL_MS;
    if (this.state === S_PEER_CLOSED) {
      this.finish(null);
      return;
    }
    this.armPoll();
  }

  private armPoll(): void {
    if (this.pollTimer !== null || this.state !== S_OPEN) return;
    this.pollTimer = this.clock.setTimer(this.pollMs, this.pollFn);
    this.pollMs = this.pollMs * 2 > POLL_MAX_MS ? POLL_MAX_MS : this.pollMs * 2;
  }

  private stopPoll(): void {
    if (this.pollTimer !== null) this.clock.clearTimer(this.pollTimer);
    this.pollTimer = null;
  }

  // ---------------------------------------------------------------- writing

  private onSendDone(r: AtResult): void {
    if (this.state !== S_OPEN) return;
    if (r.code === RESULT_ERROR && this.sendTries < TRIES) {
      // Not sent (a garbled command, or a payload cut short and dropped): the same bytes again.
      this.sendTries++;
      this.commands++;
      if (!this.port.send(this.sendReq, this.sendDone)) this.refused();
      return;
    }
    if (r.code !== RESULT_OK) {
      this.fail(resultToError(r, this.sendReq.command, this.causes) as CellError);
      return;
    }
    // The reply will come: poll in case its "recv" URC is lost.
    this.pollMs = POLL_MS;
    this.armPoll();
    // Straight from the command's result (not inside write(), as the stream's contract asks):
    // a turn of its own per write would cost a timer per write (bench xs.socket.mail.peakLiveSlots).
    (this.sink as StreamSink).onSent();
  }

  // ---------------------------------------------------------------- endings

  private exec(command: string, timeoutMs: number, done: (r: AtResult) => void): void {
    this.commands++;
    const req: AtRequest = { command: command, shape: SHAPE_NONE, timeoutMs: timeoutMs };
    if (!this.port.send(req, done)) this.refused();
  }

  private refused(): void {
    const g = this.gen;
    nextTurn(this.clock, () => {
      if (g === this.gen) this.fail(cellError(KIND_RETRYABLE, E_CLOSED, "AT engine refused a socket command (queue full or closed)", ""));
    });
  }

  private openFailed(err: CellError): void {
    const done = this.opened;
    this.reset();
    this.state = S_IDLE;
    // A failed open may still hold the id (a late +QIOPEN after our deadline): free it.
    this.exec((this.tls ? "+QSSLCLOSE=" : "+QICLOSE=") + this.id, T_CLOSE, () => {});
    if (done !== null) nextTurn(this.clock, () => done(err));
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
