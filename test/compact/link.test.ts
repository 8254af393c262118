// The compact profile's AT link (firmware/compact/link.ts) against DESIGN.md section 5,
// every case that applies to a link with one command at a time and no queue.
//
// Each scenario runs once per way of cutting what the module sends: all at once, byte by
// byte, split at every byte position, fixed sizes and seeded random chunks. Every chunk
// is handed over from a scratch buffer at a moving offset, with LF bytes right after
// the chunk's end and the buffer scribbled over after the call, so a link that reads
// past `stop` or keeps a reference instead of copying gives a different transcript. The
// transcript (lines routed, ends with their virtual time, bytes written, in order) must
// be the same for every cut, and equal to the one written down in the test.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createAtLink, type AtLink, type LineHandler } from "../../firmware/compact/link.js";
import { createByteFraming } from "../../firmware/compact/frame-bytes.js";
import { createTextFraming } from "../../firmware/platform/espruino/frame-text.js";
import { textPort } from "../../host-sim/espruino/text-port.js";
import { E_AT_ERROR, E_CANCELLED, E_NO_CARRIER, E_TIMEOUT } from "../../firmware/errors.js";
import type { Uart, UartSink } from "../../firmware/platform/types.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { bareUart } from "../at/support/bare-uart.js";
import { ascii, latin1, prng } from "../at/support/modem.js";

// --- a Uart with a small transmit FIFO ------------------------------------------------

interface TestUart {
  uart: Uart;
  sink(): UartSink;
  /** Every byte the link wrote, in order. */
  out(): string;
  /** The FIFO drained: room again, and onWritable, until the link writes nothing more. Returns the onWritable calls. */
  drain(): number;
  /** Called with each accepted piece (the transcript records writes in order with events). */
  onWrite: ((text: string) => void) | null;
}

/** `room` bytes of FIFO: a write takes what fits; more only after drain(). */
function testUart(room = Infinity): TestUart {
  let sink: UartSink | null = null;
  let out = "";
  let free = room;
  const t: TestUart = {
    uart: {
      attach: (s) => (sink = s),
      write: (d, s, e) => {
        const k = Math.min(free, e - s);
        if (k <= 0) return 0;
        free -= k;
        const text = latin1(d.subarray(s, s + k));
        out += text;
        if (t.onWrite) t.onWrite(text);
        return k;
      },
      close: () => {},
    },
    sink: () => sink as UartSink,
    out: () => out,
    drain: () => {
      let calls = 0;
      for (;;) {
        const before = out.length;
        free = room;
        calls++;
        sink!.onWritable();
        if (out.length === before) return calls;
      }
    },
    onWrite: null,
  };
  return t;
}

// --- cutting and delivering ------------------------------------------------------------

interface Way {
  name: string;
  /** Chunk lengths for a delivery of n bytes. */
  cut(n: number): number[];
}

function ways(maxLen: number, seeds = 10): Way[] {
  const out: Way[] = [
    { name: "all", cut: (n) => (n > 0 ? [n] : []) },
    { name: "bytes", cut: (n) => new Array<number>(n).fill(1) },
  ];
  for (const size of [2, 3, 5, 7, 13]) {
    out.push({
      name: `fixed${size}`,
      cut: (n) => {
        const c: number[] = [];
        for (let i = 0; i < n; i += size) c.push(Math.min(size, n - i));
        return c;
      },
    });
  }
  for (let at = 1; at < maxLen; at++) out.push({ name: `split@${at}`, cut: (n) => (at < n ? [at, n - at] : n > 0 ? [n] : []) });
  for (let s = 1; s <= seeds; s++) {
    out.push({
      name: `random#${s}`,
      cut: (n) => {
        const r = prng(s * 7919 + n);
        const c: number[] = [];
        let left = n;
        while (left > 0) {
          const k = Math.min(left, 1 + Math.floor(r() * 12));
          c.push(k);
          left -= k;
        }
        return c;
      },
    });
  }
  return out;
}

const scratch = new Uint8Array(16384);
let shift = 0;

/** Hand `bytes` to the sink in the chunks of `cuts`, each from the scratch buffer (see the header). */
function deliver(sink: UartSink, bytes: Uint8Array, cuts: number[]): void {
  let at = 0;
  for (const k of cuts) {
    const off = 1 + (shift++ % 7);
    // Line ends around the chunk that are not there: LF right after it, or one byte later.
    scratch.fill(0x0a, 0, off + k + 16);
    if (shift & 1) scratch[off + k] = 0x4b;
    scratch.set(bytes.subarray(at, at + k), off);
    sink.onBytes(scratch, off, off + k);
    scratch.fill(0x4f, 0, off + k + 16); // 'O': what the link kept by reference turns into O's
    at += k;
  }
}

// --- the transcript ----------------------------------------------------------------------

/** Printable form of the current line. */
function show(l: AtLink): string {
  return esc(l.text(0, 0));
}

function esc(s: string): string {
  let o = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    o += c >= 0x20 && c < 0x7f ? s.charAt(i) : c === 0x0d ? "\\r" : c === 0x0a ? "\\n" : "\\x" + (c + 0x100).toString(16).substring(1);
  }
  return o;
}

interface Run {
  clock: VirtualClock;
  t: TestUart;
  link: AtLink;
  /** What happened, in order: "info:..", "urc:..", "end:<code>@<ms>", "w:<bytes written>". */
  ev: string[];
  /** Deliver text from the module (cut by the current way). */
  feed(text: string): void;
  /** link.send with a recording info handler (or `info`) and a recording end handler. */
  send(command: string, prefix: string, timeoutMs?: number, payload?: Uint8Array | null, info?: LineHandler, then?: (code: number) => void): boolean;
}

function makeRun(way: Way, room: number, lens: number[], text = false): Run {
  const clock = new VirtualClock();
  const t = testUart(room);
  const link = createAtLink(text ? createTextFraming(textPort(t.uart)) : createByteFraming(t.uart), clock);
  const ev: string[] = [];
  t.onWrite = (text) => {
    const last = ev.length - 1;
    if (last >= 0 && ev[last].startsWith("w:")) ev[last] += esc(text);
    else ev.push("w:" + esc(text));
  };
  link.onUrc = (l) => ev.push("urc:" + show(l));
  const r: Run = {
    clock,
    t,
    link,
    ev,
    feed(text) {
      const b = ascii(text);
      lens.push(b.length);
      deliver(t.sink(), b, way.cut(b.length));
    },
    send(command, prefix, timeoutMs = 1000, payload = null, info, then) {
      return link.send(command, prefix, timeoutMs, payload, info ?? ((l) => ev.push("info:" + show(l))), (code) => {
        ev.push(`end:${code}@${clock.now()}`);
        if (then) then(code);
      });
    },
  };
  return r;
}

