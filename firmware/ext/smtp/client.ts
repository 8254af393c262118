// cellmail's own SMTP client (RFC 5321) over one ByteStream (./stream.ts): the mail
// conversation the module's AT+QSMTP engine would otherwise hold, for module builds
// without it and for what it cannot do (a stable Message-ID, HTML, typed refusals).
//
// One mail per connection. The conversation, as a table (state: what is written, the
// reply class that moves on, the timeout of the wait, RFC 5321 4.5.3.2):
//
//   state       writes                         wants  timeout  then
//   GREETING    (nothing: the server speaks)   2xx    300 s    EHLO
//   EHLO        EHLO <name>                    2xx    300 s    AUTH_PLAIN | AUTH_LOGIN | MAIL
//                                                              (500-504: HELO)
//   HELO        HELO <name>                    2xx    300 s    AUTH_PLAIN | AUTH_LOGIN | MAIL
//   AUTH_PLAIN  AUTH PLAIN <b64 \0user\0pass>  2xx    300 s    MAIL          (RFC 4954, 4616)
//   AUTH_LOGIN  AUTH LOGIN                     3xx    300 s    AUTH_USER
//   AUTH_USER   <b64 user>                     3xx    300 s    AUTH_PASS
//   AUTH_PASS   <b64 password>                 2xx    300 s    MAIL
//   MAIL        MAIL FROM:<from>               2xx    300 s    RCPT
//   RCPT        RCPT TO:<addr>, once each      2xx    300 s    RCPT ... DATA (To, Cc and Bcc:
//                                                              Bcc lives on the envelope only)
//   DATA        DATA                           3xx    120 s    BODY
//   BODY        the message, dot-stuffed,      2xx    600 s    QUIT          (each write: 180 s)
//               then CRLF . CRLF
//   QUIT        QUIT                           2xx     30 s    (close)
//
// With PIPELINING offered (RFC 2920) MAIL, every RCPT and DATA go out together (as many
// writes as the buffer needs, no wait between them) and the replies are matched in order:
// one round trip instead of 2 + recipients, on a radio link where each costs ~150 ms and
// more. EHLO, AUTH and the message itself are never pipelined.
//
// Outcome, reported once through `done` on a fresh turn (firmware/turn.ts):
//  - delivered: the server's 2xx to the final dot (QUIT follows; its fate does not matter);
//  - any refusal: the first failing reply as a typed error (./refusal.ts): the module
//    path's <err>/proto pair for the same reply; QUIT is sent and the connection closed;
//  - a refusal inside a pipelined group: the replies still due are read; when DATA was
//    nevertheless answered 354, the connection is closed without the final dot, so the
//    server discards the transaction (an empty message to the accepted recipients would
//    be a wrong delivery);
//  - 421 at any point, a timeout, the peer closing before the end: retryable errors
//    (656, 658); a transport failure: the transport's error.
//
// Memory: one output buffer and the reply reader's line, allocated by the constructor;
// commands are written into the buffer char by char from their parts (no command
// string); the message is pulled from a MessageSource straight into the buffer.
import { LOG_WARN, type Clock, type TimerHandle } from "../../platform/types.js";
import { cellError, type CellError } from "../../errors.js";
import type { CauseTexts } from "../../modem/codes.js";
import { nextTurn } from "../../turn.js";
import type { ByteStream, StreamSink } from "../../modem/stream.js";
import { ReplyReader, ReplySink, hasWord, startsWithWord } from "./reply.js";
import { base64Into, base64Length } from "./base64.js";
import { eventError, garbledError, heloError, replyError } from "./refusal.js";
import { addressError } from "../../modem/address.js";
import { utf8Into } from "../../text/utf8.js";
import { codeAt } from "../../text/code-at.js";
import { DST_BCC, DST_CC } from "../../modem/steps.js";

// States, in the order of the conversation (the order matters: the write cursor is
// compared with the reply cursor by state * 32 + recipient).
export const S_GREETING = 0;
export const S_EHLO = 1;
export const S_HELO = 2;
export const S_AUTH_PLAIN = 3;
export const S_AUTH_LOGIN = 4;
export const S_AUTH_USER = 5;
export const S_AUTH_PASS = 6;
export const S_MAIL = 7;
export const S_RCPT = 8;
export const S_DATA = 9;
export const S_BODY = 10;
export const S_QUIT = 11;
export const S_DONE = 12;

