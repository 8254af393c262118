// XS bridge platform: the core in real XS (xsnap-worker) against host-sim on Node.
// The message protocol is described in protocol.ts; the entry is host-sim/xs/device/main.ts.
// Runs inside XS but only in tests and the simulator, never on a board: that is why it
// lives in host-sim/ (it is bundled for XS like the core, so it keeps to ES2015).
export { XsChannel } from "./protocol.js";
export { XsUart } from "./uart.js";
export { XsClock, TIMER_SLOTS } from "./clock.js";
export { XsStore } from "./store.js";
export { createXsLog } from "./log.js";
export { base64Decode } from "./base64.js";
