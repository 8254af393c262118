// The blob store the earlier firmware's outbox wrote (firmware/ext/legacy-outbox/blob.ts): records
// split across Store values for a Store that limits them (Moddable Preference: 4,000 bytes),
// all-or-nothing across a power cut. The migration reads what boards wrote with it (migrate.test.ts).
import { describe, expect, it } from "vitest";
import { BlobStore, crc16 } from "../../firmware/ext/legacy-outbox/blob.js";
import { CutStore, MemStore } from "../alarm/fakes.js";

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

describe("BlobStore", () => {
  it("splits large records across keys <= 15 chars and values <= limit, and reads them back", () => {
    const mem = new MemStore();
    const blobs = new BlobStore(mem, 100);
    const big = bytes(1000, 1);
    blobs.write("cm.o31", big);
    expect(Array.from(blobs.read("cm.o31")!)).toEqual(Array.from(big));
    for (const k of mem.keys()) {
      expect(k.length).toBeLessThanOrEqual(15);
      expect(mem.data[k].length).toBeLessThanOrEqual(100);
    }
    // shrinking removes the old generation's chunks
    blobs.write("cm.o31", bytes(10, 2));
    expect(mem.keys()).toEqual(["cm.o31"]);
    blobs.remove("cm.o31");
    expect(mem.keys()).toEqual([]);
  });

  it("an overwrite cut after any operation leaves the old or the new record, never a mix", () => {
    const oldV = bytes(450, 3);
    const newV = bytes(520, 4);
    let sawOld = 0;
    let sawNew = 0;
    for (let k = 0; k < 20; k++) {
      const mem = new MemStore();
      new BlobStore(mem, 100).write("r", oldV);
      const cut = new CutStore(mem, k);
      new BlobStore(cut, 100).write("r", newV);
      const after = new BlobStore(mem, 100);
      after.sweep("r");
      const got = Array.from(after.read("r")!);
      if (got.length === oldV.length) {
        expect(got).toEqual(Array.from(oldV));
        sawOld++;
      } else {
        expect(got).toEqual(Array.from(newV));
        sawNew++;
      }
      // after a sweep only the live record's keys remain
      expect(mem.keys().length).toBe(1 + Math.ceil((newV.length - 90) / 100) * (got.length === newV.length ? 1 : 0) + (got.length === oldV.length ? Math.ceil((oldV.length - 90) / 100) : 0));
    }
    expect(sawOld).toBeGreaterThan(0);
    expect(sawNew).toBeGreaterThan(0);
  });

  it("a damaged record reads as absent and is counted", () => {
    const mem = new MemStore();
    const blobs = new BlobStore(mem, 4000);
    blobs.write("x", bytes(50, 5));
    mem.data.x[20] ^= 1;
    expect(blobs.read("x")).toBeUndefined();
    expect(blobs.corrupt).toBe(1);
    expect(crc16(new Uint8Array([0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39]), 0, 9)).toBe(0x29b1);
  });
});
