// The AT layer's public face: the contract (types.ts), the engine, the line view and
// the ByteSource helper. Upper layers import from here.
export * from "./types.js";
export { AtEngine } from "./engine.js";
export type { AtEngineExtraOptions } from "./engine.js";
export { LineView, bytesToString } from "./line.js";
export { MAX_URC_HANDLERS } from "./urc.js";
export { bytesSource } from "./source.js";
