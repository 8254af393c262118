// The blob store the earlier firmware's outbox kept its records in (records.ts; read back once
// by migrate.ts): records on a Store that limits values (Moddable Preference on ESP32: keys
// <= 15 chars, values <= 4000 bytes). A record larger than one value is split across keys,
// and every write is all-or-nothing even if power fails between two key writes. The one
// outbox needs none of it: each of its records fits one value (firmware/alarm/outbox.ts).
//
// Layout of record `k` (k <= 8 chars, so every derived key stays <= 11 chars):
//   k          head: magic 0x63, version 1, gen (0|1), chunk count n, total length
//              (u32 big-endian), CRC-16/CCITT of the whole payload, then the first
//              part of the payload
//   k.a1..     continuation chunks 1..n-1 of generation 0 ("k.b1.." for generation 1)
// A write puts the continuation chunks under the generation the current head does
// NOT use, and then replaces the head (one Store.write, atomic): until the head is
// replaced the old record is intact; afterwards the new one is complete. Chunks of
// the old generation are removed afterwards, and any left by a power cut are
// swept by `sweep()` at start-up. A head whose length or CRC does not match is
// treated as absent (reported through `corrupt`).
import type { Store } from "../../platform/types.js";
import type { Records } from "./records.js";

/** Moddable Preference's value limit on the ESP32 (platform/moddable/store.ts): what the moddable target splits records to. */
export const PREFERENCE_VALUE = 4000;

const MAGIC = 0x63;
const VERSION = 1;
const HEAD = 10;

export class BlobStore implements Records {
  private store: Store;
  private max: number;
  /** Records found damaged by `read` (length or CRC mismatch, missing chunk). */
  corrupt = 0;

  /** `maxValue`: the Store's value limit (4000 on Moddable/ESP32); at least 32. */
  constructor(store: Store, maxValue: number) {
    this.store = store;
    this.max = maxValue < 32 ? 32 : maxValue;
  }

  write(key: string, payload: Uint8Array): void {
    const old = this.store.read(key);
    let gen = 0;
    let oldN = 0;
    if (old !== undefined && old.length >= HEAD && old[0] === MAGIC) {
      gen = old[2] === 0 ? 1 : 0;
      oldN = old[3];
    }
    const firstRoom = this.max - HEAD;
    let n = 1;
    if (payload.length > firstRoom) n = 1 + Math.ceil((payload.length - firstRoom) / this.max);
    if (n > 255) throw new Error("record too large");
    let pos = firstRoom;
    for (let i = 1; i < n; i++) {
      const end = pos + this.max < payload.length ? pos + this.max : payload.length;
      const part = new Uint8Array(end - pos); // a copy: no TypedArray.slice on every engine
      part.set(payload.subarray(pos, end), 0);
      this.store.write(chunkKey(key, gen, i), part);
      pos = end;
    }
    const headLen = payload.length < firstRoom ? payload.length : firstRoom;
    const head = new Uint8Array(HEAD + headLen);
    head[0] = MAGIC;
    head[1] = VERSION;
    head[2] = gen;
    head[3] = n;
    const len = payload.length;
    head[4] = (len >>> 24) & 0xff;
    head[5] = (len >>> 16) & 0xff;
    head[6] = (len >>> 8) & 0xff;
    head[7] = len & 0xff;
    const crc = crc16(payload, 0, len);
    head[8] = crc >> 8;
    head[9] = crc & 0xff;
    head.set(payload.subarray(0, headLen), HEAD);
    this.store.write(key, head);
    const oldGen = gen === 0 ? 1 : 0;
    for (let i = 1; i < oldN; i++) this.store.remove(chunkKey(key, oldGen, i));
  }

  read(key: string): Uint8Array | undefined {
    const head = this.store.read(key);
    if (head === undefined) return undefined;
    if (head.length < HEAD || head[0] !== MAGIC || head[1] !== VERSION) {
      this.corrupt++;
      return undefined;
    }
    const gen = head[2];
    const n = head[3];
    const len = ((head[4] << 24) >>> 0) + (head[5] << 16) + (head[6] << 8) + head[7];
    const out = new Uint8Array(len);
    let pos = head.length - HEAD;
    if (pos > len) {
      this.corrupt++;
      return undefined;
    }
    out.set(head.subarray(HEAD), 0);
    for (let i = 1; i < n; i++) {
      const part = this.store.read(chunkKey(key, gen, i));
      if (part === undefined || pos + part.length > len) {
        this.corrupt++;
        return undefined;
      }
      out.set(part, pos);
      pos += part.length;
    }
    if (pos !== len || crc16(out, 0, len) !== ((head[8] << 8) | head[9])) {
      this.corrupt++;
      return undefined;
    }
    return out;
  }

  /** Remove a record: the head first (so a cut leaves only sweepable chunks). */
  remove(key: string): void {
    const head = this.store.read(key);
    if (head === undefined) return;
    this.store.remove(key);
    if (head.length >= HEAD && head[0] === MAGIC) {
      for (let i = 1; i < head[3]; i++) this.store.remove(chunkKey(key, head[2], i));
    }
  }

  /**
   * Remove chunk keys (`<k>.a<i>` / `<k>.b<i>`) that no head references, for keys
   * starting with `prefix`. Call once at start-up, before writing.
   */
  sweep(prefix: string): number {
    const keys = this.store.keys();
    let removed = 0;
    for (const k of keys) {
      if (k.indexOf(prefix) !== 0) continue;
      const dot = k.indexOf(".", prefix.length);
      if (dot < 0) continue;
      const base = k.substring(0, dot);
      const g = k.charAt(dot + 1) === "b" ? 1 : 0;
      const idx = parseInt(k.substring(dot + 2), 10);
      const head = this.store.read(base);
      let live = false;
      if (head !== undefined && head.length >= HEAD && head[0] === MAGIC) {
        live = head[2] === g && idx >= 1 && idx < head[3];
      }
      if (!live) {
        this.store.remove(k);
        removed++;
      }
    }
    return removed;
  }
}

function chunkKey(key: string, gen: number, i: number): string {
  return key + (gen === 0 ? ".a" : ".b") + i;
}

/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF). */
export function crc16(data: Uint8Array, start: number, end: number): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc ^= data[i] << 8;
    for (let b = 0; b < 8; b++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}
