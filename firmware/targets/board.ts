// What a target hands to the application: one set of platform objects, built by the
// target's entry (firmware/targets/<platform>/main.ts) from that platform's adapters,
// plus the settings found on that platform (mc/config, a Storage file, a JSON file).
import type { Clock, Input, Log, Store, Uart } from "../platform/types.js";

/** Flat settings, as the platform provides them (validated by the application). */
export interface Settings {
  [name: string]: string | number | boolean | undefined;
}

export interface Board {
  /** "moddable", "espruino" or "node". */
  platform: string;
  uart: Uart;
  clock: Clock;
  store: Store;
  /** The alarm input, when the board has one configured. */
  input: Input | undefined;
  log: Log;
  settings: Settings;
}
