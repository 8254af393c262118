// The engine's framing (engine.ts rx(): its one receive loop, fused with classification)
// against a plain reference splitter: the same lines for every way of cutting the input
// (every split point, every pair of split points, random cuts), overlong lines dropped and
// counted, CR-only and CR LF streams alike, LF-only only with lfEndsLine.
//
// How the lines are seen: no command is in flight, the alphabet has no byte that starts a
// final result ("OK", "ERROR", "+CME ERROR:", "CONNECT", "SEND OK", "> "...), and every
// other byte that can start a line has a one-byte URC prefix of its own, so every line the
// engine frames reaches exactly one handler, whole (`Line.text()`), in order.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { VirtualClock } from "../../host-sim/clock.js";
import { AtEngine } from "../../firmware/at/engine.js";
import { bareUart } from "./support/bare-uart.js";
import { latin1 } from "./support/modem.js";

const CR = 0x0d;
const LF = 0x0a;
/** Bytes that may start a line: each gets a URC prefix. None starts a result token. */
const STARTS = [0x00, 0x41, 0x42, 0x78, 0x31, 0x20, 0xff, 0x2c, 0x3a, 0x22];
const ALPHABET = [CR, LF, ...STARTS];

/**
 * Reference framing. lfEnds: split on CR or LF. Otherwise: CR ends a line and CR/LF bytes
 * where a line would begin are skipped (an LF inside a line is kept). Empty lines are
 * dropped; lines of `capacity` bytes or more are dropped and counted.
 */
function reference(input: Uint8Array, capacity: number, lfEnds: boolean, open = false): { lines: string[]; overlong: number } {
  const lines: string[] = [];
  let overlong = 0;
  let cur: number[] = [];
  const flush = (): void => {
    if (cur.length >= capacity) overlong++;
    else if (cur.length > 0) lines.push(latin1(new Uint8Array(cur)));
    cur = [];
  };
  for (const b of input) {
    if (b === CR || (lfEnds && b === LF)) flush();
    else if (b === LF && cur.length === 0) continue;
    else cur.push(b);
  }
  // An unterminated tail is not a line, unless the caller's wait ended (`open`: takeOpenLine);
  // if it is already too long it has been dropped.
  if (cur.length >= capacity) overlong++;
  else if (open && cur.length > 0) lines.push(latin1(new Uint8Array(cur)));
  return { lines, overlong };
}

/** The engine's lines for `input` delivered in pieces cut at `cuts` (each piece at an offset in a scratch array, scribbled over afterwards). */
function run(input: Uint8Array, cuts: number[], capacity: number, lfEnds: boolean, open = false): { lines: string[]; overlong: number; total: number } {
  const u = bareUart();
  const engine = new AtEngine(u.uart, new VirtualClock(), { settleMs: 0, lineBufferSize: capacity, lfEndsLine: lfEnds });
  const lines: string[] = [];
  for (const b of STARTS) engine.onUrc(engine.prefix(String.fromCharCode(b)), (l) => lines.push(l.text()));
  const sink = u.sink()!;
  let p = 0;
  for (const c of [...cuts, input.length]) {
    if (c < p) continue;
    const scratch = new Uint8Array(c - p + 4);
    scratch.set(input.subarray(p, c), 2);
    sink.onBytes(scratch, 2, 2 + (c - p));
    scratch.fill(CR);
    expect(engine.pendingBytes()).toBeLessThanOrEqual(capacity);
    p = c;
  }
  if (open) engine.takeOpenLine();
  const s = engine.stats();
  return { lines, overlong: s.overlong, total: s.lines };
}

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const STREAM = "\r\nAB\r\n\x00\x00\xff\r\nA1\r\r\nx: 23,99\r\n\r\n1\r\n\r\n,\r\nBare\nAlf\n\r\nA\r\n:" + "1".repeat(40) + "\r\nB\r";

