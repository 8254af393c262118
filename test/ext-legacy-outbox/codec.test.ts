// The earlier firmware's record codec (firmware/ext/legacy-outbox/codec.ts), which the migration
// reads, and the UTC text the full core's mails give times in (firmware/text/utc.ts).
import { describe, expect, it } from "vitest";
import { clipUtf8, utf8Bytes, utf8Decode, utf8Length } from "../../firmware/text/utf8.js";
import { decodeRecord, encodeRecord } from "../../firmware/ext/legacy-outbox/codec.js";
import { utcText } from "../../firmware/text/utc.js";

describe("utf8 under the records", () => {
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
  it("formats UTC without Date", () => {
    for (const t of [0, 951782400000, 1709164800000, 4102444799000, 1714566896000]) {
      expect(utcText(t)).toBe(new Date(t).toISOString().substring(0, 19).replace("T", " ") + " UTC");
    }
  });
});
