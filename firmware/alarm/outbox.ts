// The alarm outbox, the same on every board (issue 12: one core): raised alarms become
// entries persisted through Store before anything is sent (write-ahead), one mail at a
// time goes out through the OutboxMailer (types.ts), and an entry leaves the Store only
// when its mail was delivered.
//
//   raise ──► QUEUED (Store "o<id>") ──► SENDING (written before the first command)
//                 ▲   repeats of its key add to its count        │
//                 └── retryable failure, backoff ◄───────────────┤
//                     "not now" (throttled, 4xx, Tencent's 554): backoff to an hour, never gives up
//                     permanent failure / attempts used up ──► FAILED (kept, reported)
//                     delivered ──► removed; the key's send time opens a coalescing window
//
// After a restart every stored entry is queued again: one that was SENDING may have
// been delivered already, so delivery is at least once (README), and goes at once.
// Time across a restart: Clock.now() may start again near 0 at boot, and how long the
// board was off is unknown. Every entry carries the clock time of its write, the rate
// window's last send time is the time of its write, and the heartbeat's record is its
// time; at start every stored time is shifted by one amount, now - the latest of those:
// the time powered off counts as zero, so backoffs, the rate window and the heartbeat's
// period keep the age they had at the last write and can only last longer after a cut,
// never shorter. Repeats of a key within
// `coalesceMs` of its last mail (from the start of its send) wait for the window's end
// and go as one mail with their count. Every mail goes to the same recipients, so the
// per-recipient limit is a window of the last `perHour` send times, stored too, with the
// next mail id (ids never repeat but in a resend).
// `capacity` bounds the stored entries, failed ones included: with two slots left, new
// keys go into one "several alarms" entry (a second one while the first is in flight),
// so nothing is dropped. Entries are stored as ASCII JSON arrays (non-ASCII as \uXXXX),
// each at most about 3,700 bytes (a 512-byte text of control characters), so one Store
// value holds one on every platform (Moddable Preference: 4,000 bytes).
// The oldest queued entry goes first; one waiting for its retry holds the younger back,
// so a board's mails arrive in the order it raised them. Backoffs have a jitter seeded by
// the board's name and the mail id (backoff.ts): refused boards do not return together.
// A mailer that has not told how a send ended after an hour has a fault: the attempt
// counts as failed (E_NO_ANSWER, retryable), and a delivery it reports later still counts.
import type { Clock, Log, Store, TimerHandle } from "../platform/types.js";
import { LOG_ERROR, LOG_INFO, LOG_WARN } from "../platform/types.js";
import { E_NO_ANSWER, KIND_CONFIG, KIND_PERMANENT, KIND_RETRYABLE } from "../errors.js";
import { notNow } from "../modem/kinds.js";
import { atRefusal } from "../modem/quote.js";
import { backoffMs } from "./backoff.js";
import { clipUtf8, utf8Bytes } from "../text/utf8.js";
import { oneLine } from "../text/one-line.js";
import type { DeviceConfig } from "../config/device.js";
import type { OutboxMailer, OutboxOutcome, OutboxRadio } from "./types.js";

const QUEUED = 0;
const SENDING = 1;
const FAILED = 3;
const HOUR = 3600000;
const BACKOFF_MS = 30000; //     first retry; doubles per attempt
const BACKOFF_MAX_MS = 1800000;
const LATER_MS = 60000; //       first retry after "not now"; doubles up to an hour
export const OVERFLOW_KEY = "~overflow";
export const HEARTBEAT_KEY = "~heartbeat";

/**
 * One alarm mail to be: [id, state, key, title, text, count, firstAt, lastAt, attempts, code, notBefore,
 * throttled attempts, savedAt, cause]. An entry stored before `savedAt` existed has no write time:
 * its last raise stands for it.
 */
type Entry = [number, number, string, string, string, number, number, number, number, number, number, number, number, string?];
const ID = 0, STATE = 1, KEY = 2, TITLE = 3, TEXT = 4, COUNT = 5, FIRST = 6, LAST = 7, TRIES = 8, CODE = 9, NOT_BEFORE = 10, LATER = 11, SAVED = 12, CAUSE = 13;

/** JSON with every non-ASCII character escaped, as bytes: how every record of the outbox is stored. */
export function encode(value: unknown): Uint8Array {
  const s = JSON.stringify(value);
  let a = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a += c < 0x80 ? s.charAt(i) : "\\u" + (0x10000 + c).toString(16).substring(1);
  }
  return utf8Bytes(a); // all ASCII now: its UTF-8 bytes are its chars
}

