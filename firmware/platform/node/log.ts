// Node adapter: Log to the console (stderr), with a level filter.
import type { Log } from "../types.js";

const LEVELS = ["debug", "info", "warn", "error"];

export function createNodeLog(minLevel: number): Log {
  const log: Log = (level: number, message: string): void => {
    if (level < minLevel) return;
    console.error(`${LEVELS[level] ?? "log"} ${message}`);
  };
  log.level = minLevel;
  return log;
}