/**
 * Run `script` for every way of cutting its deliveries, over the byte framing (XS, Node)
 * and over Espruino's text framing; return the transcript, which must be the same for
 * all of them. `room`: the Uart's FIFO size.
 */
function everyWay(script: (r: Run) => void, room = Infinity): string[] {
  const lens: number[] = [];
  const first = makeRun(ways(0)[0], room, lens);
  script(first);
  const max = Math.max(1, ...lens);
  for (const way of ways(max)) {
    for (const text of [false, true]) {
      const r = makeRun(way, room, [], text);
      script(r);
      expect(r.ev, `cut ${way.name}${text ? ", text framing" : ""}`).toEqual(first.ev);
    }
  }
  return first.ev;
}

// --- final results -----------------------------------------------------------------------

describe("final results end the command with their code", () => {
  const finals: Array<[string, number]> = [
    ["OK", 0],
    ["ERROR", E_AT_ERROR],
    ["+CME ERROR: 14", 14],
    ["+CME ERROR: 3", 3],
    ["+CME ERROR:10", 10],
    ["+CMS ERROR: 305", 305],
    ["+CME ERROR: SIM busy", E_AT_ERROR], // text form (AT+CMEE=2): no number, still an error
    ["NO CARRIER", E_NO_CARRIER],
  ];
  for (const [final, code] of finals) {
    for (const echo of [false, true]) {
      it(`${final} (echo ${echo ? "on" : "off"})`, () => {
        const ev = everyWay((r) => {
          expect(r.send("+CPIN?", "+CPIN:")).toBe(true);
          r.clock.advance(10);
          r.feed((echo ? "AT+CPIN?\r" : "") + `\r\n${final}\r\n`);
          r.clock.advance(5000); // no timeout after the end
        });
        expect(ev).toEqual(["w:AT+CPIN?\\r", `end:${code}@10`]);
      });
    }
  }

  it("a final result ends the command once: the timer is gone, later lines are unsolicited", () => {
    const ev = everyWay((r) => {
      r.send("", "");
      r.feed("\r\nOK\r\n\r\nOK\r\n\r\nERROR\r\n");
      expect(r.link.busy()).toBe(false);
      expect(r.clock.pendingTimers()).toBe(0);
      r.clock.advance(2000);
    });
    expect(ev).toEqual(["w:AT\\r", "end:0@0", "urc:OK", "urc:ERROR"]);
  });

  it("with no command running, final results are unsolicited lines", () => {
    const ev = everyWay((r) => r.feed("\r\nOK\r\n\r\n+CME ERROR: 14\r\n\r\nNO CARRIER\r\n\r\nERROR\r\n"));
    expect(ev).toEqual(["urc:OK", "urc:+CME ERROR: 14", "urc:NO CARRIER", "urc:ERROR"]);
  });

  it("a line that only begins like a final is not one", () => {
    const ev = everyWay((r) => {
      r.send("+CSQ", "+CSQ:");
      r.feed("\r\nOKAY\r\n\r\nOK \r\n\r\n ERROR\r\n\r\nERRORS\r\n\r\nNO CARRIERS\r\n\r\nCONNECT\r\n");
      expect(r.link.busy()).toBe(true);
      r.feed("\r\nOK\r\n");
    });
    expect(ev).toEqual(["w:AT+CSQ\\r", "urc:OKAY", "urc:OK ", "urc: ERROR", "urc:ERRORS", "urc:NO CARRIERS", "urc:CONNECT", "end:0@0"]);
  });
});

// --- information lines and URCs ------------------------------------------------------------

