// XS bench entry with the compact profile's AT link (firmware/compact/link.ts), driven by
// CompactDriver through the same opcodes as the full engine (handler.ts).
import type { Clock, Uart } from "../../firmware/platform/types.js";
import { createAtLink, type AtLink } from "../../firmware/compact/link.js";
import { createByteFraming } from "../../firmware/compact/frame-bytes.js";
import { CompactDriver } from "./compact-driver.js";
import { makeDriverHandler } from "./handler.js";

export const ENGINE_NAME = "firmware/compact/link.ts";

export function makeLink(uart: Uart, clock: Clock): AtLink {
  return createAtLink(createByteFraming(uart), clock);
}

export const handleCommand = makeDriverHandler(() => new CompactDriver(makeLink), ENGINE_NAME);
