// XS bench entry with the real AT engine (firmware/at/engine.ts).
import type { Clock, Uart } from "../../firmware/platform/types.js";
import type { AtPort } from "../../firmware/at/types.js";
import { AtEngine } from "../../firmware/at/engine.js";
import { makeHandler } from "./handler.js";

export const ENGINE_NAME = "firmware/at/engine.ts";

export function makeEngine(uart: Uart, clock: Clock): AtPort {
  return new AtEngine(uart, clock);
}

export const handleCommand = makeHandler(makeEngine, ENGINE_NAME);
