// XS bridge platform: the core in real XS (xsnap-worker) against host-sim on Node.
// The message protocol is described in protocol.ts; the entry is firmware/targets/xs/main.ts.
export { XsChannel } from "./protocol.js";
export { XsUart } from "./uart.js";
export { XsClock, TIMER_SLOTS } from "./clock.js";
export { XsStore } from "./store.js";
export { createXsLog } from "./log.js";
export { base64Decode } from "./base64.js";