describe("information lines go to the command by prefix; every other line is unsolicited", () => {
  it("one information line, with its fields", () => {
    const seen: number[] = [];
    const ev = everyWay((r) => {
      seen.length = 0;
      r.send("+CSQ", "+CSQ:", 300, null, (l) => {
        seen.push(l.int(0), l.int(1), l.int(2));
        r.ev.push("info:" + show(l));
      });
      r.feed("\r\n+CSQ: 23,99\r\n\r\nOK\r\n");
    });
    expect(ev).toEqual(["w:AT+CSQ\\r", "info:+CSQ: 23,99", "end:0@0"]);
    expect(seen).toEqual([23, 99, NaN]);
  });

  it("several information lines, then OK", () => {
    const ev = everyWay((r) => {
      r.send("+QIACT?", "+QIACT:");
      r.feed('\r\n+QIACT: 1,1,1,"10.0.0.2"\r\n\r\n+QIACT: 2,1,1,"10.0.0.3"\r\n\r\nOK\r\n');
    });
    expect(ev).toEqual(["w:AT+QIACT?\\r", 'info:+QIACT: 1,1,1,"10.0.0.2"', 'info:+QIACT: 2,1,1,"10.0.0.3"', "end:0@0"]);
  });

  it("with an empty prefix every line of the command is unsolicited", () => {
    const ev = everyWay((r) => {
      r.send("E0", "");
      r.feed("\r\n+CSQ: 1,2\r\n\r\nOK\r\n");
    });
    expect(ev).toEqual(["w:ATE0\\r", "urc:+CSQ: 1,2", "end:0@0"]);
  });

  it("a command without an info handler drops its information lines (they are not URCs)", () => {
    const ev = everyWay((r) => {
      r.link.send("+CSQ", "+CSQ:", 1000, null, null, (code) => r.ev.push("end:" + code));
      r.feed("\r\n+CSQ: 1,2\r\n\r\nOK\r\n");
    });
    expect(ev).toEqual(["w:AT+CSQ\\r", "end:0"]);
  });

  it("URCs before, during (before the reply, between reply and OK) and after a command", () => {
    const ev = everyWay((r) => {
      r.feed('\r\n+QIURC: "pdpdeact",1\r\n');
      r.send("+CSQ", "+CSQ:");
      r.feed("\r\n+CEREG: 5\r\n\r\n+CSQ: 20,99\r\n\r\n+QSMTPPUT: 0,0\r\n\r\nOK\r\n\r\nRDY\r\n");
      r.feed('\r\n+QIURC: "pdpdeact",1\r\n');
    });
    expect(ev).toEqual([
      'urc:+QIURC: "pdpdeact",1',
      "w:AT+CSQ\\r",
      "urc:+CEREG: 5",
      "info:+CSQ: 20,99",
      "urc:+QSMTPPUT: 0,0",
      "end:0@0",
      "urc:RDY",
      'urc:+QIURC: "pdpdeact",1',
    ]);
  });

  it("a URC with the reply's prefix reaches the info handler (the caller tells it by its fields)", () => {
    const stats: number[] = [];
    const ev = everyWay((r) => {
      stats.length = 0;
      r.send("+CEREG?", "+CEREG:", 1000, null, (l) => {
        stats.push(l.int(1));
        r.ev.push("info:" + show(l));
      });
      r.feed("\r\n+CEREG: 1\r\n\r\n+CEREG: 0,5\r\n\r\nOK\r\n");
    });
    expect(ev).toEqual(["w:AT+CEREG?\\r", "info:+CEREG: 1", "info:+CEREG: 0,5", "end:0@0"]);
    expect(stats).toEqual([NaN, 5]);
  });

  it("the +QSMTPPUT URC in the same read as the OK of AT+QSMTPPUT: OK ends the command, the URC follows as unsolicited", () => {
    const ev = everyWay((r) => {
      r.send("+QSMTPPUT=300", "+QSMTPPUT:");
      r.feed("\r\nOK\r\n\r\n+QSMTPPUT: 0,0\r\n");
    });
    expect(ev).toEqual(["w:AT+QSMTPPUT=300\\r", "end:0@0", "urc:+QSMTPPUT: 0,0"]);
  });

  it("many lines in one read, and a command started from the end handler gets the rest", () => {
    const ev = everyWay((r) => {
      r.send("+CSQ", "+CSQ:", 1000, null, undefined, () => {
        expect(r.link.busy()).toBe(false);
        expect(r.send("+CCLK?", "+CCLK:")).toBe(true);
      });
      r.feed('\r\n+CSQ: 9,9\r\n\r\nOK\r\n\r\n+CCLK: "26/11/23,14:05:11+32"\r\n\r\nOK\r\n\r\nOK\r\n');
    });
    expect(ev).toEqual(["w:AT+CSQ\\r", "info:+CSQ: 9,9", "end:0@0", "w:AT+CCLK?\\r", 'info:+CCLK: "26/11/23,14:05:11+32"', "end:0@0", "urc:OK"]);
  });
});

// --- framing -------------------------------------------------------------------------------

describe("framing", () => {
  it("echo lines are skipped, whether a command runs or not", () => {
    const ev = everyWay((r) => {
      r.feed("AT\r\r\n");
      r.send("+CMEE=1", "");
      r.feed("AT+CMEE=1\r\r\nOK\r\n");
      r.send("+CSQ", "+CSQ:");
      r.feed("AT+CSQ\r\r\n+CSQ: 1,99\r\n\r\nOK\r\n");
    });
    expect(ev).toEqual(["w:AT+CMEE=1\\r", "end:0@0", "w:AT+CSQ\\r", "info:+CSQ: 1,99", "end:0@0"]);
  });

  it("repeated echoes of unanswered probes are one skipped line", () => {
    const ev = everyWay((r) => {
      r.send("", "", 1000);
      r.feed("AT\r");
      r.clock.advance(1000);
      r.send("", "", 1000);
      r.feed("AT\r\r\nOK\r\n");
    });
    expect(ev).toEqual(["w:AT\\r", `end:${E_TIMEOUT}@1000`, "w:AT\\r", "end:0@1000"]);
  });

  it("empty lines are skipped (CR LF CR LF, lone LFs, lone CRs)", () => {
    const ev = everyWay((r) => {
      r.send("", "");
      r.feed("\r\n\r\n\n\n\r\r\n\r\n\r\nOK\r\n\r\n\r\n");
    });
    expect(ev).toEqual(["w:AT\\r", "end:0@0"]);
  });

  it("LF-only line ends frame like CR LF", () => {
    const crlf = everyWay((r) => {
      r.feed("\r\n+CEREG: 1\r\n");
      r.send("+CSQ", "+CSQ:");
      r.feed("\r\n+CSQ: 4,99\r\n\r\nOK\r\n");
    });
    const lf = everyWay((r) => {
      r.feed("\n+CEREG: 1\n");
      r.send("+CSQ", "+CSQ:");
      r.feed("\n+CSQ: 4,99\n\nOK\n");
    });
    expect(lf).toEqual(crlf);
    expect(lf).toEqual(["urc:+CEREG: 1", "w:AT+CSQ\\r", "info:+CSQ: 4,99", "end:0@0"]);
  });

  it("a lone CR ends a line at once, as the full engine frames lines: its LF may be lost (and after CONNECT nothing else comes)", () => {
    const ev = everyWay((r) => {
      r.send("", "");
      r.feed("OK\r");
      expect(r.link.busy()).toBe(false); // the line has ended: its LF is not waited for
      r.feed("\n");
    });
    expect(ev).toEqual(["w:AT\\r", "end:0@0"]);
    // The LF after "+CSQ: 1,2" lost: two lines all the same, and the command ends with its OK.
    const cut = everyWay((r) => {
      r.send("", "");
      r.feed("+CSQ: 1,2\rOK\r\n");
      r.feed("\r\nOK\r\n");
    });
    expect(cut).toEqual(["w:AT\\r", "urc:+CSQ: 1,2", "end:0@0", "urc:OK"]);
  });

  it("every CR ends a line: trailing CRs and a CR in front leave the line as it is", () => {
    const ev = everyWay((r) => r.feed("\r\nRDY\r\r\n\r\nRDY\r\n\r\n\rRDY\r\n"));
    expect(ev).toEqual(["urc:RDY", "urc:RDY", "urc:RDY"]);
  });

  it("garbage and NUL bytes at power-up, then RDY", () => {
    const ev = everyWay((r) => r.feed("\x00\xff\x00\xfe\x80\r\n\r\nRDY\r\n\x00\r\n"));
    expect(ev).toEqual(["urc:\\x00\\xff\\x00\\xfe\\x80", "urc:RDY", "urc:\\x00"]);
  });

  it("a line of 255 bytes (plus CR) is kept whole", () => {
    const long = "+X: " + "y".repeat(251);
    expect(long.length).toBe(255);
    const ev = everyWay((r) => r.feed(`\r\n${long}\r\n\r\nRDY\r\n`));
    expect(ev).toEqual([`urc:${long}`, "urc:RDY"]);
  });

  for (const size of [257, 300, 1000, 5000]) {
    it(`an overlong line (${size} bytes) is dropped, and the line after it is intact`, () => {
      const junk = "+Z: " + "q".repeat(size - 6) + "OK"; // ends like a final, must not act as one
      const ev = everyWay((r) => {
        r.send("+CSQ", "+CSQ:");
        r.feed(`\r\n${junk}\r\nOK\r\n`);
      });
      expect(ev).toEqual(["w:AT+CSQ\\r", "end:0@0"]);
    });
  }

  it("an overlong line does not corrupt the next line, even in the same chunk, nor a URC after it", () => {
    const ev = everyWay((r) => {
      r.feed("x".repeat(600) + "\n+CEREG: 1\r\n" + "z".repeat(300) + "\r\n" + '+QIURC: "pdpdeact",1\r\n');
      r.send("", "");
      r.feed("w".repeat(400) + "\nOK\r\n");
    });
    expect(ev).toEqual(["urc:+CEREG: 1", 'urc:+QIURC: "pdpdeact",1', "w:AT\\r", "end:0@0"]);
  });

  it("splits inside CR LF and inside +CME ER|ROR give the same result", () => {
    const ev = everyWay((r) => {
      r.send("+CPIN?", "+CPIN:");
      r.feed("\r");
      r.feed("\n+CME ER");
      r.feed("ROR: 14\r");
      r.feed("\n");
    });
    expect(ev).toEqual(["w:AT+CPIN?\\r", "end:14@0"]);
  });
});