// The conversation's per-state columns (the table at the top of this file) as code: a
// table object per client cost the XS heap about 18 slots for the board's life, and the
// core has no module-level arrays (Moddable's preload would freeze them).

/** The first digit of the reply that moves `state` on. */
function wantOf(state: number): number {
  switch (state) {
    case S_AUTH_LOGIN:
    case S_AUTH_USER:
    case S_DATA:
      return 3;
    case S_DONE:
      return 0;
  }
  return 2;
}

/** Seconds to wait for the reply in `state` (RFC 5321 4.5.3.2). */
function timeoutOf(state: number): number {
  switch (state) {
    case S_DATA:
      return 120;
    case S_BODY:
      return 600;
    case S_QUIT:
      return 30;
    case S_DONE:
      return 0;
  }
  return 300;
}

/** The step's name in error messages (errors only: the split allocates). */
function stepOf(state: number): string {
  return "greeting/EHLO/HELO/AUTH PLAIN/AUTH LOGIN/AUTH LOGIN user/AUTH LOGIN password/MAIL FROM/RCPT TO/DATA/end of data/QUIT/".split("/")[state];
}

/** Seconds one write may take before SEND OK (RFC 5321: data block 3 minutes). */
const WRITE_TIMEOUT_S = 180;

/** A message producer (the MIME writer, ./mime.ts): fills a buffer piece by piece. */
export interface MessageSource {
  /** Writes the next bytes into dst[offset..limit) (limit - offset >= MIN_ROOM); returns the new offset. */
  fill(dst: Uint8Array, offset: number, limit: number): number;
  /** Everything has been written. */
  readonly finished: boolean;
}

/** Room the client always offers a MessageSource (a base64 line and its CR LF fit). */
export const MIN_ROOM = 80;

export interface SmtpClientOptions {
  clock: Clock;
  /** The name in EHLO/HELO: a domain or an address literal such as "[10.0.0.1]". Default "localhost". */
  heloName?: string;
  /** The account; "" sends no AUTH. */
  user: string;
  /** Never logged, never in an error. */
  password: string;
  /** Use PIPELINING when the server offers it. Default true. */
  pipelining?: boolean;
  /** Output buffer in bytes, 256..4096. Default 1024 (the transport splits by its maxWrite). */
  bufferBytes?: number;
  /** Words for error codes (firmware/ext/causes), when the composition carries them; without them a cause names the code. */
  causes?: CauseTexts | null;
  /**
   * Where a mail whose outcome is unknown is told (the end of the message went out, its
   * reply was lost), as a warning: the board's log (the modem driver, Ec800.note, is one).
   */
  log?: ClientLog | null;
}

/** A log the client writes to (an object, not a closure: XS keeps a closure for the board's life). */
export interface ClientLog {
  note(level: number, message: string): void;
}

/** One mail's envelope. */
export interface Envelope {
  /** MAIL FROM address (validated, ASCII). */
  from: string;
  /** RCPT TO addresses: To, Cc and Bcc (validated, ASCII). */
  recipients: string[];
  /**
   * What each recipient is, parallel to recipients: DST_TO, DST_CC or DST_BCC (modem/steps.ts),
   * for the input name an error gives ("to[0]", "bcc[1]": recipientField), made only then.
   */
  types: number[];
}

/** The input name of recipient `i` ("to[0]", "cc[1]", "bcc[0]"): its kind and its place among its kind. */
export function recipientField(types: number[], i: number): string {
  const t = types[i];
  let k = 0;
  for (let j = 0; j < i; j++) if (types[j] === t) k++;
  return (t === DST_CC ? "cc[" : t === DST_BCC ? "bcc[" : "to[") + k + "]";
}

const DOT = 46;
const LF = 10;

export class SmtpClient implements StreamSink, ReplySink {
  /** Exchanges that waited for a reply: the greeting, then each written group of commands. */
  roundTrips = 0;
  /** The server offered PIPELINING / AUTH PLAIN / AUTH LOGIN (from its EHLO reply). */
  pipelining = false;
  authPlain = false;
  authLogin = false;
  /** The state the conversation is in (S_*). */
  state = S_DONE;

