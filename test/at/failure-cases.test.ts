// DESIGN.md section 5, engine side: every case fed all at once, byte by byte, split at
// every byte boundary of each delivery, in fixed and seeded random chunks, echo on and off.
import { describe, expect, it } from "vitest";
import {
  RESULT_CANCELLED,
  RESULT_CME,
  RESULT_ERROR,
  RESULT_OK,
  RESULT_TIMEOUT,
  SHAPE_DEFERRED,
  SHAPE_LINE,
  SHAPE_PROMPT,
} from "../../firmware/at/types.js";
import { bytesSource } from "../../firmware/at/source.js";
import { rig, send, urcs } from "./support/harness.js";
import type { Rig } from "./support/harness.js";
import { ascii, chunkingName, latin1, sweep } from "./support/modem.js";
import type { Chunking } from "./support/modem.js";

/** Run `fn` for echo on/off over the whole chunking sweep; failures name the combination. */
function everyWay(maxSplit: number, fn: (echo: boolean, c: Chunking) => void): void {
  for (const echo of [true, false]) {
    for (const c of sweep(maxSplit)) {
      try {
        fn(echo, c);
      } catch (e) {
        (e as Error).message = `[echo ${echo ? "on" : "off"}, ${chunkingName(c)}] ${(e as Error).message}`;
        throw e;
      }
    }
  }
}

/** Bring-up "AT" so the engine has seen whether echo is on, as a real session would. */
function hello(r: Rig): void {
  r.modem.script({ cmd: "AT", reply: "\r\nOK\r\n" });
  send(r, { command: "" });
  r.clock.advance(50);
}

describe("section 5 case 1: URC between a command and its final result", () => {
  it("a URC inside the reply is routed, the command completes", () => {
    const reply = '\r\n+QIURC: "pdpdeact",1\r\n\r\nOK\r\n';
    everyWay(40, (echo, c) => {
      const r = rig(echo, c);
      const seen: string[] = [];
      r.engine.onUrc(r.engine.prefix("+QIURC:"), (l) => seen.push(`${l.str(0)}/${l.int(1, -1)}`));
      r.modem.script({ cmd: 'AT+QSMTPDST=1,1,"a@b"', reply });
      const a = send(r, { command: '+QSMTPDST=1,1,"a@b"' });
      r.clock.advance(100);
      expect(a.result?.code).toBe(RESULT_OK);
      expect(seen).toEqual(["pdpdeact/1"]);
      expect(r.engine.stats().unknown).toBe(0);
    });
  });

  it("a URC with the same prefix as the reply reaches onLine with it; the reply is told by its fields", () => {
    const reply = "\r\n+CEREG: 1\r\n\r\n+CEREG: 2,1\r\n\r\nOK\r\n";
    everyWay(reply.length + 10, (echo, c) => {
      const r = rig(echo, c);
      let stat = -1;
      r.modem.script({ cmd: "AT+CEREG?", reply });
      const a = send(r, {
        command: "+CEREG?",
        shape: SHAPE_LINE,
        prefix: r.engine.prefix("+CEREG:"),
        onLine: (l) => {
          if (l.fieldCount() >= 2) stat = l.int(1, -1);
        },
      });
      r.clock.advance(100);
      expect(a.result?.code).toBe(RESULT_OK);
      expect(a.lines).toEqual(["+CEREG: 1", "+CEREG: 2,1"]);
      expect(stat).toBe(1);
    });
  });

  it("a URC that arrives while the command is still going out is routed", () => {
    everyWay(30, (echo, c) => {
      const r = rig(echo, c, undefined, { writeLimit: 3 });
      const seen = urcs(r, "+QIND:");
      r.modem.script({ cmd: "AT+QSMTPCFG?", reply: "\r\nOK\r\n", delayMs: 10 });
      r.modem.inject('\r\n+QIND: "csq",20\r\n', 2);
      const a = send(r, { command: "+QSMTPCFG?" });
      r.clock.advance(100);
      expect(a.result?.code).toBe(RESULT_OK);
      expect(seen).toEqual(['+QIND: "csq",20']);
      expect(r.modem.commands).toEqual(["AT+QSMTPCFG?"]);
    });
  });
});