// --- the echo check ----------------------------------------------------------------------------

describe("the echo check (echoed(), echo)", () => {
  /** `command` sent and answered with `reply`, then its deadline passed when `late`; the end and the echo check. */
  const tryOnce = (r: Run, command: string, reply: string, late = false) => {
    r.send(command, "", 1000, null, undefined, () => r.ev.push(`echoed:${r.link.echoed()} echo:${r.link.echo}`));
    if (reply) r.feed(reply);
    if (late) r.clock.advance(1000);
  };

  it("the echoes of tries whose answers were lost end in CR and come in front of the answer: each is a line of its own, and the last one counts (issue 12, split 1)", () => {
    const ev = everyWay((r) => {
      r.link.echo = true;
      const cmd = '+QSMTPCFG="account","u","p"';
      // Each try's echo comes after its deadline (a slow module): it is read when it comes, with
      // no command in flight, as the full engine reads it at its CR. The third try's own echo
      // comes in front of its answer.
      tryOnce(r, cmd, "", true);
      r.feed(`AT${cmd}\r`);
      tryOnce(r, cmd, "", true);
      r.feed(`AT${cmd}\r`);
      tryOnce(r, cmd, `AT${cmd}\r\r\nOK\r\n`);
    });
    expect(ev.filter((e) => !e.startsWith("w:"))).toEqual([
      // No echo by the deadline: garbled, and echo counts as gone (as for the full engine).
      `end:${E_TIMEOUT}@1000`, "echoed:false echo:false",
      // The first try's late echo came between the tries: the second try saw none by its deadline,
      // and echo still counts as gone, so that is no garbled answer.
      `end:${E_TIMEOUT}@2000`, "echoed:true echo:false",
      "end:0@2000", "echoed:true echo:true",
    ]);
  });

  it("an echo whose answer never came, and an OK whose LF was lost, are read at their CR, as the full engine reads them", () => {
    const ev = everyWay((r) => {
      r.link.echo = true;
      tryOnce(r, "+CSQ", "AT+CSQ\r", true);
      tryOnce(r, "+CSQ", "AT+CSQ\r\r\nOK\r", true); // OK's LF lost: its CR ends it
    });
    expect(ev.filter((e) => !e.startsWith("w:"))).toEqual([`end:${E_TIMEOUT}@1000`, "echoed:true echo:true", "end:0@1000", "echoed:true echo:true"]);
  });

  it("an echo is a match only alone or after CR: other text before it, a lost CR, a changed byte are not", () => {
    for (const [echo, ok] of [
      ["AT+CSQ", true],
      ["AT+X\rAT+CSQ", true],
      ["XAT+CSQ", false],
      ["AT+CSQAT+CSQ", false], // the CR of a try was lost: the module took one line of both
      ["AT+CSR", false],
      ["T+CSQ", false],
      ["\rT+CSQ", false],
      ["AT+CSQ ", false],
    ] as const) {
      const ev = everyWay((r) => {
        r.link.echo = true;
        tryOnce(r, "+CSQ", `${echo}\r\r\nOK\r\n`);
      });
      // A line that does not start with "AT" is no echo at all: echo has gone (not a garbled one).
      expect(ev[ev.length - 1], JSON.stringify(echo)).toBe(`echoed:${ok} echo:${echo.startsWith("AT")}`);
    }
  });

  it("a command that ends with no echo, by a result or by its deadline, is reported once; then echo is not expected until one comes (issue 12, split 2)", () => {
    const ev = everyWay((r) => {
      r.link.echo = true;
      tryOnce(r, "+CSQ", "", true); // echo gone, and the answer lost
      tryOnce(r, "+CSQ", "\r\nOK\r\n"); // correct, without echo: not garbled
      tryOnce(r, "+CREG?", "AT+CREG?\r\r\nOK\r\n"); // echo back
      tryOnce(r, "+CSQ", "\r\nOK\r\n"); // none while known on: reported once
      tryOnce(r, "+CSQ", "\r\nOK\r\n");
    });
    expect(ev.filter((e) => !e.startsWith("w:"))).toEqual([
      `end:${E_TIMEOUT}@1000`, "echoed:false echo:false",
      "end:0@1000", "echoed:true echo:false",
      "end:0@1000", "echoed:true echo:true",
      "end:0@1000", "echoed:false echo:false",
      "end:0@1000", "echoed:true echo:false",
    ]);
  });
});

// --- timeouts, late finals, cancel ------------------------------------------------------------