  private readonly clock: Clock;
  private readonly helo: string;
  private readonly user: string;
  private readonly password: string;
  private readonly causes: CauseTexts | null;
  private readonly log: ClientLog | null;
  private readonly allowPipelining: boolean;
  private readonly out: Uint8Array;
  private readonly reader: ReplyReader;

  private stream: ByteStream | null = null;
  private envelope: Envelope | null = null;
  private message: MessageSource | null = null;
  private done: ((error: CellError | null) => void) | null = null;
  private timer: TimerHandle = null;
  /**
   * When the wait's time is up (clock ms), and when the armed timer fires: a wait made longer
   * keeps its timer, which arms again for the rest when it fires (no timer set and cleared for
   * every write and every reply: each set is a host object on a board, bench xs.socket.mail.*).
   */
  private due = -1; // -1: no wait
  private timerAt = 0;
  /** The outcome to tell on the timer's next fire (report()), and whom: null when none is due. */
  private told: ((error: CellError | null) => void) | null = null;
  private toldError: CellError | null = null;
  private readonly timeoutFn: () => void;

  private rcpt = 0; //        recipient whose RCPT reply is due (state RCPT)
  private wState = 0; //      the next command to write: state and recipient (the write cursor)
  private wRcpt = 0;
  private sending = false; // a write is out (no onSent yet)
  private outEnd = 0; //      bytes of `out` in that write
  private sentTo = 0; //      of which handed to the stream (it takes maxWrite at a time)
  private carry = 0; //       message bytes held back at out[carryFrom..+carry) for the next write
  private carryFrom = 0;
  private lineStart = true; // the message byte before out[0] of the next write was LF
  private failed: CellError | null = null; // first refusal inside a pipelined group
  private reported = false;
  private aborting = false; //        closing without the final dot (a refused pipelined group)

  /** Throws the CellError of heloError when options.heloName cannot follow EHLO (checked with the configuration). */
  constructor(options: SmtpClientOptions) {
    this.clock = options.clock;
    this.helo = options.heloName ? options.heloName : "localhost";
    const e = heloError(this.helo);
    if (e) throw e;
    this.user = options.user;
    this.password = options.password;
    this.causes = options.causes ? options.causes : null;
    this.log = options.log ? options.log : null;
    this.allowPipelining = options.pipelining !== false;
    let size = options.bufferBytes ? options.bufferBytes : 1024;
    if (size < 256) size = 256;
    if (size > 4096) size = 4096;
    this.out = new Uint8Array(size);
    this.reader = new ReplyReader();
    this.timeoutFn = () => this.onTimeout(); // one closure for every wait, not one per arm
  }

  /**
   * Send one mail over `stream`, which the transport has just opened (nothing read from it
   * yet). The transport then calls this client's onBytes/onSent/onClosed. `done` is called
   * once, on a fresh turn: null when the server accepted the message.
   */
  send(stream: ByteStream, envelope: Envelope, message: MessageSource, done: (error: CellError | null) => void): void {
    // The last line of defence (prepareSocketMail checked them): an address goes into a
    // command as it is, so one that could end it early is never written.
    let bad = addressError(envelope.from, "sender.address");
    // (The field's name is made only for an error.)
    for (let i = 0; !bad && i < envelope.recipients.length; i++) {
      bad = addressError(envelope.recipients[i], "") && addressError(envelope.recipients[i], recipientField(envelope.types, i));
    }
    if (bad || envelope.recipients.length === 0) {
      const e = bad ? bad : eventError(659, "no recipient", this.causes);
      stream.close();
      nextTurn(this.clock, () => done(e));
      return;
    }
    this.stream = stream;
    this.envelope = envelope;
    this.message = message;
    this.done = done;
    this.reader.reset();
    this.state = S_GREETING;
    this.rcpt = 0;
    this.wState = S_GREETING;
    this.wRcpt = 1; // nothing to write for the greeting
    this.sending = false;
    this.carry = 0;
    this.lineStart = true;
    this.failed = null;
    this.reported = false;
    this.aborting = false;
    this.pipelining = false;
    this.authPlain = false;
    this.authLogin = false;
    this.roundTrips = 1;
    this.arm(timeoutOf(S_GREETING));
  }

  // ---- StreamSink ----------------------------------------------------------------

  onBytes(data: Uint8Array, start: number, end: number): void {
    if (this.state === S_DONE) return;
    this.reader.feed(data, start, end, this);
  }

