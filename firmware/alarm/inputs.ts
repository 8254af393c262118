// The configured digital inputs as alarms, on every board: each input the board has is
// debounced on the Clock (debounce.ts) and raises its key when it becomes active, and
// "<key>/clear" when it is back to normal if its rule asks for that.
import type { Clock, Input } from "../platform/types.js";
import type { DeviceConfig, DeviceInput } from "../config/device.js";
import { createDebouncedInput, type DebouncedInput } from "./debounce.js";

export interface AlarmInputs {
  /** Watch every input; one already active raises at once when its rule says so (a leak still there after a reboot). */
  start(): void;
  /** Stop watching and close the inputs. */
  stop(): void;
}

/** `open` opens the input on a pin, or gives undefined when the board has none there (that rule is left out). */
export function alarmInputs(
  clock: Clock, c: DeviceConfig, open: ((pin: number) => Input | undefined) | undefined, raise: (key: string, title: string, text?: string) => number,
): AlarmInputs {
  const inputs: DebouncedInput[] = [];
  const rules: DeviceInput[] = []; // the rule of each opened input
  for (let i = 0; i < c.inputs.length && open; i++) {
    const r = c.inputs[i];
    const input = open(r.pin);
    if (!input) continue;
    rules.push(r);
    inputs.push(
      createDebouncedInput(clock, input, r.debounceMs, r.activeLevel, (active: boolean) => {
        if (active) raise(r.key, r.title);
        else if (r.notifyClear) raise(r.key + "/clear", r.title + " cleared", "input back to normal");
      }),
    );
  }
  return {
    start(): void {
      for (let i = 0; i < inputs.length; i++) inputs[i].start(rules[i].raiseAtStart);
    },
    stop(): void {
      for (let i = 0; i < inputs.length; i++) inputs[i].stop();
    },
  };
}
