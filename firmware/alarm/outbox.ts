// The persisted outbox: a bounded table of entries, each stored under its own key
// ("cm.o<slot>") through the layer's Records (records.ts), plus a small meta record ("cm.m": id
// reservation, last heartbeat, alarms lost to a full outbox).
//
// Write-ahead: every change is written before the caller acts on it (a raise is
// accepted only after its entry is written; a send starts only after its entry is
// written as SENDING). The service (service.ts) owns the order of writes.
//
// Time across restarts: Clock.now() may restart at 0 after a reboot, and the time
// the board was off is unknown. Every record carries `savedAt` (Clock ms at the
// write). Unless the platform says its Clock survives a restart, the service shifts
// every loaded time (outbox, meta, limiter) by one amount, startNow - latestSavedAt:
// time stands still from the last write until the restart. Backoffs, coalescing
// windows, the heartbeat period and the rate-limit window (limiter.ts) can then only
// last longer after a reboot, never shorter, so the limit is never exceeded.
//
// Record (version 1): [1, id, state, key, title, text, count, firstAt, lastAt,
//   firstWall, lastWall, holdUntil, attempts, code, cause, sentAt, savedAt, throttles]
//   (`throttles` was added later; a record without it reads as 0)
// Meta (version 1): [1, idLimit, lastHeartbeat (null when none), lost, savedAt]
import type { Clock, Log } from "../platform/types.js";
import type { Records } from "./records.js";
import { LOG_WARN } from "../platform/types.js";
import { decodeRecord, encodeRecord, num, str } from "./codec.js";
import { ENTRY_DONE, ENTRY_QUEUED, ENTRY_SENDING, OVERFLOW_KEY } from "./types.js";
import type { EntryInfo } from "./types.js";

export const OUTBOX_PREFIX = "cm.o";
export const META_KEY = "cm.m";
const ID_BLOCK = 16;

/** An outbox entry: the public view plus what only the outbox needs. */
export interface Entry extends EntryInfo {
  slot: number;
  /** Wall-clock ms since 1970 of first/last raise, or -1 when the board had no wall time. */
  firstWall: number;
  lastWall: number;
  /** Not to be sent before this Clock time (coalescing hold or retry backoff). */
  holdUntil: number;
  /** Clock time the last attempt started (SENDING) or the delivery was recorded (DONE). */
  sentAt: number;
  /** Attempts the server answered "not now" (throttled, 4xx): they do not count towards giving up. */
  throttles: number;
}

export class Outbox {
  private blobs: Records;
  private clock: Clock;
  private log: Log | undefined;
  readonly capacity: number;
  /** Slot table; null is a free slot. Entries are created on demand, at most `capacity`. */
  readonly slots: (Entry | null)[];
  private nextId = 1;
  private idLimit = 0;
  /** Clock time of the last heartbeat mail raised (valid when hasHeartbeat). */
  lastHeartbeat = 0;
  hasHeartbeat = false;
  /** Alarms that could not be queued at all (outbox full, overflow entry busy). */
  lost = 0;
  /** Ids found in SENDING state at load: their send may have happened (possible duplicate). */
  readonly inFlightAtLoad: number[];

  constructor(records: Records, clock: Clock, capacity: number, log: Log | undefined) {
    this.blobs = records;
    this.clock = clock;
    this.log = log;
    this.capacity = capacity;
    this.slots = [];
    for (let i = 0; i < capacity; i++) this.slots.push(null);
    this.inFlightAtLoad = [];
  }

  /** Read everything back (start-up). SENDING entries become QUEUED again (they will be resent). */
  load(): void {
    this.blobs.sweep(OUTBOX_PREFIX);
    this.blobs.sweep(META_KEY);
    let maxId = 0;
    const meta = this.blobs.read(META_KEY);
    const m = meta === undefined ? undefined : decodeRecord(meta, 1);
    if (m !== undefined) {
      this.idLimit = num(m[1], 0);
      this.hasHeartbeat = typeof m[2] === "number";
      this.lastHeartbeat = num(m[2], 0);
      this.lost = num(m[3], 0);
      this.noteSaved(num(m[4], -Infinity));
    }
    for (let slot = 0; slot < this.capacity; slot++) {
      const bytes = this.blobs.read(OUTBOX_PREFIX + slot);
      if (bytes === undefined) continue;
      const r = decodeRecord(bytes, 1);
      if (r === undefined || str(r[3]) === "") {
        if (this.log) this.log(LOG_WARN, "outbox: unreadable entry in slot " + slot);
        continue;
      }
      this.noteSaved(num(r[16], -Infinity));
      const e: Entry = {
        id: num(r[1], 0),
        slot: slot,
        state: num(r[2], ENTRY_QUEUED),
        key: str(r[3]),
        title: str(r[4]),
        text: str(r[5]),
        count: num(r[6], 1),
        firstAt: num(r[7], 0),
        lastAt: num(r[8], 0),
        firstWall: num(r[9], -1),
        lastWall: num(r[10], -1),
        holdUntil: num(r[11], 0),
        attempts: num(r[12], 0),
        code: num(r[13], 0),
        cause: str(r[14]),
        sentAt: num(r[15], 0),
        throttles: num(r[17], 0),
      };
      if (e.state === ENTRY_SENDING) {
        this.inFlightAtLoad.push(e.id);
        e.state = ENTRY_QUEUED;
        e.holdUntil = -Infinity; // resend at once (set to startNow by shiftTimes)
      }
      if (e.id > maxId) maxId = e.id;
      this.slots[slot] = e;
    }
    if (this.blobs.corrupt > 0 && this.log) this.log(LOG_WARN, "outbox: " + this.blobs.corrupt + " damaged record(s)");
    this.nextId = maxId + 1 > this.idLimit ? maxId + 1 : this.idLimit;
    this.idLimit = this.nextId;
  }