describe("deadlines", () => {
  it("no final result: E_TIMEOUT at the deadline, not before; URCs do not extend it", () => {
    const ev = everyWay((r) => {
      r.send("+CSQ", "+CSQ:", 1000);
      for (let i = 0; i < 3; i++) {
        r.clock.advance(300);
        r.feed("\r\n+CEREG: 1\r\n");
      }
      r.feed("\r\n+CSQ: 5,5\r\n");
      r.clock.advance(99);
      expect(r.link.busy()).toBe(true);
      r.clock.advance(1);
      expect(r.link.busy()).toBe(false);
      expect(r.clock.pendingTimers()).toBe(0);
    });
    expect(ev).toEqual(["w:AT+CSQ\\r", "urc:+CEREG: 1", "urc:+CEREG: 1", "urc:+CEREG: 1", "info:+CSQ: 5,5", `end:${E_TIMEOUT}@1000`]);
  });

  it("a late final after a timeout is unsolicited, and the next command ends only with its own final", () => {
    const ev = everyWay((r) => {
      r.send("+QSMTPSUB=0,\"x\"", "", 300);
      r.clock.advance(300);
      r.feed("\r\nOK\r\n"); // the late OK of AT+QSMTPSUB: nobody waits for it
      r.feed("\r\n+CME ERROR: 3\r\n"); // and another late one
      r.clock.advance(50);
      r.send("+CSQ", "+CSQ:", 300);
      r.clock.advance(100);
      expect(r.link.busy()).toBe(true);
      r.feed("\r\n+CSQ: 7,99\r\n\r\nOK\r\n");
      r.clock.advance(1000);
    });
    expect(ev).toEqual([
      'w:AT+QSMTPSUB=0,"x"\\r',
      `end:${E_TIMEOUT}@300`,
      "urc:OK",
      "urc:+CME ERROR: 3",
      "w:AT+CSQ\\r",
      "info:+CSQ: 7,99",
      "end:0@450",
    ]);
  });

  it("the end handler runs once per command, even when the timeout and a final meet", () => {
    const ev = everyWay((r) => {
      r.send("", "", 100);
      r.clock.advance(100);
      r.feed("\r\nOK\r\n");
      r.send("", "", 100);
      r.feed("\r\nOK\r\n");
      r.clock.advance(100);
    });
    expect(ev.filter((e) => e.startsWith("end:"))).toEqual([`end:${E_TIMEOUT}@100`, "end:0@100"]);
  });

  it("cancel() ends the running command with E_CANCELLED at once; its final comes later as unsolicited", () => {
    const ev = everyWay((r) => {
      r.send("+QIACT=1", "+QIACT:", 155000);
      r.clock.advance(20);
      r.link.cancel();
      expect(r.link.busy()).toBe(false);
      expect(r.clock.pendingTimers()).toBe(0);
      r.link.cancel(); // nothing running: nothing happens
      r.feed("\r\nOK\r\n");
      r.clock.advance(200000);
    });
    expect(ev).toEqual(["w:AT+QIACT=1\\r", `end:${E_CANCELLED}@20`, "urc:OK"]);
  });

  it("cancel() from a URC handler ends the command; lines after it in the same read are unsolicited", () => {
    const ev = everyWay((r) => {
      r.link.onUrc = (l) => {
        r.ev.push("urc:" + show(l));
        if (l.is("RDY")) r.link.cancel();
      };
      r.send("+CSQ", "+CSQ:");
      r.feed("\r\nRDY\r\n\r\n+CSQ: 1,1\r\n\r\nOK\r\n");
    });
    expect(ev).toEqual(["w:AT+CSQ\\r", "urc:RDY", `end:${E_CANCELLED}@0`, "urc:+CSQ: 1,1", "urc:OK"]);
  });
});

// --- writing ---------------------------------------------------------------------------------

describe("writing commands", () => {
  it("send() while a command runs returns false and writes nothing; the running command is unaffected", () => {
    const ev = everyWay((r) => {
      expect(r.send("+CSQ", "+CSQ:")).toBe(true);
      expect(r.link.busy()).toBe(true);
      expect(r.send("+CCLK?", "+CCLK:", 1000, ascii("x"))).toBe(false);
      expect(r.link.written).toBe(1);
      r.feed("\r\n+CSQ: 1,1\r\n\r\nOK\r\n");
      expect(r.send("+CCLK?", "+CCLK:")).toBe(true);
      expect(r.link.written).toBe(2);
    });
    expect(ev).toEqual(["w:AT+CSQ\\r", "info:+CSQ: 1,1", "end:0@0", "w:AT+CCLK?\\r"]);
  });

  it("a command longer than the transmit buffer is refused whole, and the link stays free", () => {
    const clock = new VirtualClock();
    const u = bareUart();
    const link = createAtLink(createByteFraming(u.uart), clock);
    expect(link.send("+QSMTPSUB=1," + "4".repeat(600), "", 1000, null, null, () => {})).toBe(false);
    expect(u.written).toEqual([]);
    expect(link.busy()).toBe(false);
    expect(link.written).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
    const fits = "+X=" + "a".repeat(554); // 557 + "AT" + CR = 560 bytes
    expect(link.send(fits, "", 1000, null, null, () => {})).toBe(true);
    expect(u.written.join("")).toBe("AT" + fits + "\r");
  });

  it("a command goes out whole through a Uart that takes 3 bytes at a time (the rest from onWritable)", () => {
    const t = testUart(3);
    const clock = new VirtualClock();
    const link = createAtLink(createByteFraming(t.uart), clock);
    const cmd = '+QSMTPCFG="account","user@example.com","secret"';
    const ends: number[] = [];
    link.send(cmd, "", 1000, null, null, (c) => ends.push(c));
    expect(t.out()).toBe("AT+");
    const calls = t.drain();
    expect(calls).toBeGreaterThan(10);
    expect(t.out()).toBe("AT" + cmd + "\r");
    t.sink().onWritable(); // nothing left: nothing written
    expect(t.out()).toBe("AT" + cmd + "\r");
    expect(ends).toEqual([]);
  });

  it("written counts commands", () => {
    const clock = new VirtualClock();
    const u = bareUart();
    const link = createAtLink(createByteFraming(u.uart), clock);
    for (let i = 0; i < 5; i++) {
      link.send("", "", 10, null, null, () => {});
      clock.advance(10);
    }
    expect(link.written).toBe(5);
  });
});

