// AlarmService: turns alarms into mails through an AlarmMailer, with a write-ahead
// outbox on Store, coalescing, a per-recipient rate limit, retry with backoff,
// PDP idling after 30 quiet minutes and an optional heartbeat.
//
// Order of writes for one send (each a single atomic record write):
//   1. limiter: the recipients' send time is counted          (cm.t)
//   2. entry: SENDING, attempts+1                             (cm.o<slot>)  <- "send started"
//   3. mailer.send(...)                                        (no write)
//   4. entry: DONE / QUEUED with backoff / FAILED with cause   (cm.o<slot>)
//   5. on failure only: limiter gives the count back           (cm.t)
// At-least-once: an entry found SENDING at start-up is sent again. A mail can
// therefore be delivered twice only when power fails after step 3 began (the module
// may have delivered it) and before step 4 was written. A cut before step 2 completes
// leaves the entry QUEUED: sent once later. A cut between 2 and 3 resends an entry
// whose send never started: still exactly once. A resend carries the same mail id.
// A raise is accepted when raise() returns: its entry (or coalesce counter) is
// written before that; a cut before it returns loses only that raise call.
import type { Clock, Input, Log, Store, TimerHandle } from "../platform/types.js";
import { LOG_ERROR, LOG_INFO, LOG_WARN } from "../platform/types.js";
import { createDebouncedInput, type DebouncedInput } from "./debounce.js";
import { backoffMs } from "./backoff.js";
import { RateLimiter } from "./limiter.js";
import type { Entry } from "./outbox.js";
import { Outbox } from "./outbox.js";
import { storeRecords, type RecordsOf } from "./records.js";
import { renderBody, renderSubject } from "./template.js";
import type { Alarm, AlarmMailer, EntryInfo, RadioStatus, SendOutcome } from "./types.js";
import {
  COUNT_CAP, ENTRY_DONE, ENTRY_FAILED, ENTRY_QUEUED, ENTRY_SENDING, HEARTBEAT_KEY, OVERFLOW_KEY,
} from "./types.js";
import { clipUtf8 } from "../text/utf8.js";
import { oneLine } from "./one-line.js";
import { nextTurn } from "../turn.js";

export interface AlarmServiceOptions {
  clock: Clock;
  store: Store;
  mailer: AlarmMailer;
  log?: Log;
  /** Board name for subjects and bodies. */
  board: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  /** Repeats of a key within this window after its last mail are gathered into one mail. Default 600000 (10 min). */
  coalesceMs?: number;
  /** Mails per recipient per hour. Default 10 (Tencent SES). */
  perRecipientPerHour?: number;
  /** Deactivate PDP after this long without mail. Default 1800000 (30 min). */
  idleMs?: number;
  /** Heartbeat period; 0 = off (default). 86400000 for daily. */
  heartbeatMs?: number;
  /** Outbox entries. Default 32 (4..64). */
  capacity?: number;
  /**
   * How records are kept on the Store (records.ts). Default: each record in one Store value,
   * for a Store without a value limit; a Store that limits values (Moddable Preference:
   * 4,000 bytes) needs the optional blob store (firmware/ext/blob-store: blobRecords).
   */
  records?: RecordsOf;
  /** Retry backoff: base * 2^(attempt-1), capped, with jitter (backoff.ts). Defaults 30000 and 1800000. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /**
   * Backoff after the server said "not now" (throttling, a 4xx reply): base * 2^(n-1), capped,
   * with jitter. Defaults 60000 and 3600000 (providers count their limits per hour).
   */
  throttleBaseMs?: number;
  throttleMaxMs?: number;
  /** Attempts before a retryable failure is kept as failed. Default 12. Throttled attempts do not count. */
  maxAttempts?: number;
  /** No answer from the mailer within this: the attempt counts as failed (retryable). Default 1200000. */
  sendTimeoutMs?: number;
  /**
   * The Clock keeps counting across a restart (a host clock, an RTC-backed clock):
   * persisted times are used as they are. Default false: Clock.now() is assumed to
   * restart at boot, and loaded times are shifted so that the time powered off counts
   * as zero (outbox.ts), which can only delay, never hasten, a held-back mail.
   */
  clockSurvivesRestart?: boolean;
  /** Wall-clock ms since 1970, or -1 when unknown (e.g. from AT+CCLK). Default: unknown. */
  wallTime?: () => number;
}

/** How a watched input raises alarms. */
export interface InputRule {
  key: string;
  title: string;
  activeLevel: number;
  debounceMs: number;
  /** Also mail when the input returns to inactive (key + "/clear"). */
  notifyClear: boolean;
  /** Raise at start when the input is already active. */
  raiseAtStart: boolean;
}

