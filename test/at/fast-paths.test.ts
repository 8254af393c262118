// The engine's inline receive paths (engine.ts rx()): prefixes of every length class
// (1-2 bytes, 3-4, 5-8, over 8, longer than the receive buffer), dispatch order when
// several prefixes match one line, a prefix that could start "+CME ERROR:", lines split
// at every byte, and the integer fast path against the slow path's answers.
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { AtEngine } from "../../firmware/at/engine.js";
import { LineView } from "../../firmware/at/line.js";
import { RESULT_CME, RESULT_OK, SHAPE_LINE, SHAPE_LINES } from "../../firmware/at/types.js";
import type { AtResult, Line } from "../../firmware/at/types.js";
import { bareUart } from "./support/bare-uart.js";
import { ascii } from "./support/modem.js";

interface Bare {
  engine: AtEngine;
  feed: (text: string, cut?: number) => void;
  clock: VirtualClock;
  written: string[];
}

function bare(lineBufferSize?: number, lfEndsLine?: boolean): Bare {
  const clock = new VirtualClock();
  const u = bareUart();
  const engine = new AtEngine(u.uart, clock, { settleMs: 0, lineBufferSize, lfEndsLine });
  return { engine, feed: u.feed, clock, written: u.written };
}

describe("AtEngine fast receive paths", () => {
  it("routes URCs with prefixes of every length, split at every chunk size", () => {
    const long = "+QLONGPREFIXNAME_ABCDEFGH:"; // 26 bytes: more words than the first and last
    const text =
      "\r\n+QIND: 1\r\n\r\nRDY\r\n\r\n+QSMTPPUT: 0,7\r\n" +
      `\r\n${long} 12,34\r\n\r\n+QSMTPPUX: 9\r\n\r\n+QS\r\n\r\nRD\r\n\r\n+QIURC: "pdpdeact",1\r\n`;
    for (let cut = 1; cut <= text.length; cut++) {
      const b = bare();
      const got: string[] = [];
      b.engine.onUrc(b.engine.prefix("+QIND:"), (l) => got.push(`ind ${l.int(0, -1)}`));
      b.engine.onUrc(b.engine.prefix("RDY"), () => got.push("rdy"));
      b.engine.onUrc(b.engine.prefix("+QSMTPPUT:"), (l) => got.push(`put ${l.int(0, -1)} ${l.int(1, -1)}`));
      b.engine.onUrc(b.engine.prefix(long), (l) => got.push(`long ${l.int(0, -1)} ${l.int(1, -1)}`));
      b.engine.onUrc(b.engine.prefix("+QIURC:"), (l) => got.push(`${l.str(0)}/${l.int(1, -1)}`));
      b.feed(text, cut);
      expect(got, `cut ${cut}`).toEqual(["ind 1", "rdy", "put 0 7", "long 12 34", "pdpdeact/1"]);
      expect(b.engine.stats().unknown, `cut ${cut}`).toBe(3); // +QSMTPPUX, +QS, RD
    }
  });

  it("counts every line once, whichever path takes it, split at every chunk size", () => {
    // A reply, a completing OK, a late OK, URCs, an unknown line and a late +CME ERROR:
    // stats() must say the same for every cut (the inline paths count apart from line()).
    const text = "\r\n+CSQ: 9,99\r\n\r\nOK\r\n\r\n+CEREG: 1\r\n\r\nOK\r\n\r\nJUNK\r\n\r\n+CME ERROR: 3\r\n\r\n+CEREG: 2\r\n";
    for (let cut = 1; cut <= text.length; cut++) {
      const b = bare();
      const got: string[] = [];
      const csq = b.engine.prefix("+CSQ:");
      b.engine.onUrc(b.engine.prefix("+CEREG:"), (l) => got.push(`cereg ${l.int(0, -1)}`));
      let res: AtResult | null = null;
      b.engine.send({ command: "+CSQ", shape: SHAPE_LINE, prefix: csq, timeoutMs: 1000, onLine: (l) => got.push(`csq ${l.int(0, -1)}`) }, (r) => (res = { ...r }));
      b.feed(text, cut);
      expect(res!.code, `cut ${cut}`).toBe(RESULT_OK);
      expect(got, `cut ${cut}`).toEqual(["csq 9", "cereg 1", "cereg 2"]);
      expect(b.engine.stats(), `cut ${cut}`).toEqual({ lines: 7, overlong: 0, lateFinals: 2, urcs: 2, unknown: 1, timeouts: 0 });
    }
  });

  it("a reply prefix of any length wins over a URC prefix that starts the same line", () => {
    // "+C" (shorter than three bytes: no bucket of its own), "+CE" and "+CEREG:" (the URC's
    // bucket), "+CEREG: " (longer than the URC prefix).
    for (const pfx of ["+C", "+CE", "+CEREG:", "+CEREG: "]) {
      for (const cut of [1, 2, 5, 64]) {
        const b = bare();
        const urc: string[] = [];
        const reply: string[] = [];
        b.engine.onUrc(b.engine.prefix("+CEREG:"), (l) => urc.push(l.text()));
        let res: AtResult | null = null;
        b.engine.send(
          { command: "+CEREG?", shape: SHAPE_LINES, prefix: b.engine.prefix(pfx), timeoutMs: 1000, onLine: (l) => reply.push(l.text()) },
          (r) => (res = { ...r }),
        );
        b.feed("\r\n+CEREG: 0,1\r\n\r\nOK\r\n\r\n+CEREG: 5\r\n", cut);
        expect(res!.code, `${pfx} cut ${cut}`).toBe(RESULT_OK);
        expect(reply, `${pfx} cut ${cut}`).toEqual(["+CEREG: 0,1"]);
        expect(urc, `${pfx} cut ${cut}`).toEqual(["+CEREG: 5"]); // nothing in flight any more: a URC
      }
    }
  });

  it("calls every matching handler in the classic order (short prefixes first, then registration order)", () => {
    for (const cut of [1, 3, 64]) {
      const b = bare();
      const got: string[] = [];
      b.engine.onUrc(b.engine.prefix("+CEREG:"), () => got.push("cereg"));
      b.engine.onUrc(b.engine.prefix("+CE"), () => got.push("+CE"));
      b.engine.onUrc(b.engine.prefix("+CEREG: 1"), () => got.push("cereg1"));
      b.engine.onUrc(b.engine.prefix("+"), () => got.push("+"));
      b.engine.onUrc(b.engine.prefix("+C"), () => got.push("+C"));
      b.feed("\r\n+CEREG: 1\r\n\r\n+CSQ: 3,4\r\n", cut);
      expect(got).toEqual(["+", "cereg", "+CE", "cereg1", "+C", "+", "+C"]);
    }
    // Without short prefixes the fast path keeps registration order among related ones.
    const b = bare();
    const got: string[] = [];
    b.engine.onUrc(b.engine.prefix("+CEREG: 1"), () => got.push("cereg1"));
    b.engine.onUrc(b.engine.prefix("+CSQ:"), () => got.push("csq"));
    b.engine.onUrc(b.engine.prefix("+CEREG:"), () => got.push("cereg"));
    b.feed("\r\n+CEREG: 1\r\n\r\n+CEREG: 2\r\n");
    expect(got).toEqual(["cereg1", "cereg", "cereg"]);
  });

  it("a handler may be an object (UrcTarget): its urc() is called as a method, on every path, in the same order as functions", () => {
    class Target {
      constructor(private readonly got: string[], private readonly name: string) {}
      urc(l: Line): void {
        expect(this).toBeInstanceOf(Target);
        this.got.push(`${this.name} ${l.int(0, -1)}`);
      }
    }
    // Fast path (all prefixes keyed), a chained bucket (related prefixes), and the slow path (a short prefix).
    for (const short of [false, true]) {
      for (const cut of [1, 5, 64]) {
        const b = bare();
        const got: string[] = [];
        b.engine.onUrc(b.engine.prefix("+CEREG: 1"), new Target(got, "cereg1"));
        b.engine.onUrc(b.engine.prefix("+CSQ:"), (l) => got.push(`csq ${l.int(0, -1)}`));
        b.engine.onUrc(b.engine.prefix("+CEREG:"), new Target(got, "cereg"));
        if (short) b.engine.onUrc(b.engine.prefix("+"), new Target(got, "+"));
        b.feed("\r\n+CEREG: 1\r\n\r\n+CSQ: 7,1\r\n\r\n+CEREG: 2\r\n", cut);
        const plus = (n: number) => (short ? [`+ ${n}`] : []);
        expect(got, `short ${short} cut ${cut}`).toEqual([...plus(1), "cereg1 1", "cereg 1", ...plus(7), "csq 7", ...plus(2), "cereg 2"]);
      }
    }
  });

  it("a URC prefix that could start +CME ERROR never takes a final result", () => {
    const b = bare();
    const urc: string[] = [];
    b.engine.onUrc(b.engine.prefix("+CME"), (l) => urc.push(l.text()));
    let res: AtResult | null = null;
    b.engine.send({ command: "+X", shape: 0, timeoutMs: 1000 }, (r) => (res = { ...r }));
    b.feed("\r\n+CMEX: 1\r\n\r\n+CME ERROR: 10\r\n");
    expect(urc).toEqual(["+CMEX: 1"]);
    expect(res!.code).toBe(RESULT_CME);
    expect(res!.errorCode).toBe(10);
  });

  it("a reply prefix longer than the line buffer, and a reply prefix that starts +CME, never crash or misroute", () => {
    let res: AtResult | null = null;
    for (const cut of [1, 2, 5, 100]) {
      const b = bare(16);
      const lines: string[] = [];
      const urcLines: string[] = [];
      b.engine.onUrc(b.engine.prefix("+LONG_URC_PREFIX_TOO:"), (l) => urcLines.push(l.text()));
      b.engine.send(
        { command: "+L", shape: SHAPE_LINES, prefix: b.engine.prefix("+LONGER_THAN_THE_BUFFER:"), timeoutMs: 1000, onLine: (l) => lines.push(l.text()) },
        (r) => (res = { ...r }),
      );
      b.feed("\r\n+LONGER: 1\r\n\r\n+LONG_URC: 1\r\n\r\n+LO\r\n\r\nOK\r\n", cut);
      expect(lines).toEqual([]);
      expect(urcLines).toEqual([]);
      expect(res!.code).toBe(RESULT_OK);
    }

    const c = bare();
    const got: string[] = [];
    c.engine.send({ command: "+CMEE?", shape: SHAPE_LINE, prefix: c.engine.prefix("+CME"), timeoutMs: 1000, onLine: (l) => got.push(l.text()) }, (r) => (res = { ...r }));
    c.feed("\r\n+CMEE: 1\r\n\r\n+CME ERROR: 3\r\n");
    expect(got).toEqual(["+CMEE: 1"]);
    expect(res!.code).toBe(RESULT_CME);
    expect(res!.errorCode).toBe(3);
  });

  it("the integer fast path gives the slow path's answers", () => {
    const samples = [
      "+X: 1",
      "+X:1,2",
      "+X:   12 ,  34  ",
      "+X: 1,,3",
      "+X: 1a,2",
      "+X: -5,6",
      "+X: +5,6",
      '+X: "7",8',
      '+X: 1,"a,b",9',
      "+X:",
      "+X: ",
      "+X: 1,",
      "+X: 4294967296,1",
      "+X: 0012,0",
    ];
    for (const text of samples) {
      const b = bare();
      const fast: number[] = [];
      b.engine.onUrc(b.engine.prefix("+X:"), (l) => {
        for (let i = 0; i < 4; i++) fast.push(l.int(i, -99));
        fast.push(l.int(0, -98), l.int(2, -97), l.int(1, -96));
      });
      b.feed(`\r\n${text}\r\n`);
      const buf = new Uint8Array(text.length + 8).fill(0x2c);
      buf.set(ascii(text), 2);
      const v = new LineView(buf);
      v.set(buf, 2, text.length);
      const slow: number[] = [];
      for (let i = 0; i < 4; i++) slow.push(v.int(i, -99));
      slow.push(v.int(0, -98), v.int(2, -97), v.int(1, -96));
      expect(fast, text).toEqual(slow);
    }
  });

  it("lines that end with a bare LF (lfEndsLine) take the same paths, split at every chunk size", () => {
    const text = "+CSQ: 23,99\nRDY\n\nXY\n+CSQ: 5,6\r\n";
    for (let cut = 1; cut <= text.length; cut++) {
      const b = bare(64, true);
      const got: string[] = [];
      b.engine.onUrc(b.engine.prefix("+CSQ:"), (l) => got.push(`${l.int(0, -1)}/${l.int(1, -1)}`));
      b.engine.onUrc(b.engine.prefix("RDY"), () => got.push("rdy"));
      b.feed(text, cut);
      expect(got, `cut ${cut}`).toEqual(["23/99", "rdy", "5/6"]);
      expect(b.engine.stats().unknown, `cut ${cut}`).toBe(1); // XY
    }
  });

  it("a reply line that began before its command went out is not its reply, but a URC still is", () => {
    const b = bare();
    const lines: string[] = [];
    const urcLines: string[] = [];
    b.engine.onUrc(b.engine.prefix("+CEREG:"), (l: Line) => urcLines.push(l.text()));
    b.feed("\r\n+CSQ: 1"); // partial: pending when the command goes out
    let res: AtResult | null = null;
    b.engine.send({ command: "+CSQ", shape: SHAPE_LINE, prefix: b.engine.prefix("+CSQ:"), timeoutMs: 1000, onLine: (l) => lines.push(l.text()) }, (r) => (res = { ...r }));
    b.feed(",2\r\n\r\n+CSQ: 3,4\r\n\r\nOK\r\n");
    expect(lines).toEqual(["+CSQ: 3,4"]);
    expect(res!.code).toBe(RESULT_OK);

    const c = bare();
    c.engine.onUrc(c.engine.prefix("+CEREG:"), (l: Line) => urcLines.push(l.text()));
    c.feed("\r\n+CEREG: 1");
    c.engine.send({ command: "+CSQ", shape: SHAPE_LINE, prefix: c.engine.prefix("+CSQ:"), timeoutMs: 1000, onLine: (l) => lines.push(l.text()) }, (r) => (res = { ...r }));
    c.feed(",5\r\n\r\n+CSQ: 7,8\r\n\r\nOK\r\n");
    expect(urcLines).toEqual(["+CEREG: 1,5"]);
    expect(lines).toEqual(["+CSQ: 3,4", "+CSQ: 7,8"]);
    expect(res!.code).toBe(RESULT_OK);
  });
});
