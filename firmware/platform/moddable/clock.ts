// Moddable adapter: Clock over the `timer` module and `Time.ticks`.
//
// Time.ticks is milliseconds since boot but wraps (it is a 32-bit count, and XS may
// hand it over as a signed integer, so it turns negative after about 24.8 days). now()
// extends it to a monotonic number by adding up the wrapped deltas; that only needs
// now() to be called at least once every 24 days, which the core's own timers do.
import Timer from "timer";
import Time from "time";
import type { Clock, TimerHandle } from "../types.js";

const WRAP = 4294967296;

export class ModdableClock implements Clock {
  private last: number;
  private total: number;

  constructor() {
    this.last = Time.ticks;
    this.total = 0;
  }

  now(): number {
    const raw = Time.ticks;
    let delta = raw - this.last;
    if (delta < 0) delta += WRAP;
    this.last = raw;
    this.total += delta;
    return this.total;
  }

  setTimer(ms: number, fire: () => void): TimerHandle {
    // One-shot timers are cleared by the runtime after they fire. The core's callback is
    // handed over as it is (it ignores the timer the runtime passes): a wrapper would cost a
    // closure per timer, and the core sets one or more per command.
    return Timer.set(fire, ms > 0 ? ms : 0);
  }

  clearTimer(handle: TimerHandle): void {
    // Timer.clear accepts undefined/null; a fired one-shot is already gone, and clearing
    // it again is harmless as long as the handle is not reused (Timer objects are not).
    if (handle) Timer.clear(handle as Timer);
  }
}
