// Node adapter: a Clock on real time (performance.now, setTimeout). The simulator and
// tests use host-sim's VirtualClock instead; this one drives a real module.
import type { Clock, TimerHandle } from "../types.js";

export class NodeClock implements Clock {
  private readonly origin: number;
  private readonly unref: boolean;

  /** `unref`: timers do not keep the process alive (for tools that exit when idle). */
  constructor(options?: { unref?: boolean }) {
    this.origin = performance.now();
    this.unref = !!(options && options.unref);
  }

  now(): number {
    return performance.now() - this.origin;
  }

  setTimer(ms: number, fire: () => void): TimerHandle {
    const t = setTimeout(fire, ms > 0 ? ms : 0);
    if (this.unref) t.unref();
    return t;
  }

  clearTimer(handle: TimerHandle): void {
    if (handle) clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
}
