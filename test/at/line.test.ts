// The Line view's typed getters, read straight from bytes.
import { describe, expect, it } from "vitest";
import { LineView } from "../../firmware/at/line.js";
import { ascii } from "./support/modem.js";

function view(text: string, pad = 3): LineView {
  // Place the line inside a larger buffer, as the engine's receive buffer holds it.
  const buf = new Uint8Array(text.length + 2 * pad).fill(0x2c);
  buf.set(ascii(text), pad);
  const v = new LineView(buf);
  v.set(buf, pad, text.length);
  return v;
}

describe("LineView", () => {
  it("reads integers, hex and quoted strings after the prefix", () => {
    const v = view('+QIACT: 1,1,1,"10.7.157.1"');
    expect(v.fieldCount()).toBe(4);
    expect(v.int(0, -1)).toBe(1);
    expect(v.int(2, -1)).toBe(1);
    expect(v.str(3)).toBe("10.7.157.1");
    expect(v.int(3, -9)).toBe(-9); // not a number
    expect(v.int(4, -7)).toBe(-7); // absent
    expect(view("+QFUPL: 3000,4f64").hex(1, -1)).toBe(0x4f64);
    expect(view("+QFUPL: 3000,zz").hex(1, -1)).toBe(-1);
    expect(view("+CSQ: 23,99").int(1, -1)).toBe(99);
    expect(view("+X: -5").int(0, 0)).toBe(-5);
  });

  it("keeps commas inside quotes, trims blanks, handles lines without a prefix", () => {
    const v = view('+QIURC: "a,b" , 7 ,"x:y"');
    expect(v.fieldCount()).toBe(3);
    expect(v.str(0)).toBe("a,b");
    expect(v.int(1, -1)).toBe(7);
    expect(v.str(2)).toBe("x:y");
    const plain = view("RDY");
    expect(plain.fieldCount()).toBe(1);
    expect(plain.str(0)).toBe("RDY");
    const quotedColon = view('"UFS:a.txt",12');
    expect(quotedColon.str(0)).toBe("UFS:a.txt");
    expect(quotedColon.int(1, -1)).toBe(12);
    expect(view("+CSQ:").fieldCount()).toBe(0);
    expect(view("+CSQ:").int(0, -3)).toBe(-3);
  });

  it("startsWith and text read only the line's bytes", () => {
    const v = view("+CME ERROR: 10");
    expect(v.text()).toBe("+CME ERROR: 10");
    expect(v.startsWith({ text: "+CME", bytes: ascii("+CME") })).toBe(true);
    expect(v.startsWith({ text: "+CMS", bytes: ascii("+CMS") })).toBe(false);
    expect(v.startsWith({ text: "x", bytes: ascii("+CME ERROR: 10,") })).toBe(false); // longer than the line
    expect(v.rest()).toBe("10");
  });

  it("text() works for lines longer than 256 bytes (chunked fromCharCode)", () => {
    const s = "+X: " + "abcdefghij".repeat(60);
    expect(view(s).text()).toBe(s);
  });
});