  onSent(): void {
    if (!this.sending || this.state === S_DONE) return;
    const stream = this.stream as ByteStream;
    if (this.sentTo < this.outEnd) {
      this.writeSlice(stream);
      return;
    }
    this.sending = false;
    if (this.aborting) {
      this.finish(null);
      return;
    }
    this.arm(timeoutOf(this.state));
    this.pump();
  }

  onClosed(error: CellError | null): void {
    if (this.state === S_DONE) return;
    const quitting = this.state === S_QUIT;
    this.stream = null; // closed already: finish must not close it again
    const e = error ? error : quitting ? null : eventError(656, "the connection closed during " + stepOf(this.state), this.causes);
    this.finish(e !== null && this.dotOut() ? this.unknown(e) : e);
  }

  /** The message's final dot was handed to the stream: the server may have taken the mail. */
  private dotOut(): boolean {
    return this.state === S_BODY && this.wRcpt !== 0;
  }

  /**
   * The end of the message went out and its reply was lost or damaged: whether the server
   * took the mail is unknown. It is reported as a failure (the job sends it again, with the
   * same Message-ID, so a reader can tell the copy: at least once, never silently lost) and
   * logged as what it is.
   */
  private unknown(e: CellError): CellError {
    const why = cellError(e.kind, e.code, "outcome unknown: the end of the message went out and its reply was lost (" + e.cause + "); sent again, same Message-ID", e.field);
    why.proto = e.proto;
    if (this.log !== null) this.log.note(LOG_WARN, "mail: " + why.cause);
    return why;
  }

  // ---- ReplySink -----------------------------------------------------------------

  onReplyLine(n: number, line: Uint8Array, start: number, end: number): void {
    // EHLO's keywords (RFC 5321 4.1.1.1): one per line after the first.
    if (this.state !== S_EHLO || n === 0) return;
    if (startsWithWord(line, start, end, "PIPELINING")) this.pipelining = true;
    else if (startsWithWord(line, start, end, "AUTH")) {
      if (hasWord(line, start + 4, end, "PLAIN")) this.authPlain = true;
      if (hasWord(line, start + 4, end, "LOGIN")) this.authLogin = true;
    }
  }

  onReply(code: number): void {
    const state = this.state;
    if (state === S_DONE) return;
    this.arm(timeoutOf(state));
    if (state === S_QUIT) {
      this.finish(null);
      return;
    }
    const r = this.reader;
    if (state === S_BODY && this.wRcpt !== 0 && code < 0) {
      // The reply to the end of the message is not SMTP (damaged): the mail may have been taken.
      this.finish(this.unknown(garbledError(stepOf(state))));
      return;
    }
    if (state === S_BODY && this.wRcpt === 0) {
      // A reply in the middle of the message (the server gave up on it): no QUIT can follow.
      this.finish(code < 0 ? garbledError(stepOf(state)) : replyError(code, "message data", "", r.line, r.length > 4 ? 4 : r.length, r.length, this.causes));
      return;
    }
    if (code < 0) {
      this.fail(garbledError(stepOf(state)));
      return;
    }
    const ok = Math.floor(code / 100) === wantOf(state);
    if (!ok && state === S_EHLO && code >= 500 && code <= 504) {
      // RFC 5321 3.2: a server that does not know EHLO gets HELO (no extensions then).
      this.pipelining = false;
      this.authPlain = false;
      this.authLogin = false;
      this.moveTo(S_HELO);
      return;
    }
    if (!ok) {
      const e = replyError(code, stepOf(state), this.fieldOf(state), r.line, r.length > 4 ? 4 : r.length, r.length, this.causes);
      if (code === 421 || !this.grouped()) {
        this.fail(e);
        return;
      }
      // Inside a pipelined group: keep the first refusal, read the replies still due.
      if (!this.failed) this.failed = e;
    }
    if (this.failed && state === S_DATA) {
      const e = this.failed;
      this.failed = null;
      if (ok) this.abort(e); // 354 although the group failed: close without the final dot
      else this.fail(e);
      return;
    }
    this.moveTo(this.after(state));
  }

  // ---- the conversation ----------------------------------------------------------

