// XS bench entry with the stand-in engine (bench/standin/engine.ts), used while
// firmware/at/engine.ts does not exist.
import type { Clock, Uart } from "../../firmware/platform/types.js";
import type { AtPort } from "../../firmware/at/types.js";
import { AtEngine } from "./engine.js";
import { makeHandler } from "../xs/handler.js";

export const ENGINE_NAME = "bench/standin/engine.ts (stand-in)";

export function makeEngine(uart: Uart, clock: Clock): AtPort {
  return new AtEngine(uart, clock);
}

export const handleCommand = makeHandler(makeEngine, ENGINE_NAME);
