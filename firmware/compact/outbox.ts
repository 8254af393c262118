// The compact profile's alarm outbox: raised alarms become entries persisted through
// Store before anything is sent (write-ahead), one mail at a time goes out through the
// CompactMailer, and an entry leaves the Store only when its mail was delivered.
//
//   raise ──► QUEUED (Store "o<id>") ──► SENDING (written before the first command)
//                 ▲   repeats of its key add to its count        │
//                 └── retryable failure, backoff ◄───────────────┤
//                     permanent failure / attempts used up ──► FAILED (kept, reported)
//                     delivered ──► removed; the key's send time opens a coalescing window
//
// After a restart every stored entry is queued again: one that was SENDING may have
// been delivered already, so delivery is at least once (README). Repeats of a key within
// `coalesceMs` of its last mail wait for the window's end and go as one mail with their
// count. Every mail goes to the same recipients, so the per-recipient limit is a window
// of the last `perHour` send times, stored too (after a restart they count as recent).
// An outbox with one slot left takes new keys into one "several alarms" entry, so
// nothing is dropped. Entries are stored as ASCII JSON arrays (non-ASCII as \uXXXX).
import type { Clock, Log, Store, TimerHandle } from "../platform/types.js";
import { LOG_ERROR, LOG_INFO } from "../platform/types.js";
import { KIND_CONFIG, KIND_PERMANENT } from "../errors.js";
import { clipUtf8 } from "../text/utf8.js";
import type { CompactConfig } from "./config.js";
import type { CompactMailer } from "./mailer.js";
import type { CompactOutcome, CompactRadio } from "./types.js";

const QUEUED = 0;
const SENDING = 1;
const FAILED = 3;
const HOUR = 3600000;
const BACKOFF_MS = 30000; //     first retry; doubles per attempt
const BACKOFF_MAX_MS = 1800000;
export const OVERFLOW_KEY = "~overflow";
export const HEARTBEAT_KEY = "~heartbeat";

/** One alarm mail to be: [id, state, key, title, text, count, firstAt, lastAt, attempts, code, notBefore]. */
type Entry = [number, number, string, string, string, number, number, number, number, number, number];
const ID = 0, STATE = 1, KEY = 2, TITLE = 3, TEXT = 4, COUNT = 5, FIRST = 6, LAST = 7, TRIES = 8, CODE = 9, NOT_BEFORE = 10;

/** JSON with every non-ASCII character escaped, as bytes. */
function encode(value: unknown): Uint8Array {
  const s = JSON.stringify(value);
  let a = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a += c < 0x80 ? s.charAt(i) : "\\u" + (0x10000 + c).toString(16).substring(1);
  }
  const b = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) b[i] = a.charCodeAt(i);
  return b;
}

function decode(b: Uint8Array | undefined): unknown {
  if (!b) return undefined;
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  try {
    return JSON.parse(s);
  } catch (e) {
    return undefined;
  }
}

export class CompactOutbox {
  private readonly clock: Clock;
  private readonly store: Store;
  private readonly mailer: CompactMailer;
  private readonly c: CompactConfig;
  private readonly log: Log;
  private entries: Entry[];
  /** Send times of the last mails (the rate window), oldest first. */
  private sent: number[];
  /** Alarm key -> clock time of its last mail (the coalescing memory). */
  private lastMail: { [key: string]: number };
  private nextId: number;
  private busy: boolean;
  private timer: TimerHandle;
  private idleTimer: TimerHandle;
  private beatTimer: TimerHandle;
  private stopped: boolean;
  /** Told about every finished mail (tests, the CLI). */
  onSent: ((id: number, o: CompactOutcome) => void) | null;

  constructor(clock: Clock, store: Store, mailer: CompactMailer, config: CompactConfig, log: Log) {
    this.clock = clock;
    this.store = store;
    this.mailer = mailer;
    this.c = config;
    this.log = log;
    this.entries = [];
    this.sent = [];
    this.lastMail = {};
    this.nextId = 1;
    this.busy = false;
    this.timer = null;
    this.idleTimer = null;
    this.beatTimer = null;
    this.stopped = false;
    this.onSent = null;
  }