/** A record as stored (encode), or undefined when absent or unreadable. */
export function decode(b: Uint8Array | undefined): unknown {
  if (!b) return undefined;
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  try {
    return JSON.parse(s);
  } catch (e) {
    return undefined;
  }
}

/** An entry kept as failed: the failure's code, and its words when the mailer had them. */
export interface FailedAlarm {
  id: number;
  key: string;
  code: number;
  cause: string;
}

export interface Outbox {
  /** Recover what the Store holds, then start sending. */
  start(): void;
  /** Raise an alarm (no text: ""); the id of the entry that carries it, -1 when the key is not 1..32 printable ASCII without `"`. */
  raise(key: string, title: string, text?: string): number;
  /** Entries that failed for good: kept until dismissed, reported in every mail. */
  failed(): FailedAlarm[];
  /** Entries not yet delivered and not failed. */
  queued(): number;
  /** Forget a failed entry (after someone has seen the report). */
  dismiss(id: number): void;
  stop(): void;
  /** Told about every finished mail (tests, the CLI). */
  onSent: ((id: number, o: OutboxOutcome) => void) | null;
}

/**
 * The outbox of a board with the device record `c`. `when`, where the composition knows the
 * wall-clock time: the text of a clock time ("2026-12-07 14:05:11 UTC"), or "" when unknown;
 * the mail then gives the raises' times in it too.
 */
