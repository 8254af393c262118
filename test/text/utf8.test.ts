// firmware/text/utf8.ts, the core's one UTF-8 module, against Node's encoder.
import { describe, expect, it } from "vitest";
import { clipUtf8, utf8Bytes, utf8Decode, utf8Hex, utf8Into, utf8Length, utf8Text } from "../../firmware/text/utf8.js";

const node = (s: string): number[] => Array.from(new TextEncoder().encode(s));
const SAMPLES = ["", "a", "plain ASCII", "é", "a é 温度 🔥 end", "🔥", "x🔥", "🔥x", "\ud800", "a\udc00b", "\ud83d", "\ud83dz", "ÿ".repeat(50), "温".repeat(400) + "!"];

describe("utf8Text: one pass", () => {
  it("gives the bytes, the length and the ASCII flag of TextEncoder for any text (lone surrogates as U+FFFD)", () => {
    for (const s of SAMPLES) {
      const t = utf8Text(s, -1);
      expect(Array.from(t.bytes!), JSON.stringify(s)).toEqual(node(s));
      expect(t.length).toBe(node(s).length);
      expect(t.bytes!.length).toBe(t.length); // exact size, also after moving to a bigger array
      expect(t.ascii).toBe(!/[^\x00-\x7f]/.test(s));
      expect(utf8Length(s)).toBe(t.length);
      expect(Array.from(utf8Bytes(s))).toEqual(node(s));
    }
  });
  it("with a limit: the bytes when they fit, else null and the full length counted", () => {
    const ascii = "A".repeat(10240);
    expect(utf8Text(ascii, 10240).bytes!.length).toBe(10240);
    const over = utf8Text(ascii + "B", 10240);
    expect(over.bytes).toBeNull();
    expect(over.length).toBe(10241);
    const wide = "温".repeat(3413); // 10239 bytes
    expect(Array.from(utf8Text(wide, 10240).bytes!)).toEqual(node(wide));
    const wideOver = utf8Text(wide + "🔥", 10240);
    expect(wideOver.bytes).toBeNull();
    expect(wideOver.length).toBe(10243);
    expect(wideOver.ascii).toBe(false);
    const late = "A".repeat(10238) + "é"; // non-ASCII only at the end, fits exactly
    expect(Array.from(utf8Text(late, 10240).bytes!)).toEqual(node(late));
  });
  it("utf8Into writes the same bytes in place, only within the limit, and says when they do not fit", () => {
    for (const s of SAMPLES) {
      const want = node(s);
      const dst = new Uint8Array(want.length + 4).fill(0xee);
      expect(utf8Into(s, dst, 2, dst.length), JSON.stringify(s)).toBe(2 + want.length);
      expect(Array.from(dst.subarray(2, 2 + want.length))).toEqual(want);
      expect([dst[0], dst[1], dst[2 + want.length], dst[3 + want.length]]).toEqual([0xee, 0xee, 0xee, 0xee]);
      if (want.length > 0) {
        const short = new Uint8Array(want.length).fill(0xee);
        expect(utf8Into(s, short, 1, short.length)).toBe(-1);
      }
    }
  });
  it("max 0 only measures", () => {
    const t = utf8Text("温度", 0);
    expect(t.bytes).toBeNull();
    expect(t.length).toBe(6);
    expect(t.ascii).toBe(false);
  });
});

describe("decode, hex, clip", () => {
  it("decodes what it encodes, long texts too, without String.fromCharCode.apply", () => {
    for (const s of SAMPLES.filter((x) => !/[\ud800-\udfff]/.test(x.replace(/\ud83d\udd25/g, "")))) {
      const b = utf8Bytes(s);
      expect(utf8Decode(b, 0, b.length)).toBe(s);
    }
    const long = "日本🔥a".repeat(3000);
    const b = utf8Bytes(long);
    expect(utf8Decode(b, 0, b.length)).toBe(long);
    expect(utf8Decode(new Uint8Array([0x61, 0xf0, 0x9f]), 0, 3)).toBe("a\ufffd");
  });
  it("hex is upper-case UTF-8", () => {
    expect(utf8Hex("温度 🔥")).toBe(Buffer.from("温度 🔥", "utf8").toString("hex").toUpperCase());
  });
  it("clips at character boundaries", () => {
    expect(clipUtf8("a🔥b", 5)).toBe("a🔥");
    expect(clipUtf8("a🔥b", 4)).toBe("a");
    expect(clipUtf8("\ud800ab", 4)).toBe("\ud800a");
    expect(clipUtf8("", 0)).toBe("");
  });
});