describe("the engine's framing (engine.ts rx())", () => {
  for (const lfEnds of [false, true]) {
    const mode = lfEnds ? "CR or LF end lines" : "CR ends lines";
    it(`gives the reference lines for every single and every pair of split points (${mode})`, () => {
      const input = bytes(STREAM);
      const cap = 32;
      const ref = reference(input, cap, lfEnds);
      expect(ref.overlong).toBe(1);
      expect(ref.lines).toContain("AB");
      for (let i = 0; i <= input.length; i++) {
        const got = run(input, [i], cap, lfEnds);
        expect(got.lines, `cut ${i}`).toEqual(ref.lines);
        expect(got.overlong, `cut ${i}`).toBe(ref.overlong);
        expect(got.total).toBe(ref.lines.length);
      }
      for (let i = 0; i <= input.length; i++) {
        for (let j = i; j <= input.length; j += 3) {
          const got = run(input, [i, j], cap, lfEnds);
          expect(got.lines, `cuts ${i}, ${j}`).toEqual(ref.lines);
          expect(got.overlong, `cuts ${i}, ${j}`).toBe(ref.overlong);
        }
      }
    });

    it(`matches the reference on random bytes and random cuts (property, ${mode})`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(...ALPHABET), { maxLength: 400 }),
          fc.array(fc.nat(400), { maxLength: 20 }),
          fc.integer({ min: 8, max: 64 }),
          (list, cuts, cap) => {
            const input = new Uint8Array(list);
            const sorted = cuts.map((c) => Math.min(c, input.length)).sort((a, b) => a - b);
            const ref = reference(input, cap, lfEnds);
            const got = run(input, sorted, cap, lfEnds);
            expect(got.lines).toEqual(ref.lines);
            expect(got.overlong).toBe(ref.overlong);
            expect(got.total).toBe(ref.lines.length);
          },
        ),
        { numRuns: 400, seed: 42 },
      );
    });
  }

  it("a line left open ends when the caller's wait ends (takeOpenLine), however the input was cut; nothing else changes (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...ALPHABET), { maxLength: 200 }),
        fc.array(fc.nat(200), { maxLength: 12 }),
        fc.integer({ min: 8, max: 64 }),
        fc.boolean(),
        (list, cuts, cap, lfEnds) => {
          const input = new Uint8Array(list);
          const sorted = cuts.map((c) => Math.min(c, input.length)).sort((a, b) => a - b);
          const ref = reference(input, cap, lfEnds, true);
          const got = run(input, sorted, cap, lfEnds, true);
          expect(got.lines).toEqual(ref.lines);
          expect(got.overlong).toBe(ref.overlong);
        },
      ),
      { numRuns: 400, seed: 7 },
    );
    // The case of the send's result whose CR was lost: its LF stays in the line (a reply's fields leave it out).
    expect(run(bytes("\r\nA1\r\n\r\nB: 0,0\n"), [], 64, false, true).lines).toEqual(["A1", "B: 0,0\n"]);
    expect(run(bytes("\r\nA1\r\n\r\nB: 0,0\n"), [], 64, false, false).lines).toEqual(["A1"]);
  });

  it("CR LF and CR-only streams frame alike; LF-only needs lfEndsLine", () => {
    const expected = ["AB", "x: 1,2", "B"];
    for (const s of ["\r\nAB\r\n\r\nx: 1,2\r\n\r\nB\r\n", "AB\rx: 1,2\rB\r"]) {
      expect(run(bytes(s), [], 64, false).lines).toEqual(expected);
    }
    expect(run(bytes("AB\nx: 1,2\nB\n"), [], 64, false).lines).toEqual([]); // no CR: no line has ended
    expect(run(bytes("AB\nx: 1,2\nB\n"), [], 64, true).lines).toEqual(expected);
  });

  it("resyncs after an overlong line: the next line is whole", () => {
    const input = bytes("x".repeat(1000) + "\r\nA1\r\n");
    for (const cuts of [[], [1], [500], [999], [1000], [1001]]) {
      const got = run(input, cuts, 64, false);
      expect(got.lines).toEqual(["A1"]);
      expect(got.overlong).toBe(1);
    }
  });
});
