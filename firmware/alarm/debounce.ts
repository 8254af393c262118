// A debounced digital input: an edge restarts a quiet timer on the Clock; when the
// input has been quiet for `debounceMs`, its level is read, and a change of the
// stable level is reported (active = level equals `activeLevel`).
import type { Clock, Input, TimerHandle } from "../platform/types.js";

export class DebouncedInput {
  private clock: Clock;
  private input: Input;
  private debounceMs: number;
  private activeLevel: number;
  private onChange: (active: boolean) => void;
  private stable = -1;
  private timer: TimerHandle = null;
  private stopped = false;

  constructor(clock: Clock, input: Input, debounceMs: number, activeLevel: number, onChange: (active: boolean) => void) {
    this.clock = clock;
    this.input = input;
    this.debounceMs = debounceMs;
    this.activeLevel = activeLevel;
    this.onChange = onChange;
  }

  /**
   * Start watching. The current level becomes the stable level; when it is already
   * active and `reportActiveAtStart` is set, onChange(true) is called at once (a leak
   * that is still there after a reboot is reported again).
   */
  start(reportActiveAtStart: boolean): void {
    this.stable = this.input.read();
    this.input.watch((level: number) => this.edge(level));
    if (reportActiveAtStart && this.stable === this.activeLevel) this.onChange(true);
  }

  /** The debounced level (-1 before start). */
  level(): number {
    return this.stable;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.input.close();
  }

  private edge(_level: number): void {
    if (this.stopped) return;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = this.clock.setTimer(this.debounceMs, () => this.settle());
  }

  private settle(): void {
    this.timer = null;
    if (this.stopped) return;
    const level = this.input.read();
    if (level === this.stable) return;
    this.stable = level;
    this.onChange(level === this.activeLevel);
  }
}