describe("section 5 case 2: framing splits", () => {
  it("+CME ERROR split anywhere, many lines in one read", () => {
    const reply = "\r\n+CSQ: 23,99\r\n\r\n+CME ERROR: 10\r\n\r\n+CEREG: 1\r\n";
    everyWay(reply.length + 10, (echo, c) => {
      const r = rig(echo, c);
      const cereg = urcs(r, "+CEREG:");
      r.modem.script({ cmd: "AT+CSQ", reply });
      const a = send(r, { command: "+CSQ", shape: SHAPE_LINE, prefix: r.engine.prefix("+CSQ:") });
      r.clock.advance(100);
      expect(a.result).toMatchObject({ code: RESULT_CME, errorCode: 10 });
      expect(a.lines).toEqual(["+CSQ: 23,99"]);
      expect(cereg).toEqual(["+CEREG: 1"]);
    });
  });

  it("CONNECT followed at once by more bytes (ACK mode 'A' and the result in the same read)", () => {
    const body = new Uint8Array(1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    everyWay(24, (echo, c) => {
      const r = rig(echo, c);
      // The module answers the whole upload in the same burst as CONNECT (what a fast module
      // and a slow reader look like): the engine must still write exactly 1024 bytes.
      r.modem.script({
        cmd: 'AT+QFUPL="UFS:a.bin",1024,5,1',
        reply: "\r\nCONNECT\r\n",
        data: { expect: 1024, ackEvery: 1024, reply: "\r\n+QFUPL: 1024,2a2a\r\n\r\nOK\r\n" },
      });
      const a = send(r, {
        command: 'AT+QFUPL="UFS:a.bin",1024,5,1'.slice(2),
        shape: SHAPE_PROMPT,
        prefix: r.engine.prefix("+QFUPL:"),
        data: bytesSource(body),
        ackEvery: 1024,
        timeoutMs: 5000,
      });
      r.clock.advance(200);
      expect(a.result?.code).toBe(RESULT_OK);
      expect(a.lines).toEqual(["+QFUPL: 1024,2a2a"]);
      expect(r.modem.data.length).toBe(1024);
    });
  });
});

describe("section 5 case 3: a lost final result", () => {
  it("the command times out and a late OK does not complete the next command", () => {
    everyWay(20, (echo, c) => {
      const r = rig(echo, c);
      hello(r);
      r.modem.script({ cmd: "AT+QIACT=1" }, { cmd: "AT+QIACT?", reply: '\r\n+QIACT: 1,1,1,"10.7.157.1"\r\n\r\nOK\r\n', delayMs: 60 });
      const t0 = r.clock.now();
      const act = send(r, { command: "+QIACT=1", timeoutMs: 1000 });
      const q = send(r, { command: "+QIACT?", shape: SHAPE_LINE, prefix: r.engine.prefix("+QIACT:"), timeoutMs: 1000 });
      r.modem.inject("\r\nOK\r\n", 1030); // late: after the next command went out at ~1020
      r.clock.advance(3000);
      expect(act.result?.code).toBe(RESULT_TIMEOUT);
      expect(q.result?.code).toBe(RESULT_OK);
      expect(q.at - t0).toBeGreaterThanOrEqual(1080); // its own OK, 60 ms after it was written
      expect(q.lines.length).toBe(1);
      expect(r.engine.stats().lateFinals).toBe(1);
    });
  });
});

describe("section 5 case 4: module reboot, garbage and NUL bytes", () => {
  it("garbage and NUL bytes at power-up, then RDY, then a clean command", () => {
    const junk = new Uint8Array([0, 0, 0xff, 0xfe, 0x41, 0x54, 0, 0x0d, 0x80, 0, 0, 0x0a, 0x0d, 0x0a, 0x52, 0x44, 0x59, 0x0d, 0x0a]);
    everyWay(junk.length, (echo, c) => {
      const r = rig(echo, c);
      const rdy = urcs(r, "RDY");
      r.modem.inject(junk, 0);
      r.clock.advance(10);
      expect(rdy).toEqual(["RDY"]);
      r.modem.script({ cmd: "ATE0", reply: "\r\nOK\r\n" });
      const a = send(r, { command: "E0" });
      r.clock.advance(100);
      expect(a.result?.code).toBe(RESULT_OK);
      expect(r.engine.pendingBytes()).toBe(0);
    });
  });

  it("RDY during the +QSMTPPUT wait and before ATE0 completes: flush, then bring-up runs", () => {
    everyWay(16, (echo, c) => {
      const r = rig(echo, c);
      const order: string[] = [];
      r.engine.onUrc(r.engine.prefix("RDY"), () => {
        order.push("RDY");
        r.engine.flush();
      });
      r.modem.script(
        { cmd: "AT+QSMTPPUT=300", reply: "\r\nOK\r\n" },
        { cmd: "AT+CSQ", later: [{ rx: "\r\nRDY\r\n", delayMs: 5 }] }, // reboot while a command waits
        { cmd: "ATE0", later: [{ rx: "\r\nRDY\r\n", delayMs: 5 }] }, // and again during bring-up
        { cmd: "ATE0", reply: "\r\nOK\r\n" },
      );
      const put = send(r, { command: "+QSMTPPUT=300", shape: SHAPE_DEFERRED, timeoutMs: 1000 });
      const csq = send(r, { command: "+CSQ", timeoutMs: 1000 });
      r.clock.advance(100);
      const e1 = send(r, { command: "E0", timeoutMs: 1000 });
      r.clock.advance(100);
      const e2 = send(r, { command: "E0", timeoutMs: 1000 });
      r.clock.advance(100);
      expect(put.result?.code).toBe(RESULT_OK);
      expect(csq.result?.code).toBe(RESULT_CANCELLED);
      expect(e1.result?.code).toBe(RESULT_CANCELLED);
      expect(e2.result?.code).toBe(RESULT_OK);
      expect(order).toEqual(["RDY", "RDY"]);
      expect(r.engine.consecutiveTimeouts()).toBe(0);
    });
  });

  it("RDY inside body data mode: the payload stops, the command is cancelled", () => {
    const body = new Uint8Array(4000).fill(0x61);
    everyWay(16, (echo, c) => {
      const r = rig(echo, c, { dataChunkSize: 64 }, { writeLimit: 32, writableDelayMs: 2 });
      r.engine.onUrc(r.engine.prefix("RDY"), () => r.engine.flush());
      r.modem.script({ cmd: "AT+QSMTPBODY=1,4000,30", reply: "\r\nCONNECT\r\n", data: { expect: 4000, reply: "" } });
      const b = send(r, { command: "+QSMTPBODY=1,4000,30", shape: SHAPE_PROMPT, prefix: r.engine.prefix("+QSMTPBODY:"), data: bytesSource(body), timeoutMs: 30000 });
      r.modem.inject("\r\nRDY\r\n", 20);
      r.clock.advance(21);
      const sentAtReboot = r.modem.data.length;
      r.clock.advance(1000);
      expect(b.result?.code).toBe(RESULT_CANCELLED);
      expect(sentAtReboot).toBeGreaterThan(0);
      expect(sentAtReboot).toBeLessThan(4000);
      expect(r.modem.data.length).toBe(sentAtReboot); // nothing written after the flush
    });
  });
});

describe("section 5 case 5: every error form fails at once", () => {
  it("ERROR, numeric and text +CME ERROR, and the +QSMTPPUT error URC", () => {
    everyWay(36, (echo, c) => {
      const r = rig(echo, c);
      const put: number[] = [];
      r.engine.onUrc(r.engine.prefix("+QSMTPPUT:"), (l) => put.push(l.int(0, -1), l.int(1, -1)));
      r.modem.script(
        { cmd: "AT+X", reply: "\r\nERROR\r\n" },
        { cmd: "AT+CPIN?", reply: "\r\n+CME ERROR: 14\r\n" },
        { cmd: "AT+QSSLCFG", reply: "\r\n+CME ERROR: invalid parameter\r\n" },
        { cmd: "AT+QSMTPPUT=300", reply: "\r\nOK\r\n", later: [{ rx: "\r\n+QSMTPPUT: 651,0\r\n", delayMs: 50 }] },
      );
      const t0 = r.clock.now();
      const a = send(r, { command: "+X", timeoutMs: 60000 });
      const b = send(r, { command: "+CPIN?", timeoutMs: 60000 });
      const d = send(r, { command: "+QSSLCFG", timeoutMs: 60000 });
      const p = send(r, { command: "+QSMTPPUT=300", shape: SHAPE_DEFERRED, prefix: r.engine.prefix("+QSMTPPUT:"), timeoutMs: 60000 });
      r.clock.advance(500);
      expect(a.result).toMatchObject({ code: RESULT_ERROR, elapsedMs: 1 });
      expect(b.result).toMatchObject({ code: RESULT_CME, errorCode: 14, elapsedMs: 1 });
      expect(d.result).toMatchObject({ code: RESULT_CME, errorCode: -1, errorText: "invalid parameter", elapsedMs: 1 });
      expect(p.result).toMatchObject({ code: RESULT_OK, elapsedMs: 1 });
      expect(put).toEqual([651, 0]);
      expect(r.clock.now() - t0).toBe(500);
    });
  });
});

describe("section 5 case 6: data mode", () => {
  it("ERROR instead of CONNECT fails at once and writes no payload", () => {
    everyWay(12, (echo, c) => {
      const r = rig(echo, c);
      r.modem.script({ cmd: "AT+QSMTPBODY=1,5,30", reply: "\r\nERROR\r\n" }, { cmd: "AT", reply: "\r\nOK\r\n" });
      const b = send(r, { command: "+QSMTPBODY=1,5,30", shape: SHAPE_PROMPT, data: bytesSource(ascii("hello")), timeoutMs: 30000 });
      const n = send(r, { command: "" });
      r.clock.advance(100);
      expect(b.result).toMatchObject({ code: RESULT_ERROR, elapsedMs: 1 });
      expect(r.modem.data).toEqual([]);
      expect(n.result?.code).toBe(RESULT_OK);
      expect(r.modem.mismatches).toEqual([]);
    });
  });

  it("a body holding OK, ERROR, +++ and bare LF goes out byte-exact", () => {
    const text = "OK\r\nERROR\r\n+++\nline\n\r\n+QIURC: x\r\nCONNECT\r\nA";
    everyWay(30, (echo, c) => {
      const r = rig(echo, c, { dataChunkSize: 7 }, { writeLimit: 5 });
      const reply = `\r\n+QSMTPBODY: ${text.length}\r\n\r\nOK\r\n`;
      r.modem.script({ cmd: `AT+QSMTPBODY=1,${text.length},30`, reply: "\r\nCONNECT\r\n", data: { expect: text.length, reply } });
      const b = send(r, {
        command: `+QSMTPBODY=1,${text.length},30`,
        shape: SHAPE_PROMPT,
        prefix: r.engine.prefix("+QSMTPBODY:"),
        data: bytesSource(ascii(text)),
        timeoutMs: 30000,
      });
      r.clock.advance(500);
      expect(b.result?.code).toBe(RESULT_OK);
      expect(latin1(new Uint8Array(r.modem.data))).toBe(text);
      expect(b.lines).toEqual([`+QSMTPBODY: ${text.length}`]);
    });
  });

  it("the module's own input timeout ends a short body: the short count is reported, sending stops", () => {
    const body = new Uint8Array(600).fill(0x42);
    everyWay(30, (echo, c) => {
      const r = rig(echo, c, { dataChunkSize: 50 }, { writeLimit: 20, writableDelayMs: 5 });
      r.modem.script({
        cmd: "AT+QSMTPBODY=1,600,5",
        reply: "\r\nCONNECT\r\n",
        data: { expect: 600, stopAfter: 200, reply: "\r\n+QSMTPBODY: 200\r\n\r\nOK\r\n" },
      });
      let n = -1;
      const b = send(r, {
        command: "+QSMTPBODY=1,600,5",
        shape: SHAPE_PROMPT,
        prefix: r.engine.prefix("+QSMTPBODY:"),
        data: bytesSource(body),
        timeoutMs: 30000,
        onLine: (l) => (n = l.int(0, -1)),
      });
      r.clock.advance(1000);
      expect(b.result?.code).toBe(RESULT_OK);
      expect(n).toBe(200);
      expect(r.modem.data.length).toBe(200);
      expect(r.modem.drained).toBeLessThanOrEqual(20); // at most one write after the module stopped
    });
  });
});

describe("section 5 case 8: the +QSMTPPUT URC", () => {
  it("in the same read as OK, much later, twice, or after the command was given up", () => {
    everyWay(40, (echo, c) => {
      const r = rig(echo, c);
      const got: string[] = [];
      r.engine.onUrc(r.engine.prefix("+QSMTPPUT:"), (l) => got.push(`${l.int(0, -1)},${l.int(1, -1)}`));
      r.modem.script(
        { cmd: "AT+QSMTPPUT=300", reply: "\r\nOK\r\n\r\n+QSMTPPUT: 0,250\r\n" },
        { cmd: "AT+QSMTPPUT=300", reply: "\r\nOK\r\n", later: [{ rx: "\r\n+QSMTPPUT: 0,250\r\n", delayMs: 30000 }] },
        { cmd: "AT+QSMTPPUT=300", reply: "\r\nOK\r\n\r\n+QSMTPPUT: 0,250\r\n\r\n+QSMTPPUT: 0,250\r\n" },
        { cmd: "AT+CSQ", reply: "\r\n+CSQ: 20,99\r\n\r\nOK\r\n", delayMs: 5 },
      );
      const req = { command: "+QSMTPPUT=300", shape: SHAPE_DEFERRED, prefix: r.engine.prefix("+QSMTPPUT:"), timeoutMs: 1000 };
      const a = send(r, req);
      r.clock.advance(100);
      expect(a.result?.code).toBe(RESULT_OK);
      expect(got).toEqual(["0,250"]);
      const b = send(r, req);
      r.clock.advance(100);
      expect(b.result?.code).toBe(RESULT_OK);
      expect(got).toEqual(["0,250"]);
      r.clock.advance(40000);
      expect(got).toEqual(["0,250", "0,250"]);
      const d = send(r, req);
      const csq = send(r, { command: "+CSQ", shape: SHAPE_LINE, prefix: r.engine.prefix("+CSQ:") });
      r.clock.advance(100);
      expect(d.result?.code).toBe(RESULT_OK);
      expect(csq.result?.code).toBe(RESULT_OK);
      expect(got.length).toBe(4);
    });
  });
});

describe("section 5 case 9: periodic URCs never extend a deadline", () => {
  it("chatter every 100 ms, the deadline holds; repeated timeouts are counted", () => {
    everyWay(16, (echo, c) => {
      const r = rig(echo, c);
      const seen = urcs(r, "+CSQ:");
      for (let t = 10; t < 5000; t += 100) r.modem.inject("\r\n+CSQ: 18,99\r\n", t);
      r.modem.script({ cmd: "AT+QIACT=1" }, { cmd: "AT+QIACT=1" }, { cmd: "AT+QIACT=1" });
      const results: number[] = [];
      for (let i = 0; i < 3; i++) {
        const s = send(r, { command: "+QIACT=1", timeoutMs: 1000 });
        r.clock.advance(1100);
        results.push(s.result?.code ?? -1, s.result?.elapsedMs ?? -1);
      }
      expect(results).toEqual([RESULT_TIMEOUT, 1000, RESULT_TIMEOUT, 1000, RESULT_TIMEOUT, 1000]);
      expect(r.engine.consecutiveTimeouts()).toBe(3);
      expect(seen.length).toBeGreaterThan(25);
    });
  });
});

describe("section 5 case 10: overlong and unknown lines", () => {
  it("an overlong line is dropped and counted, the next OK is still recognised", () => {
    const long = "+QSMTPDST: " + "x".repeat(300);
    everyWay(40, (echo, c) => {
      const r = rig(echo, c, { lineBufferSize: 64 });
      const dst = urcs(r, "+QSMTPDST:");
      r.modem.script({ cmd: "AT+QSMTPDST?", reply: `\r\n${long}\r\n\r\nOK\r\n` });
      const a = send(r, { command: "+QSMTPDST?" });
      r.clock.advance(100);
      expect(a.result?.code).toBe(RESULT_OK);
      expect(r.engine.stats().overlong).toBe(1);
      expect(dst).toEqual([]);
      expect(r.engine.pendingBytes()).toBe(0);
    });
  });

  it("unknown lines never block later URCs", () => {
    const burst = "\r\nSRING: 1\r\n\r\n??\r\n\r\nRING\r\n\r\n+QIURC: \"recv\",0\r\n";
    everyWay(burst.length, (echo, c) => {
      const r = rig(echo, c);
      const seen = urcs(r, "+QIURC:");
      r.modem.inject(burst, 0);
      r.clock.advance(10);
      expect(seen).toEqual(['+QIURC: "recv",0']);
      expect(r.engine.stats().unknown).toBe(3);
    });
  });
});

describe("a line end lost on the UART (issue 12: the engine reads through what Espruino's link does)", () => {
  // The EC800 ends every line with CR LF. A lost LF leaves the line ended by its CR, as the
  // engine frames lines anyway; a lost CR leaves "OK\n": the line ends at the next CR, which
  // may be the next line's (classified without the LF) or may not come before the deadline
  // (a final result ending a delivery with its LF is taken at once). test/compact/damaged-replies.test.ts
  // runs every lost byte of four exchanges through both AT layers.
  const cases: [string, string, number, number][] = [
    ["OK's CR lost, the URC after it", "\r\nOK\n\r\n+QSMTPPUT: 0,0\r\n", RESULT_OK, 1],
    ["OK's CR lost, nothing after it", "\r\nOK\n", RESULT_OK, 0],
    ["ERROR's CR lost, nothing after it", "\r\nERROR\n", RESULT_ERROR, 0],
    ["OK's LF lost, the URC after it", "\r\nOK\r\r\n+QSMTPPUT: 0,0\r\n", RESULT_OK, 1],
  ];
  for (const [what, reply, code, puts] of cases) {
    it(`${what}: the command ends with its result, split at every byte boundary`, () => {
      everyWay(reply.length + 12, (echo, c) => {
        const r = rig(echo, c);
        hello(r);
        const seen = urcs(r, "+QSMTPPUT:");
        r.modem.script({ cmd: "AT+QSMTPPUT=300", reply });
        const a = send(r, { command: "+QSMTPPUT=300", shape: SHAPE_DEFERRED, timeoutMs: 3000 });
        r.clock.advance(100);
        expect(a.result?.code).toBe(code);
        expect(seen).toHaveLength(puts);
      });
    });
  }

  it("a URC whose CR was lost with nothing after it waits for a line end, and is read when the owner's wait ends (takeOpenLine)", () => {
    for (const tail of ["\n", ""]) {
      everyWay(30, (echo, c) => {
        const r = rig(echo, c);
        hello(r);
        const seen = urcs(r, "+QSMTPPUT:");
        r.modem.script({ cmd: "AT+QSMTPPUT=300", reply: "\r\nOK\r\n\r\n+QSMTPPUT: 0,0" + tail });
        const a = send(r, { command: "+QSMTPPUT=300", shape: SHAPE_DEFERRED, timeoutMs: 3000 });
        r.clock.advance(100);
        expect(a.result?.code).toBe(RESULT_OK);
        expect(seen).toHaveLength(0); // framing does not guess where a line ends
        r.engine.takeOpenLine(); // the job's send wait ended (firmware/mail/job.ts)
        expect(seen).toHaveLength(1);
        r.engine.takeOpenLine(); // nothing is open any more: nothing happens
        expect(seen).toHaveLength(1);
        expect(r.engine.stats().urcs).toBe(1);
      });
    }
  });

  it("a reply line whose CR was lost, then nothing: read at the command's deadline, before the timeout", () => {
    everyWay(30, (echo, c) => {
      const r = rig(echo, c);
      hello(r);
      const got: string[] = [];
      r.modem.script({ cmd: "AT+CSQ", reply: "\r\n+CSQ: 20,99\n" });
      const a = send(r, { command: "+CSQ", shape: SHAPE_LINE, prefix: r.engine.prefix("+CSQ:"), timeoutMs: 1000, onLine: (l) => got.push(l.int(0, -1) + "," + l.int(1, -1)) });
      r.clock.advance(500);
      expect(got).toEqual([]);
      r.clock.advance(600);
      expect(got).toEqual(["20,99"]);
      expect(a.result?.code).toBe(RESULT_TIMEOUT); // its OK never came
    });
  });

  it("a reply line whose CR was lost gives its fields without the LF", () => {
    everyWay(40, (echo, c) => {
      const r = rig(echo, c);
      hello(r);
      const got: string[] = [];
      r.modem.script({ cmd: "AT+CPIN?", reply: "\r\n+CPIN: READY\n\r\nOK\r\n" });
      const a = send(r, { command: "+CPIN?", shape: SHAPE_LINE, prefix: r.engine.prefix("+CPIN:"), onLine: (l) => got.push(l.str(0)) });
      r.modem.script({ cmd: "AT+CSQ", reply: "\r\n+CSQ: 20,99\n\r\nOK\r\n" });
      const b = send(r, { command: "+CSQ", shape: SHAPE_LINE, prefix: r.engine.prefix("+CSQ:"), onLine: (l) => got.push(l.int(0, -1) + "," + l.int(1, -1)) });
      r.clock.advance(100);
      expect(a.result?.code).toBe(RESULT_OK);
      expect(b.result?.code).toBe(RESULT_OK);
      expect(got).toEqual(["READY", "20,99"]);
    });
  });
});