// --- data mode ---------------------------------------------------------------------------------

describe("data mode: CONNECT, then exactly the payload", () => {
  const body = "Hello\r\nOK\r\nERROR\r\n+++\nbare LF\n\x00\xff end"; // the link never reads its payload
  const payload = ascii(body);
  const cmd = `+QSMTPBODY=0,${payload.length},60`;

  for (const room of [Infinity, 1, 3, 64]) {
    it(`the body follows CONNECT byte for byte (Uart FIFO ${room} bytes)`, () => {
      const ev = everyWay((r) => {
        r.send(cmd, "+QSMTPBODY:", 65000, payload);
        r.t.drain();
        expect(r.t.out()).toBe(`AT${cmd}\r`); // nothing of the body before CONNECT
        r.clock.advance(100);
        r.feed("\r\nCONNECT\r\n");
        r.t.drain();
        expect(r.t.out()).toBe(`AT${cmd}\r${body}`);
        r.clock.advance(100);
        r.feed(`\r\n+QSMTPBODY: ${payload.length}\r\n\r\nOK\r\n`);
        r.t.drain();
        expect(r.t.out()).toBe(`AT${cmd}\r${body}`); // and nothing after it
      }, room);
      expect(ev).toEqual([`w:AT${cmd}\\r${esc(body)}`, `info:+QSMTPBODY: ${payload.length}`, "end:0@200"]);
    });
  }

  it("CONNECT and the reply after the body in one read (the body is written in between)", () => {
    const ev = everyWay((r) => {
      r.send(cmd, "+QSMTPBODY:", 65000, payload);
      r.feed(`\r\nCONNECT\r\n\r\n+QSMTPBODY: ${payload.length}\r\n\r\nOK\r\n`);
    });
    expect(ev).toEqual([`w:AT${cmd}\\r${esc(body)}`, `info:+QSMTPBODY: ${payload.length}`, "end:0@0"]);
  });

  it("a CONNECT whose LF was lost: the body follows at once (the module, in data mode, says nothing more until it has come)", () => {
    const ev = everyWay((r) => {
      r.send(cmd, "+QSMTPBODY:", 65000, payload);
      r.feed("\r\nCONNECT\r");
      r.t.drain();
      expect(r.t.out()).toBe(`AT${cmd}\r${body}`);
      r.clock.advance(100);
      r.feed(`\r\n+QSMTPBODY: ${payload.length}\r\n\r\nOK\r\n`);
    });
    expect(ev).toEqual([`w:AT${cmd}\\r${esc(body)}`, `info:+QSMTPBODY: ${payload.length}`, "end:0@100"]);
  });

  // The module answers `reply` at once and, 60 s on (after its input time, back in command mode),
  // `later` when it is not null: the body must never be written; then `events` after the command.
  const noBody: [string, string, string | null, string[]][] = [
    ["a CONNECT whose line end was lost and no answer: read at the deadline, too late (the module's input time has run out)", "\r\nCONNECT", null, [`end:${E_TIMEOUT}@65000`]],
    ["a CONNECT whose CR and LF were both lost, ended by the module's answer after its input time (it was read too late)", "\r\nCONNECT", "\r\n+QSMTPBODY: 0\r\n\r\nOK\r\n", ["info:+QSMTPBODY: 0", "end:0@60000"]],
    ["a CONNECT damaged in its letters (CNNECT): the module's answer ends the command with its count, not its deadline", "\r\nCNNECT\r\n", "\r\n+QSMTPBODY: 0\r\n\r\nOK\r\n", ["urc:CNNECT", "info:+QSMTPBODY: 0", "end:0@60000"]],
  ];
  for (const [what, reply, later, events] of noBody) {
    it(`${what}: the body is never written (the module would take it as commands)`, () => {
      const ev = everyWay((r) => {
        r.send(cmd, "+QSMTPBODY:", 65000, payload);
        r.feed(reply);
        r.clock.advance(60000);
        if (later !== null) r.feed(later);
        r.clock.advance(5000);
        r.t.drain();
        expect(r.t.out()).toBe(`AT${cmd}\r`);
      });
      // An answer ends the command (the mailer: a body short).
      expect(ev).toEqual([`w:AT${cmd}\\r`, ...events]);
    });
  }

  it("ERROR instead of CONNECT: the command fails at once and the body is never written", () => {
    const ev = everyWay((r) => {
      r.send(cmd, "+QSMTPBODY:", 65000, payload);
      r.feed("\r\n+CME ERROR: 4\r\n");
      r.feed("\r\nCONNECT\r\n"); // a stray one later: unsolicited, still nothing written
    });
    expect(ev).toEqual([`w:AT${cmd}\\r`, "end:4@0", "urc:CONNECT"]);
  });

  it("an OK before CONNECT is not the command's (an old final): it does not end it, and the body still follows CONNECT", () => {
    const ev = everyWay((r) => {
      r.send(cmd, "+QSMTPBODY:", 65000, payload);
      r.feed("\r\nOK\r\n");
      expect(r.link.busy()).toBe(true);
      r.feed("\r\nCONNECT\r\n");
      r.feed("\r\nOK\r\n");
    });
    expect(ev).toEqual([`w:AT${cmd}\\r`, "urc:OK", `w:${esc(body)}`, "end:0@0"]);
  });

  it("CONNECT without a payload is an unsolicited line", () => {
    const ev = everyWay((r) => {
      r.send("+CSQ", "+CSQ:");
      r.feed("\r\nCONNECT\r\n\r\nOK\r\n");
    });
    expect(ev).toEqual(["w:AT+CSQ\\r", "urc:CONNECT", "end:0@0"]);
  });

  it("a second CONNECT does not write the body again", () => {
    const ev = everyWay((r) => {
      r.send(cmd, "+QSMTPBODY:", 65000, payload);
      r.feed("\r\nCONNECT\r\n\r\nCONNECT\r\n\r\nOK\r\n");
    });
    expect(ev).toEqual([`w:AT${cmd}\\r${esc(body)}`, "urc:CONNECT", "end:0@0"]);
  });

  it("the module's own input timeout ends a short body: the rest is never written, not even as the next command", () => {
    const t = testUart(4);
    const clock = new VirtualClock();
    const link = createAtLink(createByteFraming(t.uart), clock);
    const ends: number[] = [];
    link.send(cmd, "+QSMTPBODY:", 65000, payload, null, (c) => ends.push(c));
    t.drain();
    deliver(t.sink(), ascii("\r\nCONNECT\r\n"), [11]);
    expect(t.out()).toBe(`AT${cmd}\r${body.substring(0, 4)}`); // FIFO full; the rest waits for onWritable
    deliver(t.sink(), ascii("\r\n+QSMTPBODY: 4\r\n\r\nOK\r\n"), [23]);
    expect(ends).toEqual([0]);
    t.drain();
    expect(t.out()).toBe(`AT${cmd}\r${body.substring(0, 4)}`);
    link.send("+CSQ", "+CSQ:", 1000, null, null, () => {});
    t.drain();
    expect(t.out()).toBe(`AT${cmd}\r${body.substring(0, 4)}AT+CSQ\r`);
  });

  it("a timeout in data mode stops writing the body", () => {
    const t = testUart(8);
    const clock = new VirtualClock();
    const link = createAtLink(createByteFraming(t.uart), clock);
    const ends: number[] = [];
    link.send(cmd, "", 5000, payload, null, (c) => ends.push(c));
    t.drain();
    deliver(t.sink(), ascii("\r\nCONNECT\r\n"), [11]);
    clock.advance(5000);
    expect(ends).toEqual([E_TIMEOUT]);
    t.drain();
    expect(t.out()).toBe(`AT${cmd}\r${body.substring(0, 8)}`);
  });

  it("a payload of many kilobytes through a 5-byte FIFO arrives exactly", () => {
    const big = new Uint8Array(10240);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff;
    const t = testUart(5);
    const clock = new VirtualClock();
    const link = createAtLink(createByteFraming(t.uart), clock);
    const ends: number[] = [];
    link.send("+QSMTPBODY=1,10240,60", "", 65000, big, null, (c) => ends.push(c));
    t.drain();
    deliver(t.sink(), ascii("\r\nCONNECT\r\n"), [3, 8]);
    t.drain();
    expect(t.out()).toBe("AT+QSMTPBODY=1,10240,60\r" + latin1(big));
    deliver(t.sink(), ascii("\r\nOK\r\n"), [6]);
    expect(ends).toEqual([0]);
  });
});

