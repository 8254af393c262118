// A debounced digital input: an edge restarts a quiet timer on the Clock; when the
// input has been quiet for `debounceMs`, its level is read, and a change of the
// stable level is reported (active = level equals `activeLevel`). Used by the
// inputs of every board (inputs.ts); a closure over locals because it ships in the 16 KB Espruino bundle.
import type { Clock, Input, TimerHandle } from "../platform/types.js";

export interface DebouncedInput {
  /**
   * Start watching. The current level becomes the stable level; when it is already
   * active and `reportActiveAtStart` is set, onChange(true) is called at once (a leak
   * that is still there after a reboot is reported again).
   */
  start(reportActiveAtStart: boolean): void;
  stop(): void;
}

export function createDebouncedInput(
  clock: Clock, input: Input, debounceMs: number, activeLevel: number, onChange: (active: boolean) => void,
): DebouncedInput {
  let stable = -1;
  let timer: TimerHandle = null;
  let stopped = false;
  function settle(): void {
    timer = null;
    if (stopped) return;
    const level = input.read();
    if (level === stable) return;
    stable = level;
    onChange(level === activeLevel);
  }
  return {
    start(reportActiveAtStart: boolean): void {
      stable = input.read();
      input.watch(() => {
        if (stopped) return;
        clock.clearTimer(timer);
        timer = clock.setTimer(debounceMs, settle);
      });
      if (reportActiveAtStart && stable === activeLevel) onChange(true);
    },
    stop(): void {
      stopped = true;
      clock.clearTimer(timer);
      timer = null;
      input.close();
    },
  };
}
