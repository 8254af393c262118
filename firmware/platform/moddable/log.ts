// Moddable adapter: Log through XS `trace` (xsbug or the serial console).
import type { Log } from "../types.js";

const LEVELS = ["debug", "info", "warn", "error"];

export function createModdableLog(minLevel: number): Log {
  return function (level: number, message: string): void {
    if (level < minLevel) return;
    trace(`${LEVELS[level] || "log"} ${message}\n`);
  };
}