  /** Latest `savedAt` of any record read by load(), or -Infinity. */
  maxSavedAt = -Infinity;

  noteSaved(t: number): void {
    if (t > this.maxSavedAt) this.maxSavedAt = t;
  }

  /** Add `shift` to every loaded Clock time (see the header); call once after load. */
  shiftTimes(shift: number): void {
    const now = this.clock.now();
    if (this.hasHeartbeat) this.lastHeartbeat += shift;
    for (const e of this.slots) {
      if (e === null) continue;
      e.firstAt += shift;
      e.lastAt += shift;
      e.sentAt += shift;
      e.holdUntil = e.holdUntil === -Infinity ? now : e.holdUntil + shift;
    }
  }

  /** Persist one entry (its whole record, atomically). */
  save(e: Entry): void {
    const now = this.clock.now();
    this.blobs.write(
      OUTBOX_PREFIX + e.slot,
      encodeRecord([
        1, e.id, e.state, e.key, e.title, e.text, e.count, e.firstAt, e.lastAt, e.firstWall, e.lastWall,
        e.holdUntil, e.attempts, e.code, e.cause, e.sentAt, now, e.throttles,
      ]),
    );
  }

  saveMeta(): void {
    this.blobs.write(META_KEY, encodeRecord([1, this.idLimit, this.hasHeartbeat ? this.lastHeartbeat : null, this.lost, this.clock.now()]));
  }

  remove(e: Entry): void {
    this.blobs.remove(OUTBOX_PREFIX + e.slot);
    if (this.slots[e.slot] === e) this.slots[e.slot] = null;
  }

  /**
   * A new entry in a free slot, written before returning. Normal alarms leave the
   * last free slot to the overflow entry; DONE entries are evicted (oldest first)
   * to make room. Returns null when there is no room (the caller overflows).
   */
  create(key: string, title: string, text: string, now: number, wall: number, holdUntil: number): Entry | null {
    const reserve = key === OVERFLOW_KEY ? 0 : 1;
    let free = this.freeSlots();
    while (free <= reserve) {
      const done = this.oldestDone();
      if (done === null) return null;
      this.remove(done);
      free++;
    }
    let slot = 0;
    while (this.slots[slot] !== null) slot++;
    if (this.nextId >= this.idLimit) {
      this.idLimit = this.nextId + ID_BLOCK;
      this.saveMeta();
    }
    const e: Entry = {
      id: this.nextId++,
      slot: slot,
      state: ENTRY_QUEUED,
      key: key,
      title: title,
      text: text,
      count: 1,
      firstAt: now,
      lastAt: now,
      firstWall: wall,
      lastWall: wall,
      holdUntil: holdUntil,
      attempts: 0,
      code: 0,
      cause: "",
      sentAt: 0,
      throttles: 0,
    };
    this.save(e);
    this.slots[slot] = e;
    return e;
  }

  find(key: string, state: number): Entry | null {
    for (const e of this.slots) if (e !== null && e.state === state && e.key === key) return e;
    return null;
  }

  byId(id: number): Entry | null {
    for (const e of this.slots) if (e !== null && e.id === id) return e;
    return null;
  }

  count(state: number): number {
    let n = 0;
    for (const e of this.slots) if (e !== null && e.state === state) n++;
    return n;
  }

  freeSlots(): number {
    let n = 0;
    for (const e of this.slots) if (e === null) n++;
    return n;
  }

  /** Remove DONE entries delivered before `before` (their coalescing memory expired). */
  purgeDone(before: number): void {
    for (const e of this.slots) if (e !== null && e.state === ENTRY_DONE && e.sentAt < before) this.remove(e);
  }

  private oldestDone(): Entry | null {
    let best: Entry | null = null;
    for (const e of this.slots) if (e !== null && e.state === ENTRY_DONE && (best === null || e.sentAt < best.sentAt)) best = e;
    return best;
  }
}