// --- getters ------------------------------------------------------------------------------------

describe("getters over the current line", () => {
  /** The getters' answers for one received line (as an unsolicited line). */
  function on<T>(line: string, get: (l: AtLink) => T): T {
    const clock = new VirtualClock();
    const u = bareUart();
    const link = createAtLink(createByteFraming(u.uart), clock);
    let got: T | undefined;
    let calls = 0;
    link.onUrc = (l) => {
      got = get(l);
      calls++;
    };
    u.feed(`\r\n${line}\r\n`);
    expect(calls).toBe(1);
    return got as T;
  }

  it("int() on fields, including a quoted first field", () => {
    expect(on('+QIURC: "pdpdeact",1', (l) => [l.int(0), l.int(1), l.int(2)])).toEqual([NaN, 1, NaN]);
    expect(on("+CSQ: 20,99", (l) => [l.int(0), l.int(1), l.int(2)])).toEqual([20, 99, NaN]);
    expect(on("+QSMTPPUT: 0,0", (l) => [l.int(0), l.int(1)])).toEqual([0, 0]);
    expect(on("+QSMTPPUT: 679,550", (l) => [l.int(0), l.int(1)])).toEqual([679, 550]);
    expect(on("+CME ERROR: 14", (l) => l.int(0))).toBe(14);
    expect(on("+CEREG: 2,5,\"1A2B\",\"01A2B3C4\",7", (l) => [l.int(0), l.int(1), l.int(4)])).toEqual([2, 5, 7]);
    expect(on("+X: 1, 2,  3", (l) => [l.int(0), l.int(1), l.int(2)])).toEqual([1, 2, 3]);
    expect(on("+X:7", (l) => l.int(0))).toBe(7);
    expect(on("+X: ,5", (l) => [l.int(0), l.int(1)])).toEqual([NaN, 5]);
    expect(on("+X: 12ab,3", (l) => [l.int(0), l.int(1)])).toEqual([12, 3]);
    expect(on("+X: 4294967296", (l) => l.int(0))).toBe(4294967296);
    expect(on("RDY", (l) => l.int(0))).toBeNaN();
    expect(on("+X: 1,2", (l) => l.int(5))).toBeNaN();
    expect(on("+X:", (l) => l.int(0))).toBeNaN();
  });

  it("text(from, cut)", () => {
    expect(on('+CCLK: "26/11/23,14:05:11+32"', (l) => l.text(8, 1))).toBe("26/11/23,14:05:11+32");
    expect(on("+CSQ: 20,99", (l) => l.text(0, 0))).toBe("+CSQ: 20,99");
    expect(on("+CSQ: 20,99", (l) => l.text(6, 3))).toBe("20");
    expect(on("ab", (l) => l.text(2, 0))).toBe("");
    expect(on("ab", (l) => l.text(1, 5))).toBe("");
    expect(on("\xe4\x00", (l) => l.text(0, 0))).toBe("\xe4\x00"); // bytes as chars, NUL kept
  });

  it("is() and starts()", () => {
    expect(on("+CPIN: READY", (l) => [l.is("+CPIN: READY"), l.is("+CPIN: READ"), l.is("+CPIN: READY!"), l.starts("+CPIN:"), l.starts("+CPIN: READY"), l.starts("+CPIN: READY "), l.starts("")])).toEqual([
      true,
      false,
      false,
      true,
      true,
      false,
      true,
    ]);
  });

  it("starts() never reads past the line (what an earlier, longer line left in the buffer)", () => {
    const ev = everyWay((r) => {
      r.send("+CSQ", "+CSQ:");
      r.feed("\r\n+CSQ: 1,1\r\n+CSQ\n\r\n+CME ERROR: 5\r\n"); // "+CSQ" over "+CSQ:": LF only, no CR behind it
      r.send("+CSQ", "+CSQ:");
      r.feed("\r\n+CME ERROR: 1\n+CME ERROR\n\r\nNO CARRIER\r\n");
    });
    expect(ev).toEqual(["w:AT+CSQ\\r", "info:+CSQ: 1,1", "urc:+CSQ", "end:5@0", "w:AT+CSQ\\r", "end:1@0", "urc:+CME ERROR", "urc:NO CARRIER"]);
  });

  it("the getters see a line as received even when a chunk ends right after it", () => {
    const clock = new VirtualClock();
    const t = testUart();
    const link = createAtLink(createByteFraming(t.uart), clock);
    const seen: string[] = [];
    link.onUrc = (l) => seen.push(`${l.text(0, 0)}|${l.int(1)}`);
    const bytes = ascii('\r\n+QIURC: "pdpdeact",1\r\n\r\n+QIURC: "pdpdeact",2\r\n');
    for (const way of ways(bytes.length)) deliver(t.sink(), bytes, way.cut(bytes.length));
    expect(seen.length).toBe(2 * ways(bytes.length).length);
    expect(new Set(seen)).toEqual(new Set(['+QIURC: "pdpdeact",1|1', '+QIURC: "pdpdeact",2|2']));
  });
});

