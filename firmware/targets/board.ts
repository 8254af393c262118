// What a target hands to the application: one set of platform objects, built by the
// target's entry (firmware/targets/<platform>/main.ts) from that platform's adapters,
// plus the configuration found on that platform (mc/config, a Storage file, a JSON file).
import type { Clock, Input, Log, Store, Uart } from "../platform/types.js";

/** Flat hardware settings, as the platform provides them (UART port, pins, log level). */
export interface Settings {
  [name: string]: unknown;
}

export interface Board {
  /** "moddable", "espruino" or "node". */
  platform: string;
  uart: Uart;
  clock: Clock;
  store: Store;
  /** Opens the digital input on a pin (undefined when the board cannot). */
  openInput: ((pin: number) => Input | undefined) | undefined;
  log: Log;
  /** The device record (`cellmail config`) or, where the build carries the validator, the user's JSON: startApp checks it. */
  config: unknown;
}
