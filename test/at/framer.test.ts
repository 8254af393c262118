// The framer against a plain reference splitter: same lines for every way of cutting
// the input (every split point, every pair of split points, random cuts), overlong
// lines dropped and counted, ack mode, and a buffer that never grows.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Framer } from "../../firmware/at/framer.js";
import { ascii, latin1 } from "./support/modem.js";

/**
 * Reference framing. lfEnds: split on CR or LF. Otherwise: CR ends a line and CR/LF
 * bytes where a line would begin are skipped (an LF inside a line is kept). Empty
 * lines are dropped; lines of `capacity` bytes or more are dropped and counted.
 */
function reference(input: Uint8Array, capacity: number, lfEnds: boolean): { lines: string[]; overlong: number } {
  const lines: string[] = [];
  let overlong = 0;
  let cur: number[] = [];
  const flush = (): void => {
    if (cur.length >= capacity) overlong++;
    else if (cur.length > 0) lines.push(latin1(new Uint8Array(cur)));
    cur = [];
  };
  for (const b of input) {
    if (b === 0x0d || (lfEnds && b === 0x0a)) flush();
    else if (b === 0x0a && cur.length === 0) continue;
    else cur.push(b);
  }
  // An unterminated tail is not a line; but if it is already too long it has been dropped.
  if (cur.length >= capacity) overlong++;
  return { lines, overlong };
}

function run(input: Uint8Array, cuts: number[], capacity: number, lfEnds: boolean): { lines: string[]; overlong: number; framer: Framer } {
  const lines: string[] = [];
  const framer = new Framer(
    capacity,
    {
      onLine: (buf, start, length) => lines.push(latin1(buf.subarray(start, start + length))),
      onAck: () => lines.push("<ack>"),
    },
    lfEnds,
  );
  const bufBefore = framer.buf;
  let p = 0;
  for (const c of [...cuts, input.length]) {
    if (c < p) continue;
    // Deliver at an offset inside a scratch array, then scribble over it.
    const scratch = new Uint8Array(c - p + 4);
    scratch.set(input.subarray(p, c), 2);
    framer.push(scratch, 2, 2 + (c - p));
    scratch.fill(0x0d);
    expect(framer.pending()).toBeLessThanOrEqual(capacity);
    p = c;
  }
  expect(framer.buf).toBe(bufBefore);
  expect(framer.buf.length).toBe(capacity + 1);
  return { lines, overlong: framer.overlong, framer };
}

const STREAM =
  "\r\nRDY\r\n\x00\x00\xff\r\nAT+CSQ\r\r\n+CSQ: 23,99\r\n\r\nOK\r\n\r\n+CME ERROR: 10\r\nbare\nlf\n\r\nCONNECT\r\nA" +
  "\r\n+QSMTPDST: 0123456789012345678901234567890123456789\r\nOK\r";

describe("Framer", () => {
  for (const lfEnds of [false, true]) {
    const mode = lfEnds ? "CR or LF end lines" : "CR ends lines";
    it(`gives the reference lines for every single and every pair of split points (${mode})`, () => {
      const input = ascii(STREAM);
      const cap = 32;
      const ref = reference(input, cap, lfEnds);
      expect(ref.overlong).toBe(1);
      expect(ref.lines).toContain("OK");
      for (let i = 0; i <= input.length; i++) {
        expect(run(input, [i], cap, lfEnds).lines).toEqual(ref.lines);
      }
      for (let i = 0; i <= input.length; i += 1) {
        for (let j = i; j <= input.length; j += 3) {
          const got = run(input, [i, j], cap, lfEnds);
          expect(got.lines).toEqual(ref.lines);
          expect(got.overlong).toBe(ref.overlong);
        }
      }
    });

    it(`matches the reference on random bytes and random cuts (property, ${mode})`, () => {
      const alphabet = [0x0d, 0x0a, 0x00, 0x41, 0x4f, 0x4b, 0x2b, 0x20, 0xff, 0x31];
      fc.assert(
        fc.property(
          fc.array(fc.oneof(fc.constantFrom(...alphabet), fc.integer({ min: 0, max: 255 })), { maxLength: 400 }),
          fc.array(fc.nat(400), { maxLength: 20 }),
          fc.integer({ min: 8, max: 64 }),
          (bytes, cuts, cap) => {
            const input = new Uint8Array(bytes);
            const sorted = cuts.map((c) => Math.min(c, input.length)).sort((a, b) => a - b);
            const ref = reference(input, cap, lfEnds);
            const got = run(input, sorted, cap, lfEnds);
            expect(got.lines).toEqual(ref.lines);
            expect(got.overlong).toBe(ref.overlong);
          },
        ),
        { numRuns: 400, seed: 42 },
      );
    });
  }

  it("CR LF and CR-only streams frame alike; LF-only needs lfEndsLine", () => {
    const expected = ["RDY", "+CSQ: 1,2", "OK"];
    for (const s of ["\r\nRDY\r\n\r\n+CSQ: 1,2\r\n\r\nOK\r\n", "RDY\r+CSQ: 1,2\rOK\r"]) {
      expect(run(ascii(s), [], 64, false).lines).toEqual(expected);
    }
    expect(run(ascii("RDY\n+CSQ: 1,2\nOK\n"), [], 64, true).lines).toEqual(expected);
  });

  it("resyncs after an overlong line: the next OK is a line", () => {
    const input = ascii("x".repeat(1000) + "\r\nOK\r\n");
    for (const cuts of [[], [1], [500], [999], [1000], [1001]]) {
      const got = run(input, cuts, 64, false);
      expect(got.lines).toEqual(["OK"]);
      expect(got.overlong).toBe(1);
    }
  });

  it("reports a bare 'A' at a line start in ack mode, with or without a line end", () => {
    const lines: string[] = [];
    const f = new Framer(64, {
      onLine: (buf, s, n) => {
        const t = latin1(buf.subarray(s, s + n));
        lines.push(t);
        if (t === "CONNECT") f.ackMode = true;
      },
      onAck: () => lines.push("<ack>"),
    });
    const feed = (s: string): void => {
      const b = ascii(s);
      f.push(b, 0, b.length);
    };
    feed("\r\nCONNECT\r\nA"); // CONNECT followed at once by the ack, no line end
    expect(lines).toEqual(["CONNECT", "<ack>"]);
    feed("A\r\nA");
    expect(lines).toEqual(["CONNECT", "<ack>", "<ack>", "<ack>"]);
    feed("\r\n+QFUPL: 10,ab\r\n");
    expect(lines[4]).toBe("+QFUPL: 10,ab");
    f.ackMode = false;
    feed("APP RDY\r\n");
    expect(lines[5]).toBe("APP RDY");
  });
});