  /** Recover what the Store holds, then start sending. */
  start(): void {
    const now = this.clock.now();
    const keys = this.store.keys();
    for (let i = 0; i < keys.length; i++) {
      const e = decode(this.store.read(keys[i])) as Entry;
      if (keys[i].charAt(0) !== "o" || !(e instanceof Array) || e.length !== 11) continue;
      if (e[STATE] === SENDING) e[STATE] = QUEUED;
      e[FIRST] = e[LAST] = now; // times of an earlier run mean nothing to this clock
      e[NOT_BEFORE] = 0;
      this.entries.push(e);
      if (e[ID] >= this.nextId) this.nextId = e[ID] + 1;
    }
    this.entries.sort((a, b) => a[ID] - b[ID]);
    const w = decode(this.store.read("w")) as number[];
    if (w instanceof Array) for (let i = 0; i < w.length && i < this.c.perHour; i++) this.sent.push(now);
    if (this.c.heartbeatMs > 0) this.beat();
    this.pump();
  }

  /** Raise an alarm; returns the id of the entry that carries it, -1 when the key is not 1..32 printable ASCII. */
  raise(key: string, title: string, text: string): number {
    if (typeof key !== "string" || key.length < 1 || key.length > 32) return -1;
    for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) < 0x20 || key.charCodeAt(i) > 0x7e) return -1;
    const now = this.clock.now();
    const list = this.entries;
    let e: Entry | null = null;
    let live = 0;
    for (let i = 0; i < list.length; i++) {
      if (list[i][STATE] !== FAILED) live++;
      if (list[i][KEY] === key && list[i][STATE] === QUEUED) e = list[i];
    }
    if (!e && key !== OVERFLOW_KEY && live >= this.c.capacity - 1) {
      // One slot left: it gathers every new key until there is room again.
      const id = this.raise(OVERFLOW_KEY, "several alarms (outbox full)", "");
      const o = this.find(id) as Entry;
      o[TEXT] = clipUtf8((o[TEXT] ? o[TEXT] + ", " : "") + key, 400);
      this.save(o);
      return id;
    }
    if (e) {
      if (e[COUNT] < 999999) e[COUNT]++;
      e[LAST] = now;
    } else {
      const last = this.lastMail[key];
      const hold = last !== undefined && now - last < this.c.coalesceMs ? last + this.c.coalesceMs : 0;
      e = [this.nextId++, QUEUED, key, clipUtf8(String(title), 64), clipUtf8(text ? String(text) : "", 512), 1, now, now, 0, 0, hold];
      list.push(e);
    }
    this.save(e);
    this.pump();
    return e[ID];
  }

  /** Entries that failed for good: kept until dismissed, reported in every mail. */
  failed(): { id: number; key: string; code: number }[] {
    const out: { id: number; key: string; code: number }[] = [];
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e[STATE] === FAILED) out.push({ id: e[ID], key: e[KEY], code: e[CODE] });
    }
    return out;
  }

  /** Entries not yet delivered and not failed. */
  queued(): number {
    let n = 0;
    for (let i = 0; i < this.entries.length; i++) if (this.entries[i][STATE] !== FAILED) n++;
    return n;
  }

  /** Forget a failed entry (after someone has seen the report). */
  dismiss(id: number): void {
    const e = this.find(id);
    if (e && e[STATE] === FAILED) this.drop(e);
  }

  stop(): void {
    this.stopped = true;
    const c = this.clock;
    c.clearTimer(this.timer);
    c.clearTimer(this.idleTimer);
    c.clearTimer(this.beatTimer);
  }

  // ---- inside

  private find(id: number): Entry | null {
    for (let i = 0; i < this.entries.length; i++) if (this.entries[i][ID] === id) return this.entries[i];
    return null;
  }

  private save(e: Entry): void {
    this.store.write("o" + e[ID], encode(e));
  }

  private drop(e: Entry): void {
    this.store.remove("o" + e[ID]);
    this.entries.splice(this.entries.indexOf(e), 1);
  }

  private beat(): void {
    this.beatTimer = this.clock.setTimer(this.c.heartbeatMs, () => {
      this.raise(HEARTBEAT_KEY, "heartbeat", "the board is running");
      this.beat();
    });
  }

  /** Send the next entry that may go now, or wait for the earliest that may go later. */
  private pump(): void {
    if (this.busy || this.stopped || !this.mailer.ready()) return;
    const now = this.clock.now();
    const c = this.clock;
    c.clearTimer(this.timer);
    this.timer = null;
    const sent = this.sent;
    while (sent.length > 0 && sent[0] <= now - HOUR) sent.shift();
    const rateAt = sent.length >= this.c.perHour ? sent[0] + HOUR : 0;
    let next: Entry | null = null;
    let at = -1;
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e[STATE] !== QUEUED) continue;
      const when = e[NOT_BEFORE] > rateAt ? e[NOT_BEFORE] : rateAt;
      if (when <= now) {
        next = e;
        break;
      }
      if (at < 0 || when < at) at = when;
    }
    if (!next) {
      if (at >= 0) this.timer = c.setTimer(at - now, () => this.pump());
      else if (this.idleTimer === null) this.idleTimer = c.setTimer(this.c.idleMs, () => {
        this.idleTimer = null;
        this.mailer.idle();
      });
      return;
    }
    c.clearTimer(this.idleTimer);
    this.idleTimer = null;
    const e = next;
    e[STATE] = SENDING;
    e[TRIES]++;
    this.save(e); // write-ahead: a restart from here resends
    this.busy = true;
    this.mailer.radio((r: CompactRadio) => this.send(e, r));
  }

  private send(e: Entry, r: CompactRadio): void {
    const cfg = this.c;
    const code = this.mailer.send(
      { to: cfg.to, cc: cfg.cc, bcc: cfg.bcc, subject: this.subject(e), body: this.body(e, r) },
      (o: CompactOutcome) => this.sentOne(e, o),
    );
    if (code) this.sentOne(e, { delivered: false, code: code, proto: 0, kind: KIND_CONFIG, commands: 0, recoveries: 0 });
  }

  private sentOne(e: Entry, o: CompactOutcome): void {
    this.busy = false;
    const now = this.clock.now();
    if (o.delivered) {
      this.sent.push(now);
      this.store.write("w", encode(this.sent));
      this.lastMail[e[KEY]] = now;
      this.drop(e);
    } else {
      e[CODE] = o.code;
      if (o.kind === KIND_CONFIG || o.kind === KIND_PERMANENT || e[TRIES] >= this.c.maxAttempts) {
        e[STATE] = FAILED;
        this.log(LOG_ERROR, "alarm " + e[KEY] + " not sent: error " + o.code + (o.proto ? "/" + o.proto : ""));
      } else {
        e[STATE] = QUEUED;
        const wait = BACKOFF_MS * Math.pow(2, e[TRIES] - 1);
        e[NOT_BEFORE] = now + (wait < BACKOFF_MAX_MS ? wait : BACKOFF_MAX_MS);
        this.log(LOG_INFO, "alarm " + e[KEY] + " kept for a retry: error " + o.code);
      }
      this.save(e);
    }
    if (this.onSent) this.onSent(e[ID], o);
    this.pump();
  }

  private subject(e: Entry): string {
    const b = "[" + this.c.board + "] ";
    if (e[KEY] === HEARTBEAT_KEY) return b + "heartbeat";
    return b + "ALARM " + e[TITLE] + (e[COUNT] > 1 ? " (x" + e[COUNT] + ")" : "");
  }

  private body(e: Entry, r: CompactRadio): string {
    const now = this.clock.now();
    const ago = (t: number) => Math.floor((now - t) / 1000) + " s before this mail";
    let s = "Board: " + this.c.board + "\r\n";
    if (e[KEY] !== HEARTBEAT_KEY) {
      s += "Alarm: " + e[TITLE] + " (" + e[KEY] + ")\r\n";
      if (e[TEXT]) s += "Detail: " + e[TEXT] + "\r\n";
      s += e[COUNT] > 1 ? "Occurrences: " + e[COUNT] + ", first " + ago(e[FIRST]) + ", last " + ago(e[LAST]) + "\r\n" : "Raised: " + ago(e[FIRST]) + "\r\n";
    } else s += "Heartbeat: " + e[TEXT] + "\r\n";
    s += "Module clock: " + (r.clock || "unknown") + "\r\n";
    s += "Signal: CSQ " + r.csq + (r.csq < 32 ? " (" + (2 * r.csq - 113) + " dBm)" : " (unknown)") + ", registration " + r.stat + "\r\n";
    const f = this.failed();
    s += "Outbox: " + (this.queued() - 1) + " more queued, " + f.length + " failed\r\n";
    for (let i = 0; i < f.length && i < 5; i++) s += "  failed " + f[i].id + " " + f[i].key + ": error " + f[i].code + "\r\n";
    return s + "Mail id: " + e[ID] + ", attempt " + e[TRIES] + " (a repeated id is a resend after a restart)\r\n";
  }
}