  /** The state after `state` succeeded. */
  private after(state: number): number {
    switch (state) {
      case S_GREETING:
        return S_EHLO;
      case S_EHLO:
      case S_HELO:
        return this.user === "" ? S_MAIL : S_AUTH_PLAIN; // moveTo picks PLAIN or LOGIN
      case S_AUTH_PLAIN:
      case S_AUTH_PASS:
        return S_MAIL;
      case S_AUTH_LOGIN:
        return S_AUTH_USER;
      case S_AUTH_USER:
        return S_AUTH_PASS;
      case S_MAIL:
        return S_RCPT;
      case S_RCPT:
        return this.rcpt + 1 < (this.envelope as Envelope).recipients.length ? S_RCPT : S_DATA;
      case S_DATA:
        return S_BODY;
    }
    return S_QUIT;
  }

  private moveTo(next: number): void {
    if (next === S_AUTH_PLAIN) {
      if (!this.authPlain && !this.authLogin) {
        this.fail(eventError(655, "the server offers neither AUTH PLAIN nor AUTH LOGIN", this.causes));
        return;
      }
      if (!this.authPlain) next = S_AUTH_LOGIN;
    }
    this.rcpt = next !== S_RCPT ? 0 : this.state === S_RCPT ? this.rcpt + 1 : 0;
    this.state = next;
    if (next === S_QUIT) this.report(null);
    // The write cursor follows unless it is ahead already (a pipelined group).
    if (this.order(this.wState, this.wRcpt) < this.order(next, this.rcpt)) {
      this.wState = next;
      this.wRcpt = next === S_RCPT ? this.rcpt : 0;
    }
    this.pump();
  }

  private order(state: number, rcpt: number): number {
    return state * 32 + rcpt;
  }

  /** The reply cursor is inside MAIL..DATA with PIPELINING in use. */
  private grouped(): boolean {
    return this.pipelining && this.allowPipelining && this.state >= S_MAIL && this.state <= S_DATA;
  }

  /** Write what is due: the command(s) the reply cursor waits for, or the message. */
  private pump(): void {
    if (this.sending || this.state === S_DONE || this.aborting) return;
    const stream = this.stream as ByteStream;
    if (this.state === S_BODY) {
      if (this.wRcpt !== 0) return; // the final dot is out: wait for the reply
      this.fillMessage();
      this.startWrite(stream);
      return;
    }
    let o = 0;
    // A write that starts with the command the reply cursor waits for begins a round
    // trip; the rest of a pipelined group written after it does not.
    const fresh = this.order(this.wState, this.wRcpt) === this.order(this.state, this.rcpt);
    for (;;) {
      const s = this.wState;
      const w = this.order(s, this.wRcpt);
      const due = w === this.order(this.state, this.rcpt) || (this.grouped() && s >= S_MAIL && w <= this.order(S_DATA, 0));
      if (!due || s === S_BODY || s === S_DONE) break;
      const n = this.command(s, this.wRcpt, o);
      if (n < 0) break; // does not fit: the rest after onSent
      o = n;
      // Past it: the next recipient, else a place just behind this state.
      const recipients = (this.envelope as Envelope).recipients.length;
      if (s === S_MAIL && this.grouped()) {
        this.wState = S_RCPT;
        this.wRcpt = 0;
      } else if (s === S_RCPT && this.wRcpt + 1 < recipients) this.wRcpt++;
      else if (s === S_RCPT && this.grouped()) {
        this.wState = S_DATA;
        this.wRcpt = 0;
      } else this.wRcpt++;
      if (!this.grouped()) break;
    }
    if (o === 0) return;
    this.outEnd = o;
    if (fresh) this.roundTrips++;
    this.startWrite(stream);
  }

