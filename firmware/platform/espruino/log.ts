// Espruino adapter: Log through print() (the Espruino console).
import type { Log } from "../types.js";

const LEVELS = ["debug", "info", "warn", "error"];

export function createEspruinoLog(minLevel: number): Log {
  return function (level: number, message: string): void {
    if (level < minLevel) return;
    print(`${LEVELS[level] || "log"} ${message}`);
  };
}