const KEY_MAX = 32;
const TITLE_MAX = 64;
const TEXT_MAX = 512;
const OVERFLOW_TEXT_MAX = 400;
const HOUR = 3600000;

export class AlarmService {
  private clock: Clock;
  private mailer: AlarmMailer;
  private log: Log | undefined;
  private board: string;
  private rcpts: string[];
  private to: string[];
  private cc: string[];
  private bcc: string[];
  private coalesceMs: number;
  private idleMs: number;
  private heartbeatMs: number;
  private backoffBaseMs: number;
  private backoffMaxMs: number;
  private throttleBaseMs: number;
  private throttleMaxMs: number;
  private maxAttempts: number;
  private sendTimeoutMs: number;
  private wallTime: (() => number) | undefined;
  private survives: boolean;
  private outbox: Outbox;
  private limiter: RateLimiter;
  private inputs: DebouncedInput[];

  private started = false;
  private stopped = false;
  private busy = false;
  /** Bumped when an attempt ends; a callback carrying an older token is late. */
  private token = 0;
  private linkUsed = true;
  private pumpTimer: TimerHandle = null;
  private pumpAt = Infinity;
  private idleTimer: TimerHandle = null;
  private watchdog: TimerHandle = null;
  private heartbeatTimer: TimerHandle = null;
  /** Counters for tests and diagnostics. */
  readonly stats: { sends: number; delivered: number; retried: number; failed: number; idles: number; late: number };

  constructor(o: AlarmServiceOptions) {
    this.clock = o.clock;
    this.mailer = o.mailer;
    this.log = o.log;
    this.board = o.board;
    this.to = o.to.slice(0);
    this.cc = o.cc !== undefined ? o.cc.slice(0) : [];
    this.bcc = o.bcc !== undefined ? o.bcc.slice(0) : [];
    this.rcpts = this.to.concat(this.cc, this.bcc);
    this.coalesceMs = pick(o.coalesceMs, 600000);
    this.idleMs = pick(o.idleMs, 1800000);
    this.heartbeatMs = pick(o.heartbeatMs, 0);
    this.backoffBaseMs = pick(o.backoffBaseMs, 30000);
    this.backoffMaxMs = pick(o.backoffMaxMs, 1800000);
    this.throttleBaseMs = pick(o.throttleBaseMs, 60000);
    this.throttleMaxMs = pick(o.throttleMaxMs, 3600000);
    this.maxAttempts = pick(o.maxAttempts, 12);
    this.sendTimeoutMs = pick(o.sendTimeoutMs, 1200000);
    this.wallTime = o.wallTime;
    this.survives = o.clockSurvivesRestart === true;
    let capacity = pick(o.capacity, 32);
    if (capacity < 4) capacity = 4;
    if (capacity > 64) capacity = 64;
    const records = o.records ? o.records : storeRecords;
    this.outbox = new Outbox(records(o.store), o.clock, capacity, o.log);
    const addrs = this.rcpts.length + 8;
    this.limiter = new RateLimiter(records(o.store), o.clock, pick(o.perRecipientPerHour, 10), HOUR, addrs);
    this.inputs = [];
    this.stats = { sends: 0, delivered: 0, retried: 0, failed: 0, idles: 0, late: 0 };
  }

  /** Recover the outbox and the rate-limit window from Store and begin sending. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.outbox.load();
    this.limiter.load();
    const now = this.clock.now();
    let saved = this.outbox.maxSavedAt;
    if (this.limiter.savedAt > saved) saved = this.limiter.savedAt;
    let shift = 0;
    if (saved !== -Infinity && (!this.survives || now < saved)) shift = now - saved;
    this.outbox.shiftTimes(shift);
    this.limiter.shiftTimes(shift);
    const inflight = this.outbox.inFlightAtLoad;
    if (inflight.length > 0) this.say(LOG_WARN, "outbox: resending " + inflight.length + " mail(s) interrupted by a restart");
    this.armIdle();
    this.armHeartbeat();
    this.schedule(0);
  }

  /** Stop all timers and inputs; callbacks still pending are ignored. */
  stop(): void {
    this.stopped = true;
    this.token++;
    this.clear(this.pumpTimer);
    this.clear(this.idleTimer);
    this.clear(this.watchdog);
    this.clear(this.heartbeatTimer);
    this.pumpTimer = this.idleTimer = this.watchdog = this.heartbeatTimer = null;
    for (const i of this.inputs) i.stop();
  }

