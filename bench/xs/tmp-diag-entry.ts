import { Framer } from "../../firmware/at/framer.js";
import { makeChunks } from "./at-driver.js";
let chunks: Uint8Array[] = [];
let lines = 0;
const framer = new Framer(512, { onLine(_b: Uint8Array, _s: number, _l: number) { lines++; }, onAck() {} });
export function handleCommand(m: ArrayBuffer): ArrayBuffer | undefined {
  const u = new Uint8Array(m);
  if (u[0] === 0x53) { const c = new Uint8Array(u.length - 1); for (let i = 1; i < u.length; i++) c[i - 1] = u[i]; chunks = makeChunks(c, 64); return undefined; }
  for (let k = 0; k < chunks.length; k++) framer.push(chunks[k], 0, chunks[k].length);
  return undefined;
}
