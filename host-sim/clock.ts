// The virtual clock shared by the simulator and the firmware under test.
//
// Time only moves when the driver of a test or simulation asks it to, and it never
// jumps over real I/O that is still pending (an SMTP transaction against a real
// server): such work takes a hold, and `run` waits for the hold to be released
// before it advances virtual time past the hold's limit. So a 300-second send timeout
// costs milliseconds, yet a real server is never "timed out" by a clock that raced
// ahead of it.
//
// A hold has a limit: by default the time it was taken (nothing moves until the I/O is
// done), or, with `hold(ms)`, that much later. The module's SMTP transaction takes a
// fixed virtual time (its result is reported then, whatever the real I/O took), so it
// holds only up to that point: other boards of a fleet go on meanwhile, and their own
// transactions overlap in real time. Nothing past the limit happens before the I/O ends.
//
// Timers live in a binary heap ordered by (time, order set); a cleared timer stays in
// the heap, disarmed, until it comes up (thousands of boards set and clear timers all
// the time, and a sorted array made every insert cost a scan).
import type { Clock, TimerHandle } from "../firmware/platform/types.js";

/**
 * A timer callback may return a promise (the XS bridge does: the firmware's reaction
 * crosses a process boundary). `run` awaits it before firing anything else, so event
 * order is the same as when the callback runs synchronously.
 */
type Fire = () => unknown;

interface Timer {
  at: number;
  seq: number;
  fire: Fire | null;
}

export interface RunOptions {
  /** Stop as soon as this returns true (checked after every step). */
  until?: () => boolean;
  /** Stop when virtual time would pass this many ms from now. */
  forMs?: number;
  /** Safety net against runaway loops: maximum timer firings. */
  maxSteps?: number;
}

export type RunOutcome = "until" | "elapsed" | "idle" | "steps";

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  /** Binary heap of armed and disarmed timers. */
  private heap: Timer[] = [];
  private live = 0;
  /** Limits of the holds in flight (virtual ms the clock may not pass). */
  private limits: number[] = [];
  private wake: (() => void) | null = null;

  constructor(startMs = 0) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fire: Fire): TimerHandle {
    const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fire };
    this.push(timer);
    this.live++;
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    const timer = handle as Timer | null | undefined;
    if (!timer || !timer.fire) return;
    timer.fire = null;
    this.live--;
    // Disarmed timers wait in the heap until they come up; rebuild when they dominate.
    if (this.heap.length > 1024 && this.heap.length > 4 * this.live) this.compact();
  }

  /** Number of armed timers (for leak checks in tests). */
  pendingTimers(): number {
    return this.live;
  }

  /**
   * Declare real I/O in flight. Until the returned function is called, `run` will not
   * advance virtual time more than `maxAdvanceMs` past now (default 0: not at all;
   * timers already due still fire).
   */
  hold(maxAdvanceMs = 0): () => void {
    const limit = this.t + Math.max(0, maxAdvanceMs);
    this.limits.push(limit);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.limits.splice(this.limits.indexOf(limit), 1);
      this.poke();
    };
  }

  /** Holds in flight. */
  holds(): number {
    return this.limits.length;
  }

  /** Wake a `run` that is waiting for real I/O (call after delivering outside events). */
  poke(): void {
    const w = this.wake;
    this.wake = null;
    if (w) w();
  }

  /** Fire every timer that is due now, in order. Returns how many fired. */
  fireDue(): number {
    let n = 0;
    for (;;) {
      const next = this.peek();
      if (next === null || next.at > this.t) return n;
      const result = this.fireNext();
      if (isThenable(result)) throw new Error("VirtualClock: an asynchronous timer needs run(), not advance()");
      n++;
    }
  }

  /**
   * Fire exactly one timer: the next one, moving virtual time to it. False when none is
   * armed. For tests that stop between two steps of the firmware (a zero-delay timer is
   * one step: firmware/turn.ts).
   */
  step(): boolean {
    const next = this.peek();
    if (next === null) return false;
    if (this.limits.length > 0) throw new Error("VirtualClock.step while real I/O is pending; use run()");
    if (next.at > this.t) this.t = next.at;
    const result = this.fireNext();
    if (isThenable(result)) throw new Error("VirtualClock: an asynchronous timer needs run(), not step()");
    return true;
  }

  /**
   * Advance virtual time synchronously by `ms`, firing timers on the way. Must not be
   * used while real I/O holds the clock (throws), because it cannot wait.
   */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      if (this.limits.length > 0) throw new Error("VirtualClock.advance while real I/O is pending; use run()");
      this.fireDue();
      const next = this.peek();
      if (next === null || next.at > end) break;
      this.t = next.at;
    }
    this.t = end;
  }

  /**
   * Drive the simulation: fire due timers, let real I/O and promises settle, and jump
   * to the next timer only when no hold forbids it.
   */
  async run(options: RunOptions = {}): Promise<RunOutcome> {
    const until = options.until;
    const end = options.forMs === undefined ? Infinity : this.t + options.forMs;
    const maxSteps = options.maxSteps ?? 10_000_000;
    let steps = 0;
    for (;;) {
      if (until && until()) return "until";
      for (let next = this.peek(); next !== null && next.at <= this.t; next = this.peek()) {
        const result = this.fireNext();
        if (isThenable(result)) await result;
        steps++;
        if (until && until()) return "until";
      }
      if (steps > maxSteps) return "steps";
      // Let promise callbacks and real sockets make progress before deciding.
      await settle();
      if (until && until()) return "until";
      const next = this.peek();
      if (next !== null && next.at <= this.t) continue;
      const at = next === null ? Infinity : next.at;
      const barrier = this.barrier();
      if (next !== null && at <= barrier && at <= end) {
        this.t = at;
        continue;
      }
      if (this.limits.length > 0) {
        // Real I/O in flight: wait for it, moving up to its limit meanwhile is done above.
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          // Real I/O completes through the Node event loop; poll it gently too.
          setTimeout(() => this.poke(), 5);
        });
        continue;
      }
      if (at === Infinity) {
        if (end !== Infinity) this.t = end;
        return "idle";
      }
      this.t = end;
      return "elapsed";
    }
  }

  /** The time the clock may not pass while holds are in flight (Infinity when none). */
  private barrier(): number {
    let b = Infinity;
    for (const l of this.limits) if (l < b) b = l;
    return b;
  }

  /** The earliest armed timer (disarmed ones at the top are dropped), or null. */
  private peek(): Timer | null {
    const h = this.heap;
    while (h.length > 0 && h[0].fire === null) this.pop();
    return h.length > 0 ? h[0] : null;
  }

  private fireNext(): unknown {
    const timer = this.pop() as Timer;
    const fire = timer.fire;
    timer.fire = null;
    if (!fire) return undefined;
    this.live--;
    return fire();
  }

  private push(timer: Timer): void {
    const h = this.heap;
    let i = h.length;
    h.push(timer);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(timer, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = timer;
  }

  private pop(): Timer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && before(h[r], h[l]) ? r : l;
        if (!before(h[c], last)) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  private compact(): void {
    const armed = this.heap.filter((x) => x.fire !== null);
    this.heap = [];
    for (const x of armed) this.push(x);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as PromiseLike<unknown>).then === "function";
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