  /**
   * Queue an alarm. Returns the id of the entry that will carry it (a repeat of a
   * queued key returns the same id), or -1 when it could not be queued (counted in
   * lost(); happens only with the outbox full of distinct alarms and the overflow
   * mail in flight). The entry is persisted before this returns.
   */
  raise(alarm: Alarm): number {
    const key = clipUtf8(alarm.key, KEY_MAX);
    if (key === "") throw new Error("alarm key is empty");
    // The title goes into the subject: one line, so it can always be sent (control characters become spaces).
    return this.enqueue(key, oneLine(clipUtf8(alarm.title, TITLE_MAX)), clipUtf8(alarm.text !== undefined ? alarm.text : "", TEXT_MAX));
  }

  /** Watch a digital input; debounced level changes raise alarms per `rule`. */
  watch(input: Input, rule: InputRule): void {
    const d = createDebouncedInput(this.clock, input, rule.debounceMs, rule.activeLevel, (active: boolean) => {
      if (active) this.raise({ key: rule.key, title: rule.title, text: "input active" });
      else if (rule.notifyClear) this.raise({ key: rule.key + "/clear", title: rule.title + " cleared", text: "input back to normal" });
    });
    this.inputs.push(d);
    d.start(rule.raiseAtStart);
  }

  /** Every entry, as copies. */
  entries(): EntryInfo[] {
    const out: EntryInfo[] = [];
    for (const e of this.outbox.slots) if (e !== null) out.push(info(e));
    out.sort((a: EntryInfo, b: EntryInfo) => a.id - b.id);
    return out;
  }

  /** Entries kept as failed (permanent failure, or retries exhausted), with code and cause. */
  failed(): EntryInfo[] {
    const out: EntryInfo[] = [];
    for (const e of this.entries()) if (e.state === ENTRY_FAILED) out.push(e);
    return out;
  }

  /** Entries still to send (queued or in flight). */
  pending(): number {
    return this.outbox.count(ENTRY_QUEUED) + this.outbox.count(ENTRY_SENDING);
  }

  /** Alarms that could not be queued at all since the outbox was created. */
  lost(): number {
    return this.outbox.lost;
  }

  /** Ids found in flight at start: these were resent and may arrive twice. */
  resentAfterRestart(): number[] {
    return this.outbox.inFlightAtLoad.slice(0);
  }

  /** Requeue a failed entry for sending now. */
  retry(id: number): boolean {
    const e = this.outbox.byId(id);
    if (e === null || e.state !== ENTRY_FAILED) return false;
    e.state = ENTRY_QUEUED;
    e.attempts = 0;
    e.throttles = 0;
    e.holdUntil = this.clock.now();
    this.outbox.save(e);
    this.schedule(0);
    return true;
  }

  /** Forget a failed entry (the user has seen it). */
  dismiss(id: number): boolean {
    const e = this.outbox.byId(id);
    if (e === null || e.state !== ENTRY_FAILED) return false;
    this.outbox.remove(e);
    return true;
  }

  // --- queueing ---------------------------------------------------------------

  private enqueue(key: string, title: string, text: string): number {
    const now = this.clock.now();
    const wall = this.wall();
    const q = this.outbox.find(key, ENTRY_QUEUED);
    if (q !== null) {
      if (q.count < COUNT_CAP) q.count++;
      q.lastAt = now;
      q.lastWall = wall;
      if (text !== "") q.text = text;
      this.outbox.save(q);
      return q.id;
    }
    // A key mailed (or being mailed) within the window waits for the window to close.
    let hold = now;
    for (const e of this.outbox.slots) {
      if (e !== null && e.key === key && (e.state === ENTRY_SENDING || e.state === ENTRY_DONE)) {
        const until = e.sentAt + this.coalesceMs;
        if (until > hold) hold = until;
      }
    }
    const e = this.outbox.create(key, title, text, now, wall, hold);
    if (e !== null) {
      this.schedule(hold - now);
      return e.id;
    }
    return this.overflow(key, now, wall);
  }

  private overflow(key: string, now: number, wall: number): number {
    let o = this.outbox.find(OVERFLOW_KEY, ENTRY_QUEUED);
    if (o === null) {
      o = this.outbox.create(OVERFLOW_KEY, "several alarms", "", now, wall, now);
      if (o === null) {
        this.outbox.lost++;
        this.outbox.saveMeta();
        this.say(LOG_ERROR, "outbox full: alarm " + key + " lost (" + this.outbox.lost + " so far)");
        return -1;
      }
      o.count = 0;
    }
    if (o.count < COUNT_CAP) o.count++;
    o.lastAt = now;
    o.lastWall = wall;
    if (o.text.indexOf(key) < 0) {
      const t = o.text === "" ? key : o.text + ", " + key;
      if (t.length <= OVERFLOW_TEXT_MAX) o.text = t;
    }
    this.outbox.save(o);
    this.schedule(0);
    return o.id;
  }

