import { describe, expect, it } from "vitest";
import { BlobStore, crc16 } from "../../firmware/alarm/blob.js";
import { clipUtf8, utf8Bytes, utf8Decode, utf8Length } from "../../firmware/text/utf8.js";
import { decodeRecord, encodeRecord } from "../../firmware/alarm/codec.js";
import { formatUtc, duration } from "../../firmware/alarm/template.js";
import { CutStore, MemStore } from "./fakes.js";

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

describe("utf8", () => {
  it("round-trips ASCII, 2-, 3- and 4-byte characters like TextEncoder", () => {
    const s = "a é 温度 🔥 \u0000 end";
    const mine = utf8Bytes(s);
    expect(Array.from(mine)).toEqual(Array.from(new TextEncoder().encode(s)));
    expect(utf8Decode(mine, 0, mine.length)).toBe(s);
    expect(utf8Length(s)).toBe(mine.length);
  });
  it("long strings decode (apply in chunks) and malformed bytes become U+FFFD", () => {
    const s = "日本".repeat(600);
    const b = utf8Bytes(s);
    expect(utf8Decode(b, 0, b.length)).toBe(s);
    expect(utf8Decode(new Uint8Array([0x61, 0xff, 0xe6, 0x97]), 0, 4)).toBe("a\ufffd\ufffd");
  });
  it("clips by bytes without splitting a character", () => {
    expect(clipUtf8("éé", 3)).toBe("é");
    expect(clipUtf8("a🔥", 4)).toBe("a");
    expect(clipUtf8("abc", 10)).toBe("abc");
  });
});

describe("record codec and time text", () => {
  it("encodes positional records and rejects other versions or garbage", () => {
    const b = encodeRecord([1, "ü", 2]);
    expect(decodeRecord(b, 1)).toEqual([1, "ü", 2]);
    expect(decodeRecord(b, 2)).toBeUndefined();
    expect(decodeRecord(new Uint8Array([0x7b, 0x7b]), 1)).toBeUndefined();
  });
  it("formats UTC and durations without Date", () => {
    for (const t of [0, 951782400000, 1709164800000, 4102444799000, 1714566896000]) {
      expect(formatUtc(t)).toBe(new Date(t).toISOString().substring(0, 19).replace("T", " ") + " UTC");
    }
    expect(duration(3723000)).toBe("1 h 2 min 3 s");
    expect(duration(-5)).toBe("0 s");
  });
});

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
