// Drive a VirtualClock in step with wall time, for serving the simulator to real
// programs (`cellmail modem --pty`). Every tick (default 5 ms) virtual time advances to
// "start + real ms elapsed" through clock.run({ forMs }), so timers fire in order and
// real I/O that holds the clock (an SMTP delivery) is waited for; virtual time then
// catches up with the wall clock.
import type { VirtualClock } from "../clock.js";

export interface RealTimeDriverOptions {
  tickMs?: number;
  /** Called when a timer callback throws; the driver keeps going. */
  onError?: (error: unknown) => void;
}

export class RealTimeDriver {
  private stopped = true;
  private done: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;
  private readonly tickMs: number;

  constructor(
    private readonly clock: VirtualClock,
    private readonly options: RealTimeDriverOptions = {},
  ) {
    this.tickMs = options.tickMs ?? 5;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const t0 = performance.now();
    const v0 = this.clock.now();
    this.done = (async () => {
      while (!this.stopped) {
        const behind = v0 + (performance.now() - t0) - this.clock.now();
        if (behind > 0) {
          try {
            await this.clock.run({ forMs: behind });
          } catch (e) {
            this.options.onError?.(e);
          }
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.wake = null;
            resolve();
          }, this.tickMs);
          this.wake = () => {
            clearTimeout(timer);
            this.wake = null;
            resolve();
          };
        });
      }
    })();
  }

  /** Run a tick now (e.g. right after bytes arrived from outside), instead of waiting for the next one. */
  nudge(): void {
    this.wake?.();
  }

  /** Stop after the current tick (waits for it). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.done;
  }
}