  // --- sending ----------------------------------------------------------------

  private schedule(delay: number): void {
    if (this.stopped || !this.started) return;
    const at = this.clock.now() + (delay > 0 ? delay : 0);
    if (this.pumpTimer !== null && this.pumpAt <= at) return;
    this.clear(this.pumpTimer);
    this.pumpAt = at;
    this.pumpTimer = this.clock.setTimer(at - this.clock.now(), () => {
      this.pumpTimer = null;
      this.pumpAt = Infinity;
      this.pump();
    });
  }

  private pump(): void {
    if (this.stopped || this.busy) return;
    const now = this.clock.now();
    this.outbox.purgeDone(now - this.coalesceMs);
    // The oldest entry goes first. One waiting for its retry holds the younger ones back
    // (mails arrive in the order the alarms were raised; a refusal is about the path, not
    // the mail); one waiting for its coalescing window does not.
    let next: Entry | null = null;
    let wake = Infinity;
    for (const e of this.outbox.slots) {
      if (e === null || e.state !== ENTRY_QUEUED) continue;
      if (e.attempts === 0 && e.holdUntil > now) {
        if (e.holdUntil < wake) wake = e.holdUntil;
      } else if (next === null || e.firstAt < next.firstAt || (e.firstAt === next.firstAt && e.id < next.id)) {
        next = e;
      }
    }
    if (next !== null && next.holdUntil > now) {
      if (next.holdUntil < wake) wake = next.holdUntil;
      next = null;
    }
    if (next !== null) {
      const allowed = this.limiter.allowedAt(this.rcpts, now);
      if (allowed > now) {
        if (allowed < wake) wake = allowed;
        next = null;
      }
    }
    if (next !== null) this.begin(next);
    else if (wake !== Infinity) this.schedule(wake - now);
  }

  private begin(e: Entry): void {
    this.busy = true;
    this.clear(this.idleTimer);
    this.idleTimer = null;
    this.linkUsed = true;
    const t = this.token;
    const timeout: SendOutcome = { delivered: false, permanent: false, code: -1, cause: "no answer from the mailer" };
    this.watchdog = this.clock.setTimer(this.sendTimeoutMs, () => {
      this.watchdog = null;
      this.finish(t, e, false, timeout);
    });
    // The mail is built and sent on the turn after the reading, not on top of the calls
    // that delivered it (nextTurn, firmware/turn.ts).
    this.mailer.radioStatus((radio: RadioStatus) => {
      nextTurn(this.clock, () => {
        if (t === this.token && !this.stopped) this.send(t, e, radio);
      });
    });
  }

  private send(t: number, e: Entry, radio: RadioStatus): void {
    const now = this.clock.now();
    this.limiter.note(this.rcpts, now); //                      write 1
    e.state = ENTRY_SENDING;
    e.attempts++;
    e.sentAt = now;
    this.outbox.save(e); //                                     write 2: the send starts after this
    this.stats.sends++;
    const failedLines: string[] = [];
    for (const f of this.outbox.slots) {
      if (f !== null && f.state === ENTRY_FAILED && failedLines.length < 4) failedLines.push("#" + f.id + " " + f.key + ": " + f.cause);
    }
    const ctx = {
      board: this.board, now: now, wall: this.wall(), radio: radio,
      queued: this.outbox.count(ENTRY_QUEUED), failed: this.outbox.count(ENTRY_FAILED), lost: this.outbox.lost,
      failedLines: failedLines,
    };
    const mail = {
      id: e.id, to: this.to.slice(0), cc: this.cc.slice(0), bcc: this.bcc.slice(0),
      subject: renderSubject(e, this.board), body: renderBody(e, ctx),
    };
    this.mailer.send(mail, (outcome: SendOutcome) => this.finish(t, e, true, outcome));
  }