// --- properties (fast-check) ----------------------------------------------------------------------

/**
 * What the link must make of `text` received while a command with `prefix` runs
 * (and after it ended): a plain statement of the framing rules on strings (LF ends a
 * text, dropped whole when overlong; its CRs cut it into lines).
 */
function model(text: string, prefix: string, open = false): string[] {
  const out: string[] = [];
  let running = true;
  // Every CR and every LF ends a line, at once; after the last one the text is not a line yet
  // (with `open`, the owner's wait ended: takeOpenLine). A line longer than 256 bytes is dropped.
  const parts = text.split(/\r|\n/);
  if (!open) parts.pop();
  for (const p of parts) {
    if (p.length > 256 || p === "" || p.startsWith("AT")) continue;
    if (running) {
      let code = -1;
      if (p === "OK") code = 0;
      else if (p === "ERROR") code = E_AT_ERROR;
      else if (p === "NO CARRIER") code = E_NO_CARRIER;
      else if (p.startsWith("+CME ERROR:") || p.startsWith("+CMS ERROR:")) {
        let i = 11;
        while (p.charAt(i) === " ") i++;
        let v = NaN;
        for (; i < p.length && p.charCodeAt(i) >= 0x30 && p.charCodeAt(i) <= 0x39; i++) v = (v === v ? v * 10 : 0) + p.charCodeAt(i) - 0x30;
        code = v === v ? v : E_AT_ERROR;
      }
      if (code >= 0) {
        out.push("end:" + code);
        running = false;
        continue;
      }
      if (prefix !== "" && p.startsWith(prefix)) {
        out.push("info:" + esc(p));
        continue;
      }
    }
    out.push("urc:" + esc(p));
  }
  return out;
}

describe("properties", () => {
  const tokens = [
    "OK",
    "ERROR",
    "NO CARRIER",
    "+CME ERROR: 14",
    "+CME ERROR: SIM busy",
    "+CMS ERROR: 500",
    "+CSQ: 12,99",
    "+CSQ:",
    '+QIURC: "pdpdeact",1',
    "+QSMTPPUT: 0,0",
    "RDY",
    "AT+CSQ",
    "AT",
    "CONNECT",
    "",
    "O",
    "K",
    "x".repeat(250),
    "y".repeat(300),
  ];
  const ends = ["\r\n", "\n", "\r", "\r\r\n", ""];
  const pieceArb = fc.oneof(
    fc.tuple(fc.constantFrom(...tokens), fc.constantFrom(...ends)).map(([t, e]) => t + e),
    fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }).map((b) => String.fromCharCode(...b)),
  );
  const textArb = fc.array(pieceArb, { maxLength: 24 }).map((p) => p.join(""));
  const cutsArb = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 60 });

  function runText(text: string, prefix: string, cutSizes: number[] | null, espruino = false, open = false): string[] {
    const clock = new VirtualClock();
    const t = testUart();
    const link = createAtLink(espruino ? createTextFraming(textPort(t.uart)) : createByteFraming(t.uart), clock);
    const ev: string[] = [];
    link.onUrc = (l) => ev.push("urc:" + show(l));
    link.send("+CSQ", prefix, 1000, null, (l) => ev.push("info:" + show(l)), (code) => ev.push("end:" + code));
    const b = ascii(text);
    const cuts: number[] = [];
    if (cutSizes === null) cuts.push(b.length);
    else {
      let left = b.length;
      for (let i = 0; left > 0; i++) {
        const k = Math.min(left, cutSizes[i % cutSizes.length]);
        cuts.push(k);
        left -= k;
      }
    }
    deliver(t.sink(), b, cuts);
    if (open) link.takeOpenLine();
    return ev;
  }

  it("framing and routing match the model, however the bytes are cut, on both framings", () => {
    fc.assert(
      fc.property(textArb, fc.constantFrom("+CSQ:", ""), cutsArb, (text, prefix, cuts) => {
        const expected = model(text, prefix);
        const openEnded = model(text, prefix, true);
        for (const espruino of [false, true]) {
          expect(runText(text, prefix, null, espruino)).toEqual(expected);
          expect(runText(text, prefix, cuts, espruino)).toEqual(expected);
          expect(runText(text, prefix, [1], espruino)).toEqual(expected);
          // The owner's wait ends after it all: a line left open ends as if its LF had come.
          expect(runText(text, prefix, cuts, espruino, true)).toEqual(openEnded);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("any bytes at all: the same lines whole, byte by byte and in random chunks, and a clean OK after them still ends the next command", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), cutsArb, (bytes, cuts) => {
        const text = latin1(bytes);
        const whole = runText(text, "+CSQ:", null);
        expect(runText(text, "+CSQ:", cuts)).toEqual(whole);
        expect(runText(text, "+CSQ:", [1])).toEqual(whole);
        expect(runText(text, "+CSQ:", cuts, true)).toEqual(whole); // Espruino's text framing gives the same lines
        // Whatever came before, a line end then OK completes a command.
        const clock = new VirtualClock();
        const t = testUart();
        const link = createAtLink(createByteFraming(t.uart), clock);
        deliver(t.sink(), bytes, [bytes.length]);
        const ends: number[] = [];
        link.send("", "", 1000, null, null, (c) => ends.push(c));
        deliver(t.sink(), ascii("\r\nOK\r\n"), [6]);
        expect(ends).toEqual([0]);
      }),
      { numRuns: 300 },
    );
  });
});