export function createOutbox(clock: Clock, store: Store, mailer: OutboxMailer, c: DeviceConfig, log: Log, when?: (t: number) => string): Outbox {
  const entries: Entry[] = [];
  const sent: number[] = []; //                      send times of the last mails (the rate window), oldest first
  const lastMail: { [key: string]: number } = {}; // alarm key -> clock time of its last mail (coalescing memory)
  let nextId = 1;
  let busy = false;
  let stopped = false;
  let timer: TimerHandle = null;
  let idleTimer: TimerHandle = null;
  let beatTimer: TimerHandle = null;
  let beatAt = 0; //                                 clock time of the last heartbeat (or of the first start with one)
  let turn = 0; //                                   the attempt in flight; an outcome of an earlier one is late
  let watch: TimerHandle = null; //                  gives up on an attempt the mailer never answers

  function save(e: Entry): void {
    e[SAVED] = clock.now();
    store.write("o" + e[ID], encode(e));
  }

  /** A stored list, or [] when it is absent or unreadable. */
  function list(key: string): number[] {
    const v = decode(store.read(key));
    return v instanceof Array ? v : [];
  }

  function drop(e: Entry): void {
    store.remove("o" + e[ID]);
    entries.splice(entries.indexOf(e), 1);
  }

  function failed(): FailedAlarm[] {
    const out: FailedAlarm[] = [];
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e[STATE] === FAILED) out.push({ id: e[ID], key: e[KEY], code: e[CODE], cause: e[CAUSE] || "" });
    }
    return out;
  }

  function queued(): number {
    let n = 0;
    for (let i = 0; i < entries.length; i++) if (entries[i][STATE] !== FAILED) n++;
    return n;
  }

  /** The last entry of `key` in `state`. */
  function pick(key: string, state: number): Entry | null {
    let e: Entry | null = null;
    for (let i = 0; i < entries.length; i++) if (entries[i][KEY] === key && entries[i][STATE] === state) e = entries[i];
    return e;
  }

  function raise(key: string, title: string, text?: string): number {
    if (atRefusal(key, 32, false)) return -1; // the AT gate's rule: it reads as it is anywhere
    const now = clock.now();
    let add = "";
    let e = pick(key, QUEUED);
    if (!e && key !== OVERFLOW_KEY && entries.length > c.capacity - 3) {
      // Two slots left (failed entries count): new keys go into the overflow entry, a
      // failed one taken up again; the second slot is for the next while one is in flight.
      add = key;
      key = OVERFLOW_KEY;
      title = "several alarms (outbox full)";
      text = "";
      e = pick(key, QUEUED) || pick(key, FAILED);
    }
    const last = lastMail[key];
    const hold = last !== undefined && now - last < c.coalesceMs ? last + c.coalesceMs : 0;
    if (e) {
      if (e[COUNT] < 999999) e[COUNT]++;
      e[LAST] = now;
      if (e[STATE] === FAILED) {
        e[STATE] = QUEUED;
        e[TRIES] = e[LATER] = 0;
        e[NOT_BEFORE] = hold;
      }
    } else {
      e = [nextId++, QUEUED, key, oneLine(clipUtf8(String(title), 64)), clipUtf8(text ? String(text) : "", 512), 1, now, now, 0, 0, hold, 0, now];
      entries.push(e);
    }
    const t = e[TEXT] ? e[TEXT] + ", " + add : add;
    // The keys as an array: Espruino's String indexOf also matches a needle whose start ends
    // the string (", a, ".indexOf(", b, ") is 3), which would name no key at all there.
    if (add && e[TEXT].split(", ").indexOf(add) < 0 && t.length <= 400) e[TEXT] = t;
    save(e);
    pump();
    return e[ID];
  }

  /**
   * The heartbeat, a period after the last one, looked at every hour (`heartbeatMs` is whole
   * hours: the validator's heartbeatHours). The period runs across restarts: its record
   * [last heartbeat, written at] is written again every hour, so a restart (whose clock may
   * start from 0) costs the period at most an hour. The mail is raised before the record
   * says so: a cut between the two sends a heartbeat twice, never none.
   */
  function beat(): void {
    beatTimer = clock.setTimer(HOUR, () => {
      const now = clock.now();
      if (now >= beatAt + c.heartbeatMs) {
        raise(HEARTBEAT_KEY, "heartbeat", "the board is running");
        beatAt = now;
      }
      store.write("h", encode([beatAt, now]));
      beat();
    });
  }

  /** Send the next entry that may go now, or wait for the earliest that may go later. */
  function pump(): void {
    if (busy || stopped) return;
    const now = clock.now();
    clock.clearTimer(timer);
    timer = null;
    // The mailer is busy with something of its own (idle's PDP deactivation): ask again.
    if (!mailer.ready()) {
      timer = clock.setTimer(1000, pump);
      return;
    }
    while (sent.length > 0 && sent[0] <= now - HOUR) sent.shift();
    const rateAt = sent.length >= c.perHour ? sent[sent.length - c.perHour] + HOUR : 0;
    let e: Entry | null = null;
    let at = -1;
    for (let i = 0; i < entries.length && !e; i++) {
      if (entries[i][STATE] !== QUEUED) continue;
      const when = entries[i][NOT_BEFORE] > rateAt ? entries[i][NOT_BEFORE] : rateAt;
      if (when <= now) e = entries[i];
      else {
        if (at < 0 || when < at) at = when;
        if (entries[i][TRIES]) break; // waiting for its retry: the younger wait behind it
      }
    }
    if (!e) {
      if (at >= 0) timer = clock.setTimer(at - now, pump);
      else if (idleTimer === null) {
        idleTimer = clock.setTimer(c.idleMs, () => {
          idleTimer = null;
          mailer.idle();
        });
      }
      return;
    }
    clock.clearTimer(idleTimer);
    idleTimer = null;
    const next = e;
    next[STATE] = SENDING;
    next[TRIES]++;
    lastMail[next[KEY]] = now; // repeats raised while it is in flight wait for the window too
    save(next); // write-ahead: a restart from here sends it again
    busy = true;
    const t = ++turn;
    watch = clock.setTimer(HOUR, () => ended(next, t, { delivered: false, code: E_NO_ANSWER, proto: 0, kind: KIND_RETRYABLE }));
    mailer.radio((r: OutboxRadio) => {
      if (t !== turn) return; // given up on while the radio was read
      const code = mailer.send({ id: next[ID], to: c.to, cc: c.cc, bcc: c.bcc, subject: subject(next), body: body(next, r) }, (o: OutboxOutcome) => ended(next, t, o));
      if (code) ended(next, t, { delivered: false, code: code, proto: 0, kind: KIND_CONFIG });
    });
  }

  /** How attempt `t` of `e` ended. A late outcome (after the hour) counts only as a delivery of an entry still kept. */
  function ended(e: Entry, t: number, o: OutboxOutcome): void {
    if (t === turn) {
      turn++;
      clock.clearTimer(watch);
      busy = false;
    } else if (!o.delivered || e[STATE] === SENDING || entries.indexOf(e) < 0) return;
    const now = clock.now();
    if (o.delivered) {
      sent.push(now);
      store.write("w", encode([nextId].concat(sent)));
      lastMail[e[KEY]] = now;
      drop(e);
    } else {
      e[CODE] = o.code;
      e[CAUSE] = o.cause || "";
      // "Not now" from the server (throttled, a 4xx reply, Tencent's 554): the path works; it never uses up the attempts.
      const later = notNow(o.kind, o.proto, c.server);
      if (later) e[LATER]++;
      const gone = !later && (o.kind === KIND_CONFIG || o.kind === KIND_PERMANENT || e[TRIES] - e[LATER] >= c.maxAttempts);
      e[STATE] = gone ? FAILED : QUEUED;
      if (!gone) e[NOT_BEFORE] = now + backoffMs(later ? LATER_MS : BACKOFF_MS, later ? HOUR : BACKOFF_MAX_MS, later ? e[LATER] : e[TRIES] - e[LATER], c.board, e[ID]);
      log(gone ? LOG_ERROR : LOG_INFO, "alarm " + e[KEY] + (gone ? " not sent" : " kept for a retry") + ": error " + o.code + "/" + o.proto);
      save(e);
    }
    if (box.onSent) box.onSent(e[ID], o);
    pump();
  }

  function subject(e: Entry): string {
    const b = "[" + c.board + "] ";
    if (e[KEY] === HEARTBEAT_KEY) return b + "heartbeat";
    const x = e[COUNT] > 1 ? " (x" + e[COUNT] + ")" : "";
    return clipUtf8(b + "ALARM " + e[TITLE], 100 - x.length) + x; // the mailer takes 100 bytes
  }

  function body(e: Entry, r: OutboxRadio): string {
    const now = clock.now();
    const ago = (t: number) => Math.floor((now - t) / 1000) + " s before this mail" + (when && when(t) ? " (" + when(t) + ")" : "");
    const s = ["Board: " + c.board];
    if (e[KEY] !== HEARTBEAT_KEY) {
      s.push("Alarm: " + e[TITLE] + " (" + e[KEY] + ")");
      if (e[TEXT]) s.push("Detail: " + e[TEXT]);
      s.push(e[COUNT] > 1 ? "Occurrences: " + e[COUNT] + ", first " + ago(e[FIRST]) + ", last " + ago(e[LAST]) : "Raised: " + ago(e[FIRST]));
    } else s.push("Heartbeat: " + e[TEXT]);
    const f = failed();
    s.push(
      "Module clock: " + (r.clock || "unknown"),
      "Signal: CSQ " + r.csq + (r.csq < 32 ? " (" + (2 * r.csq - 113) + " dBm)" : " (unknown)") + ", registration " + r.stat,
      "Outbox: " + (queued() - 1) + " more queued, " + f.length + " failed",
    );
    for (let i = 0; i < f.length && i < 5; i++) s.push("  failed " + f[i].id + " " + f[i].key + ": error " + f[i].code + (f[i].cause ? " (" + f[i].cause + ")" : ""));
    s.push("Mail id: " + e[ID] + ", attempt " + e[TRIES] + " (a repeated id is a resend)", "");
    return s.join("\r\n");
  }

  const box: Outbox = {
    start(): void {
      const now = clock.now();
      const keys = store.keys();
      const w = list("w"); // [next id, send times...]: the last one is its write's
      const h = list("h"); // [the last heartbeat, written at]
      // The latest write before the restart (see the header); for an entry of the earlier
      // format (no savedAt), its last raise.
      let last = w.length > 1 ? w[w.length - 1] : -1;
      let resent = 0;
      if (h[1] > last) last = h[1];
      for (let i = 0; i < keys.length; i++) {
        const e = (keys[i].charAt(0) === "o" ? list(keys[i]) : []) as Entry;
        if (e.length < 11) continue;
        if ((e[SAVED] || e[LAST]) > last) last = e[SAVED] || e[LAST];
        entries.push(e);
        if (e[ID] >= nextId) nextId = e[ID] + 1;
      }
      const shift = last < 0 ? 0 : now - last;
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        e[LATER] |= 0; // stored before the field existed
        e[FIRST] += shift;
        e[LAST] += shift;
        e[NOT_BEFORE] += shift;
        if (e[STATE] === SENDING) {
          e[STATE] = QUEUED;
          e[NOT_BEFORE] = 0; // sent again at once
          resent++;
        }
      }
      if (resent) log(LOG_WARN, "resending " + resent + " mail(s) interrupted by a restart");
      entries.sort((a, b) => a[ID] - b[ID]);
      if (w[0] > nextId) nextId = w[0];
      for (let i = 1; i < w.length; i++) sent.push(w[i] + shift);
      beatAt = h.length ? h[0] + shift : now;
      if (c.heartbeatMs > 0) {
        if (!h.length) store.write("h", encode([now, now]));
        beat();
      }
      pump();
    },
    raise: raise,
    failed: failed,
    queued: queued,
    dismiss(id: number): void {
      for (let i = 0; i < entries.length; i++) if (entries[i][ID] === id && entries[i][STATE] === FAILED) return drop(entries[i]);
    },
    stop(): void {
      stopped = true;
      clock.clearTimer(timer);
      clock.clearTimer(idleTimer);
      clock.clearTimer(beatTimer);
      clock.clearTimer(watch);
    },
    onSent: null,
  };
  return box;
}
