// The virtual clock shared by the simulator and the firmware under test.
//
// Time only moves when the driver of a test or simulation asks it to, and it never
// jumps over real I/O that is still pending (an SMTP transaction against a real
// server): such work takes a hold, and `run` waits for the hold to be released
// before it advances virtual time. So a 300-second send timeout costs milliseconds,
// yet a real server is never "timed out" by a clock that raced ahead of it.
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

export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  private holds = 0;
  private wake: (() => void) | null = null;

  constructor(startMs = 0) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fire: Fire): TimerHandle {
    const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fire };
    // Insert keeping (at, seq) order; timers are few, so a linear insert from the end is fine.
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1].at > timer.at) i--;
    this.timers.splice(i, 0, timer);
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    const timer = handle as Timer | null | undefined;
    if (!timer || !timer.fire) return;
    timer.fire = null;
    const i = this.timers.indexOf(timer);
    if (i >= 0) this.timers.splice(i, 1);
  }

  /** Number of armed timers (for leak checks in tests). */
  pendingTimers(): number {
    return this.timers.length;
  }

  /**
   * Declare real I/O in flight. Until the returned function is called, `run` will not
   * advance virtual time (timers already due still fire).
   */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.poke();
    };
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
    while (this.timers.length > 0 && this.timers[0].at <= this.t) {
      const result = this.fireNext();
      if (isThenable(result)) throw new Error("VirtualClock: an asynchronous timer needs run(), not advance()");
      n++;
    }
    return n;
  }

  private fireNext(): unknown {
    const timer = this.timers.shift() as Timer;
    const fire = timer.fire;
    timer.fire = null;
    return fire ? fire() : undefined;
  }

  /**
   * Advance virtual time synchronously by `ms`, firing timers on the way. Must not be
   * used while real I/O holds the clock (throws), because it cannot wait.
   */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      if (this.holds > 0) throw new Error("VirtualClock.advance while real I/O is pending; use run()");
      this.fireDue();
      const next = this.timers.length > 0 ? this.timers[0].at : Infinity;
      if (next > end) break;
      this.t = next;
    }
    this.t = end;
  }

  /**
   * Drive the simulation: fire due timers, let real I/O and promises settle, and jump
   * to the next timer only when nothing real is pending.
   */
  async run(options: RunOptions = {}): Promise<RunOutcome> {
    const until = options.until;
    const end = options.forMs === undefined ? Infinity : this.t + options.forMs;
    const maxSteps = options.maxSteps ?? 10_000_000;
    let steps = 0;
    for (;;) {
      if (until && until()) return "until";
      while (this.timers.length > 0 && this.timers[0].at <= this.t) {
        const result = this.fireNext();
        if (isThenable(result)) await result;
        steps++;
        if (until && until()) return "until";
      }
      if (steps > maxSteps) return "steps";
      // Let promise callbacks and real sockets make progress before deciding.
      await settle();
      if (until && until()) return "until";
      if (this.timers.length > 0 && this.timers[0].at <= this.t) continue;
      if (this.holds > 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          // Real I/O completes through the Node event loop; poll it gently too.
          setTimeout(() => this.poke(), 5);
        });
        continue;
      }
      const next = this.timers.length > 0 ? this.timers[0].at : Infinity;
      if (next === Infinity) {
        if (end !== Infinity) this.t = end;
        return "idle";
      }
      if (next > end) {
        this.t = end;
        return "elapsed";
      }
      this.t = next;
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as PromiseLike<unknown>).then === "function";
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