  private finish(t: number, e: Entry, started: boolean, outcome: SendOutcome): void {
    if (t !== this.token) {
      this.late(e, outcome);
      return;
    }
    this.token++;
    this.clear(this.watchdog);
    this.watchdog = null;
    this.busy = false;
    if (this.stopped) return;
    const now = this.clock.now();
    const noted = e.state === ENTRY_SENDING;
    if (outcome.delivered) {
      const counted = e.sentAt;
      e.state = ENTRY_DONE;
      e.sentAt = now;
      e.code = 0;
      e.cause = "";
      this.outbox.save(e); //                                   write 4
      if (noted) this.limiter.move(this.rcpts, counted, now); // write 5
      this.stats.delivered++;
      this.say(LOG_INFO, "mail #" + e.id + " delivered (" + e.key + ")");
    } else {
      if (!started && !noted) e.attempts++;
      e.code = outcome.code;
      e.cause = clipUtf8(outcome.cause, 120);
      const later = outcome.later === true && !outcome.permanent;
      if (later) e.throttles++;
      const tries = e.attempts - e.throttles;
      if (outcome.permanent || (!later && tries >= this.maxAttempts)) {
        if (!outcome.permanent) e.cause = clipUtf8("gave up after " + tries + " attempts: " + outcome.cause, 120);
        e.state = ENTRY_FAILED;
        this.stats.failed++;
        this.say(LOG_ERROR, "mail #" + e.id + " failed (" + e.key + "): " + e.code + " " + e.cause);
      } else {
        e.state = ENTRY_QUEUED;
        e.holdUntil = now + (later
          ? backoffMs(this.throttleBaseMs, this.throttleMaxMs, e.throttles, this.board, e.id)
          : backoffMs(this.backoffBaseMs, this.backoffMaxMs, tries, this.board, e.id));
        this.stats.retried++;
        this.say(LOG_WARN, "mail #" + e.id + " will be retried: " + e.code + " " + e.cause);
      }
      const sentAt = e.sentAt;
      this.outbox.save(e); //                                   write 4
      if (noted) this.limiter.release(this.rcpts, sentAt); //    write 5
    }
    this.armIdle();
    this.schedule(0);
  }

  /** An answer after the watchdog gave up on the attempt. */
  private late(e: Entry, outcome: SendOutcome): void {
    this.stats.late++;
    if (this.stopped || !outcome.delivered) return;
    // Delivered after all: if it still waits for its retry, it is done.
    if (this.outbox.slots[e.slot] === e && e.state === ENTRY_QUEUED) {
      e.state = ENTRY_DONE;
      e.sentAt = this.clock.now();
      e.code = 0;
      e.cause = "";
      this.outbox.save(e);
      this.limiter.note(this.rcpts, e.sentAt);
      this.stats.delivered++;
    }
  }

  // --- idle and heartbeat ----------------------------------------------------

  private armIdle(): void {
    this.clear(this.idleTimer);
    this.idleTimer = null;
    if (this.stopped || !this.linkUsed) return;
    this.idleTimer = this.clock.setTimer(this.idleMs, () => {
      this.idleTimer = null;
      if (this.busy || !this.linkUsed) return;
      this.linkUsed = false;
      this.stats.idles++;
      this.say(LOG_INFO, "idle: deactivating PDP");
      this.mailer.idle();
    });
  }

  private armHeartbeat(): void {
    if (this.heartbeatMs <= 0 || this.stopped) return;
    const now = this.clock.now();
    if (!this.outbox.hasHeartbeat) {
      this.outbox.hasHeartbeat = true;
      this.outbox.lastHeartbeat = now;
      this.outbox.saveMeta();
    }
    let due = this.outbox.lastHeartbeat + this.heartbeatMs - now;
    if (due < 0) due = 0;
    this.heartbeatTimer = this.clock.setTimer(due, () => {
      this.heartbeatTimer = null;
      this.outbox.lastHeartbeat = this.clock.now();
      this.outbox.saveMeta();
      this.enqueue(HEARTBEAT_KEY, "heartbeat", "");
      this.armHeartbeat();
    });
  }

  // --- helpers ---------------------------------------------------------------

  private wall(): number {
    if (this.wallTime === undefined) return -1;
    const w = this.wallTime();
    return typeof w === "number" && w >= 0 ? w : -1;
  }

  private clear(h: TimerHandle): void {
    if (h !== null) this.clock.clearTimer(h);
  }

  private say(level: number, msg: string): void {
    if (this.log !== undefined) this.log(level, msg);
  }
}

function pick(v: number | undefined, fallback: number): number {
  return typeof v === "number" && v === v && v >= 0 ? v : fallback;
}

function info(e: Entry): EntryInfo {
  return {
    id: e.id, state: e.state, key: e.key, title: e.title, text: e.text, count: e.count,
    firstAt: e.firstAt, lastAt: e.lastAt, attempts: e.attempts, code: e.code, cause: e.cause,
  };
}