  /** Writes the command of (state, rcpt) at out[o..]; the new end, or -1 when it does not fit. */
  private command(state: number, rcpt: number, o: number): number {
    const out = this.out;
    const env = this.envelope as Envelope;
    const room = out.length - o;
    switch (state) {
      case S_EHLO:
      case S_HELO:
        if (room < this.helo.length + 7) return -1;
        o = this.ascii(state === S_EHLO ? "EHLO " : "HELO ", o);
        o = this.ascii(this.helo, o);
        break;
      case S_AUTH_PLAIN:
        // RFC 4616: authzid (empty) NUL authcid NUL passwd, base64 on one line (RFC 4954).
        if (room < 13) return -1;
        o = this.secret(this.ascii("AUTH PLAIN ", o), this.user, this.password);
        if (o < 0) return -1;
        break;
      case S_AUTH_LOGIN:
        o = this.ascii("AUTH LOGIN", o);
        break;
      case S_AUTH_USER:
      case S_AUTH_PASS:
        o = this.secret(o, null, state === S_AUTH_USER ? this.user : this.password);
        if (o < 0) return -1;
        break;
      case S_MAIL:
        if (room < env.from.length + 15) return -1;
        o = this.ascii("MAIL FROM:<", o);
        o = this.ascii(env.from, o);
        out[o++] = 62; // '>'
        break;
      case S_RCPT: {
        const a = env.recipients[rcpt];
        if (room < a.length + 13) return -1;
        o = this.ascii("RCPT TO:<", o);
        o = this.ascii(a, o);
        out[o++] = 62;
        break;
      }
      case S_DATA:
        if (room < 6) return -1;
        o = this.ascii("DATA", o);
        break;
      case S_QUIT:
        if (room < 6) return -1;
        o = this.ascii("QUIT", o);
        break;
      default:
        return -1;
    }
    out[o++] = 13;
    out[o++] = 10;
    return o;
  }

  /**
   * Base64 of secret bytes at out[o..]: AUTH PLAIN's NUL user NUL password (`user` given), or
   * one string of AUTH LOGIN's. The raw bytes go to the buffer's end first and are encoded
   * from there (base64 writes 4 bytes for each 3 it has read, so it never overtakes what it
   * has not read yet), then everything after the result is wiped: nothing is allocated (three
   * typed arrays a mail before, 27 XS slots) and no copy of the password is left. The new end,
   * or -1 when it does not fit with the CR LF after it.
   */
  private secret(o: number, user: string | null, password: string): number {
    const out = this.out;
    const cap = out.length;
    let e = o;
    if (user !== null) {
      out[e++] = 0;
      e = utf8Into(user, out, e, cap - 1);
      if (e >= 0) out[e++] = 0;
    }
    if (e >= 0) e = utf8Into(password, out, e, cap);
    let end = -1;
    if (e >= 0 && o + base64Length(e - o) + 2 <= cap) {
      const n = e - o;
      const from = cap - n;
      for (let i = n - 1; i >= 0; i--) out[from + i] = out[o + i];
      end = base64Into(out, from, cap, out, o);
    }
    for (let i = end < 0 ? o : end; i < cap; i++) out[i] = 0;
    return end;
  }

  /** Copies an ASCII string (checked by validation) into out[o..]; the new end. */
  private ascii(s: string, o: number): number {
    const out = this.out;
    const n = s.length; // read once, chars by codeAt: text/code-at.ts
    for (let i = 0; i < n; i++) out[o++] = codeAt.call(s, i) & 0x7f;
    return o;
  }

  /**
   * The next piece of the message into `out`: the bytes carried over, then what the
   * source gives, dot-stuffed (RFC 5321 4.5.2: a line that starts with '.' gets one more),
   * then CRLF . CRLF once the source has finished.
   */
  private fillMessage(): void {
    const out = this.out;
    const cap = out.length;
    const msg = this.message as MessageSource;
    // Bytes held back last time (from a dot that needed stuffing) move to the front now
    // that the write before them is done.
    const from = this.carryFrom;
    let end = this.carry;
    for (let i = 0; i < end; i++) out[i] = out[from + i];
    this.carry = 0;
    // Reserve: the terminator and a few stuffed dots before a carry is needed.
    if (!msg.finished && cap - 8 - end >= MIN_ROOM) end = msg.fill(out, end, cap - 8);
    // Dot-stuffing: find each '.' with the native indexOf, stuff those at a line start.
    let p = out.indexOf(DOT, 0);
    while (p >= 0 && p < end) {
      const atStart = p === 0 ? this.lineStart : out[p - 1] === LF;
      if (atStart) {
        if (end === cap) {
          // No room: send out[0..p) now, the rest (from this dot) goes first next time.
          this.carryFrom = p;
          this.carry = end - p;
          this.lineStart = true;
          this.outEnd = p;
          return;
        }
        // One byte to the right (Espruino has no copyWithin; stuffed dots are rare).
        for (let i = end; i > p; i--) out[i] = out[i - 1];
        end++;
        p++; // the inserted dot; the original one follows
      }
      p = out.indexOf(DOT, p + 1);
    }
    if (end > 0) this.lineStart = out[end - 1] === LF;
    if (msg.finished && this.carry === 0 && cap - end >= 5) {
      if (!this.lineStart) {
        out[end++] = 13;
        out[end++] = 10;
      }
      out[end++] = DOT;
      out[end++] = 13;
      out[end++] = 10;
      this.wRcpt = 1; // the final dot is written
      this.roundTrips++;
    }
    this.outEnd = end;
  }

