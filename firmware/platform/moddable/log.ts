// Moddable adapter: Log through XS `trace` (xsbug or the serial console).
import type { Log } from "../types.js";

/** The level's name; a function, not a module-level table: the module is preloaded, and xsl warns about unfrozen top-level objects. */
function levelName(level: number): string {
  return level === 0 ? "debug" : level === 1 ? "info" : level === 2 ? "warn" : level === 3 ? "error" : "log";
}

export function createModdableLog(minLevel: number): Log {
  const log: Log = function (level: number, message: string): void {
    if (level < minLevel) return;
    trace(`${levelName(level)} ${message}\n`);
  };
  log.level = minLevel;
  return log;
}
