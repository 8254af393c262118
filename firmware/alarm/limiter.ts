// Per-recipient sending limit over a sliding window (Tencent SES: 10 mails per hour
// from one sender to one recipient). The send times of the last `limit` mails per
// address are kept and persisted ("cm.t"), so a reboot does not reset the window;
// times are shifted on load like the outbox's (see outbox.ts: time powered off
// counts as zero, which can only make the wait longer).
//
// A mail counts when its send starts (note), and is given back when the send ends
// undelivered (release): a power cut during a send therefore keeps it counted.
// Record (version 1): [1, savedAt, addr1, [t...], addr2, [t...], ...]
import type { Clock } from "../platform/types.js";
import type { Records } from "./records.js";
import { decodeRecord, encodeRecord, num, str } from "./codec.js";

export const LIMITER_KEY = "cm.t";

export class RateLimiter {
  private blobs: Records;
  private clock: Clock;
  private limit: number;
  private windowMs: number;
  private maxAddrs: number;
  private addrs: string[];
  private stamps: number[][];

  constructor(records: Records, clock: Clock, limit: number, windowMs: number, maxAddrs: number) {
    this.blobs = records;
    this.clock = clock;
    this.limit = limit;
    this.windowMs = windowMs;
    this.maxAddrs = maxAddrs;
    this.addrs = [];
    this.stamps = [];
  }

  load(): void {
    this.blobs.sweep(LIMITER_KEY);
    const bytes = this.blobs.read(LIMITER_KEY);
    const r = bytes === undefined ? undefined : decodeRecord(bytes, 1);
    if (r === undefined) return;
    this.savedAt = num(r[1], -Infinity);
    for (let i = 2; i + 1 < r.length && this.addrs.length < this.maxAddrs; i += 2) {
      const list = r[i + 1];
      if (!(list instanceof Array)) continue;
      const ts: number[] = [];
      for (const t of list) if (typeof t === "number" && ts.length < this.limit) ts.push(t);
      this.addrs.push(str(r[i]));
      this.stamps.push(ts);
    }
  }

  /** `savedAt` of the record read by load(), or -Infinity. */
  savedAt = -Infinity;

  /** Add `shift` to every loaded time; call once after load. */
  shiftTimes(shift: number): void {
    for (const ts of this.stamps) for (let i = 0; i < ts.length; i++) ts[i] += shift;
  }

  /** Earliest Clock time at which every address in `rcpts` may receive one more mail. */
  allowedAt(rcpts: string[], now: number): number {
    let at = now;
    for (const a of rcpts) {
      const i = this.addrs.indexOf(lower(a));
      if (i < 0) continue;
      const ts = this.stamps[i];
      let inWindow = 0;
      for (const t of ts) if (t > now - this.windowMs) inWindow++;
      if (inWindow >= this.limit) {
        // ts is ascending and holds at most `limit` stamps: the oldest must leave the window.
        const t = ts[ts.length - this.limit] + this.windowMs;
        if (t > at) at = t;
      }
    }
    return at;
  }

  /** Count one mail to each address at `t`, and persist. */
  note(rcpts: string[], t: number): void {
    for (const a of rcpts) {
      const key = lower(a);
      let i = this.addrs.indexOf(key);
      if (i < 0) {
        if (this.addrs.length >= this.maxAddrs) this.evict(t);
        this.addrs.push(key);
        this.stamps.push([]);
        i = this.addrs.length - 1;
      }
      const ts = this.stamps[i];
      ts.push(t);
      while (ts.length > this.limit) ts.shift();
    }
    this.save();
  }

  /** Give back the mail counted at `t` (the send ended undelivered), and persist. */
  release(rcpts: string[], t: number): void {
    for (const a of rcpts) {
      const i = this.addrs.indexOf(lower(a));
      if (i < 0) continue;
      const j = this.stamps[i].indexOf(t);
      if (j >= 0) this.stamps[i].splice(j, 1);
    }
    this.save();
  }

  /**
   * Move the mail counted at `from` to `to` (its delivery was confirmed then), and persist.
   * The provider counts a mail when it arrives, which is after the send started: counting
   * from the confirmation keeps the next mail's start at least a window after this one's
   * arrival, whatever the two sends' bring-up and transaction times were.
   */
  move(rcpts: string[], from: number, to: number): void {
    for (const a of rcpts) {
      const i = this.addrs.indexOf(lower(a));
      if (i < 0) continue;
      const j = this.stamps[i].indexOf(from);
      if (j >= 0) this.stamps[i][j] = to;
    }
    this.save();
  }

  /** Mails counted for `addr` in the window ending at `now`. */
  used(addr: string, now: number): number {
    const i = this.addrs.indexOf(lower(addr));
    if (i < 0) return 0;
    let n = 0;
    for (const t of this.stamps[i]) if (t > now - this.windowMs) n++;
    return n;
  }

  private evict(now: number): void {
    // Drop the address whose newest stamp is oldest (ideally one that left the window).
    let best = 0;
    let bestT = Infinity;
    for (let i = 0; i < this.addrs.length; i++) {
      const ts = this.stamps[i];
      const t = ts.length > 0 ? ts[ts.length - 1] : -Infinity;
      if (t < bestT) {
        bestT = t;
        best = i;
      }
    }
    // If every tracked address is still active the bound wins: that address's history is
    // forgotten (only possible with more than maxAddrs distinct recipients in an hour).
    if (bestT > now) bestT = now;
    this.addrs.splice(best, 1);
    this.stamps.splice(best, 1);
  }

  private save(): void {
    const now = this.clock.now();
    const out: unknown[] = [1, now];
    for (let i = 0; i < this.addrs.length; i++) {
      const ts = this.stamps[i];
      while (ts.length > 0 && ts[0] <= now - this.windowMs) ts.shift();
      out.push(this.addrs[i], ts);
    }
    this.blobs.write(LIMITER_KEY, encodeRecord(out));
  }
}

function lower(s: string): string {
  return s.toLowerCase();
}