  private startWrite(stream: ByteStream): void {
    if (this.outEnd === 0) return;
    this.sending = true;
    this.sentTo = 0;
    this.arm(WRITE_TIMEOUT_S);
    this.writeSlice(stream);
  }

  private writeSlice(stream: ByteStream): void {
    const from = this.sentTo;
    let to = this.outEnd;
    if (to - from > stream.maxWrite) to = from + stream.maxWrite;
    this.sentTo = to;
    stream.write(this.out, from, to);
  }

  /** The input field a refusal in `state` points at. */
  private fieldOf(state: number): string {
    if (state === S_RCPT) return recipientField((this.envelope as Envelope).types, this.rcpt);
    if (state === S_AUTH_PLAIN || state === S_AUTH_PASS) return "smtp.password";
    if (state === S_AUTH_USER) return "smtp.user";
    if (state === S_MAIL) return "sender.address";
    return "";
  }

  // ---- endings -------------------------------------------------------------------

  /** Report `error`, then QUIT politely (421: the server is closing anyway). */
  private fail(error: CellError): void {
    this.report(error);
    if (error.proto === 421 || this.stream === null) {
      this.finish(error);
      return;
    }
    this.state = S_QUIT;
    this.rcpt = 0;
    this.wState = S_QUIT;
    this.wRcpt = 0;
    this.carry = 0;
    this.pump();
  }

  /** Close without the final dot: the server drops the transaction. */
  private abort(error: CellError): void {
    this.report(error);
    this.aborting = true;
    if (!this.sending) this.finish(error);
  }

  /**
   * Tell the outcome once, on a fresh turn: the one timer is set to fire at once (nextTurn's
   * zero delay), tells it (onTimeout), then waits on for the rest of a wait still under way
   * (QUIT's reply): no closure per mail (XS heap), never two timers at once.
   */
  private report(error: CellError | null): void {
    if (this.reported) return;
    this.reported = true;
    const done = this.done;
    this.done = null;
    if (!done) return;
    this.told = done;
    this.toldError = error;
    this.clock.clearTimer(this.timer);
    this.timer = this.clock.setTimer(0, this.timeoutFn);
    this.timerAt = this.clock.now();
  }

  /** The end: close the stream, stop the wait, report (when not done yet). */
  private finish(error: CellError | null): void {
    this.arm(0);
    this.state = S_DONE;
    this.report(error);
    const stream = this.stream;
    this.stream = null;
    this.envelope = null;
    this.message = null;
    if (stream) stream.close();
  }

  /** Wait `seconds` from now for what is due (0: no wait; an outcome still to tell keeps the timer). */
  private arm(seconds: number): void {
    if (!(seconds > 0)) {
      this.due = -1;
      if (this.told === null) {
        this.clock.clearTimer(this.timer);
        this.timer = null;
      }
      return;
    }
    const due = this.clock.now() + seconds * 1000;
    this.due = due;
    if (this.timer !== null && this.timerAt <= due) return;
    this.clock.clearTimer(this.timer);
    this.timer = this.clock.setTimer(seconds * 1000, this.timeoutFn);
    this.timerAt = due;
  }

  private onTimeout(): void {
    this.timer = null;
    // report()'s fire: the outcome is told below, after the wait under way has its timer again.
    const told = this.told;
    const toldError = this.toldError;
    this.told = null;
    this.toldError = null;
    if (this.state !== S_DONE && this.due >= 0) {
      const left = this.due - this.clock.now();
      if (left > 0 || told !== null) {
        // The wait was made longer since the timer was set, or goes on past the outcome: the rest of it.
        this.timer = this.clock.setTimer(left > 0 ? left : 0, this.timeoutFn);
        this.timerAt = this.due;
      } else {
        const e = eventError(658, (this.sending ? "no SEND OK during " : "no reply to ") + stepOf(this.state), this.causes);
        this.finish(this.dotOut() ? this.unknown(e) : e);
      }
    }
    if (told !== null) told(toldError);
  }
}
