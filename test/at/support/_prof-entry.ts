import { AtDriver, ManualClock, CountingUart, makeChunks } from "../../../bench/xs/at-driver.js";
import { makeEngine } from "../../../bench/xs/entry.js";
export function mk(): AtDriver { return new AtDriver(makeEngine); }
export { ManualClock, CountingUart, makeChunks, makeEngine };
