// Engine behaviour on the virtual clock: queue, deadlines, settle pause, close/flush,
// late final results, rejection, URC registry, echo handling.
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { AtEngine } from "../../firmware/at/engine.js";
import {
  RESULT_CANCELLED,
  RESULT_CME,
  RESULT_ERROR,
  RESULT_GARBLED,
  RESULT_OK,
  RESULT_REJECTED,
  RESULT_TIMEOUT,
  SHAPE_LINE,
  SHAPE_LINES,
  SHAPE_PROMPT,
} from "../../firmware/at/types.js";
import { rig, send, urcs } from "./support/harness.js";
import { CommandQueue } from "../../firmware/ext/queue/queue.js";
import type { Rig } from "./support/harness.js";
import { bareUart } from "./support/bare-uart.js";
import { bytesSource } from "../../firmware/at/source.js";
import { chunkingName, sweep } from "./support/modem.js";
import * as results from "../../firmware/at/results.js";
import * as types from "../../firmware/at/types.js";
import type { Chunking } from "./support/modem.js";

describe("final-result tokens", () => {
  it("are their results' codes plus one (the engine maps one to the other by subtraction)", () => {
    expect(results.TOKEN_OK - 1).toBe(types.RESULT_OK);
    expect(results.TOKEN_ERROR - 1).toBe(types.RESULT_ERROR);
    expect(results.TOKEN_CME - 1).toBe(types.RESULT_CME);
    expect(results.TOKEN_CMS - 1).toBe(types.RESULT_CMS);
    expect(results.TOKEN_NO_CARRIER - 1).toBe(types.RESULT_NO_CARRIER);
    expect(results.TOKEN_CONNECT).toBeGreaterThan(results.TOKEN_NO_CARRIER); // not a final result
  });
});

describe("AtEngine: construction", () => {
  it("attaches itself to the uart and works with options undefined", () => {
    const clock = new VirtualClock();
    const u = bareUart();
    const engine = new AtEngine(u.uart, clock);
    expect(u.sink()).toBe(engine);
    let res: number | null = null;
    engine.send({ command: "", shape: 0, timeoutMs: 300 }, (r) => (res = r.code));
    expect(u.written).toEqual(["AT\r"]);
    u.feed("\r\nOK\r\n");
    expect(res).toBe(RESULT_OK);
  });
});

describe("AtEngine: queue and settle", () => {
  it("runs commands one at a time in FIFO order, with the settle pause between them", () => {
    const r = rig(true, { kind: "all" }, { settleMs: 20 });
    r.modem.script({ cmd: "AT+A", reply: "\r\nOK\r\n" }, { cmd: "AT+B", reply: "\r\nOK\r\n" }, { cmd: "AT+C", reply: "\r\nERROR\r\n" });
    const a = send(r, { command: "+A" });
    const b = send(r, { command: "+B" });
    const c = send(r, { command: "+C" });
    expect(r.modem.commands).toEqual(["AT+A"]); // only one in flight
    expect(r.engine.queued()).toBe(2);
    r.clock.advance(1000);
    expect([a.result?.code, b.result?.code, c.result?.code]).toEqual([RESULT_OK, RESULT_OK, RESULT_ERROR]);
    expect(r.modem.commands).toEqual(["AT+A", "AT+B", "AT+C"]);
    // Writes are separated by at least the settle pause after the previous final result.
    const w = r.modem.writes.map((x) => x.t);
    expect(w[1] - a.at).toBeGreaterThanOrEqual(20);
    expect(w[2] - b.at).toBeGreaterThanOrEqual(20);
    expect(r.modem.mismatches).toEqual([]);
  });

  it("refuses when the queue is full or the engine is closed, and then does not call done", () => {
    const r = rig(true, { kind: "all" }, { queue: new CommandQueue(2) });
    const calls: number[] = [];
    const req = { command: "+X", shape: 0, timeoutMs: 100 };
    expect(r.engine.send(req, () => calls.push(1))).toBe(true); // in flight
    expect(r.engine.send(req, () => calls.push(2))).toBe(true);
    expect(r.engine.send(req, () => calls.push(3))).toBe(true);
    expect(r.engine.send(req, () => calls.push(4))).toBe(false);
    r.engine.close();
    expect(r.engine.send(req, () => calls.push(5))).toBe(false);
    expect(calls).toEqual([1, 2, 3]); // cancelled by close, nothing refused was called
  });

  it("rejects non-ASCII, control characters and over-long commands without writing", () => {
    const r = rig(true, { kind: "all" }, { txBufferSize: 16 });
    r.modem.script({ cmd: "AT+OK", reply: "\r\nOK\r\n" });
    const bad1 = send(r, { command: '+QSMTPSUB="é"' });
    const bad2 = send(r, { command: "+X\r+Y" });
    const bad3 = send(r, { command: "+0123456789ABCDEF" });
    const bad4 = send(r, { command: "+P", shape: SHAPE_PROMPT }); // no data
    const bad5 = send(r, { command: "+L", shape: SHAPE_LINE }); // no prefix
    const bad6 = send(r, { command: "+T", timeoutMs: 0 });
    const good = send(r, { command: "+OK" });
    r.clock.advance(100);
    for (const b of [bad1, bad2, bad3, bad4, bad5, bad6]) expect(b.result?.code).toBe(RESULT_REJECTED);
    expect(good.result?.code).toBe(RESULT_OK);
    expect(r.modem.commands).toEqual(["AT+OK"]);
  });
});

describe("AtEngine without the command queue (firmware/ext/queue left out)", () => {
  it("holds one command behind the one in flight (the settle pause's) and refuses another: room() says so, done is never called", () => {
    const r = rig(true, { kind: "all" }, { settleMs: 20, queue: undefined });
    r.modem.script({ cmd: "AT+A", reply: "\r\nOK\r\n", delayMs: 30 }, { cmd: "AT+B", reply: "\r\nOK\r\n" }, { cmd: "AT+D", reply: "\r\nOK\r\n" });
    const calls: string[] = [];
    expect(r.engine.room()).toBe(1);
    const a = send(r, { command: "+A" }); // in flight at once
    expect(r.engine.room()).toBe(1);
    const b = send(r, { command: "+B" }); // waits behind it
    expect([r.engine.queued(), r.engine.room()]).toEqual([1, 0]);
    expect(r.engine.send({ command: "+C", shape: 0, timeoutMs: 100 }, () => calls.push("C"))).toBe(false);
    expect(r.engine.queued()).toBe(1);
    // A's final result: B waits out the settle pause in the one place, which is free again when B is written.
    r.clock.advance(35);
    expect(a.result?.code).toBe(RESULT_OK);
    expect(r.modem.commands).toEqual(["AT+A"]);
    expect([r.engine.queued(), r.engine.room()]).toEqual([1, 0]);
    const d = { result: -1 };
    expect(r.engine.send({ command: "+D", shape: 0, timeoutMs: 100 }, (x) => (d.result = x.code))).toBe(false); // still B's place
    r.clock.advance(20);
    expect(r.modem.commands).toEqual(["AT+A", "AT+B"]);
    expect([r.engine.queued(), r.engine.room()]).toEqual([0, 1]);
    expect(r.engine.send({ command: "+D", shape: 0, timeoutMs: 100 }, (x) => (d.result = x.code))).toBe(true);
    r.clock.advance(1000);
    expect([b.result?.code, d.result]).toEqual([RESULT_OK, RESULT_OK]);
    expect(r.modem.commands).toEqual(["AT+A", "AT+B", "AT+D"]);
    expect(calls).toEqual([]); // the refused C was never written nor answered
    r.engine.close();
    expect(r.engine.room()).toBe(-1);
    expect(r.engine.send({ command: "+E", shape: 0, timeoutMs: 100 }, () => calls.push("E"))).toBe(false);
    expect(calls).toEqual([]);
  });

  it("close and flush cancel the waiting command as they cancel a queue's", () => {
    const r = rig(true, { kind: "all" }, { settleMs: 20, queue: undefined });
    r.modem.script({ cmd: "AT+A" });
    const a = send(r, { command: "+A", timeoutMs: 5000 });
    const b = send(r, { command: "+B" });
    r.engine.flush();
    expect([a.result?.code, b.result?.code, r.engine.room()]).toEqual([RESULT_CANCELLED, RESULT_CANCELLED, 1]);
    r.clock.advance(30); // the settle pause after the cancelled A
    const c = send(r, { command: "+C", timeoutMs: 5000 });
    const d = send(r, { command: "+D" });
    r.engine.close();
    expect([c.result?.code, d.result?.code, c.calls, d.calls]).toEqual([RESULT_CANCELLED, RESULT_CANCELLED, 1, 1]);
  });
});

describe("AtEngine: deadlines", () => {
  it("times out at the absolute deadline even under URC chatter, and counts consecutive timeouts", () => {
    const r = rig(true, { kind: "all" });
    r.modem.script({ cmd: "AT+Q1" }, { cmd: "AT+Q2" }, { cmd: "AT+Q3", reply: "\r\nOK\r\n" });
    const seen = urcs(r, "+CEREG:");
    for (let t = 50; t < 3000; t += 50) r.modem.inject("\r\n+CEREG: 1\r\n", t);
    const q1 = send(r, { command: "+Q1", timeoutMs: 500 });
    const q2 = send(r, { command: "+Q2", timeoutMs: 500 });
    r.clock.advance(499);
    expect(q1.result).toBeNull();
    r.clock.advance(1);
    expect(q1.result?.code).toBe(RESULT_TIMEOUT);
    expect(q1.result?.elapsedMs).toBe(500);
    expect(r.engine.consecutiveTimeouts()).toBe(1);
    r.clock.advance(600);
    expect(q2.result?.code).toBe(RESULT_TIMEOUT);
    expect(q2.result?.elapsedMs).toBe(500);
    expect(r.engine.consecutiveTimeouts()).toBe(2);
    const q3 = send(r, { command: "+Q3" });
    r.clock.advance(100);
    expect(q3.result?.code).toBe(RESULT_OK);
    expect(r.engine.consecutiveTimeouts()).toBe(0);
    expect(seen.length).toBeGreaterThan(10);
    expect(r.engine.stats().timeouts).toBe(2);
  });
});

describe("AtEngine: late final results", () => {
  for (const echo of [true, false]) {
    it(`a late OK during the settle pause never completes the next command (echo ${echo ? "on" : "off"})`, () => {
      const r = rig(echo, { kind: "all" }, { settleMs: 50 });
      r.modem.script({ cmd: "AT+SLOW" }, { cmd: "AT+NEXT", reply: "\r\nERROR\r\n", delayMs: 30 });
      const slow = send(r, { command: "+SLOW", timeoutMs: 300 });
      const next = send(r, { command: "+NEXT", timeoutMs: 300 });
      r.modem.inject("\r\nOK\r\n", 310); // 10 ms after the timeout, inside the settle pause
      r.clock.advance(1000);
      expect(slow.result?.code).toBe(RESULT_TIMEOUT);
      expect(next.result?.code).toBe(RESULT_ERROR); // its own answer, not the late OK
      expect(r.engine.stats().lateFinals).toBe(1);
    });

    it(`a late OK after the next command was written does not complete a SHAPE_LINE command (echo ${echo ? "on" : "off"})`, () => {
      const r = rig(echo, { kind: "all" }, { settleMs: 20 });
      r.modem.script({ cmd: "AT+SLOW" }, { cmd: "AT+CSQ", reply: "\r\n+CSQ: 23,99\r\n\r\nOK\r\n", delayMs: 40 });
      const slow = send(r, { command: "+SLOW", timeoutMs: 300 });
      const p = r.engine.prefix("+CSQ:");
      let rssi = -1;
      const next = send(r, { command: "+CSQ", shape: SHAPE_LINE, prefix: p, onLine: (l) => (rssi = l.int(0, -1)) });
      r.modem.inject("\r\nOK\r\n", 330); // next command written at 320; its echo/answer at 321/360
      r.clock.advance(1000);
      expect(slow.result?.code).toBe(RESULT_TIMEOUT);
      expect(next.result?.code).toBe(RESULT_OK);
      expect(next.at).toBe(360); // completed by its own OK, not the late one at 330
      expect(rssi).toBe(23);
      expect(r.engine.stats().lateFinals).toBe(1);
    });
  }

  it("with echo on, a late OK before the next command's echo is not taken (SHAPE_NONE)", () => {
    const r = rig(true, { kind: "all" }, { settleMs: 20 });
    r.modem.script({ cmd: "AT", reply: "\r\nOK\r\n" }, { cmd: "AT+SLOW" }, { cmd: "AT+NEXT", reply: "\r\nERROR\r\n", delayMs: 50 });
    send(r, { command: "" });
    r.clock.advance(100); // learn that echo is on
    const slow = send(r, { command: "+SLOW", timeoutMs: 300 });
    const next = send(r, { command: "+NEXT", timeoutMs: 300 });
    // The next command is written at ~421; the late OK arrives before its echo (at ~471).
    r.modem.inject("\r\nOK\r\n", 330);
    r.clock.advance(1000);
    expect(slow.result?.code).toBe(RESULT_TIMEOUT);
    expect(next.result?.code).toBe(RESULT_ERROR);
    expect(r.engine.stats().lateFinals).toBe(1);
  });

  it("a final result that never comes does not make later commands time out in turn", () => {
    for (const echo of [true, false]) {
      const r = rig(echo, { kind: "all" });
      r.modem.script(
        { cmd: "AT", reply: "\r\nOK\r\n" },
        { cmd: "AT+LOST" },
        { cmd: "AT+A", reply: "\r\nOK\r\n" },
        { cmd: "AT+B", reply: "\r\nOK\r\n" },
      );
      send(r, { command: "" });
      const lost = send(r, { command: "+LOST", timeoutMs: 200 });
      const a = send(r, { command: "+A", timeoutMs: 200 });
      const b = send(r, { command: "+B", timeoutMs: 200 });
      r.clock.advance(2000);
      expect(lost.result?.code).toBe(RESULT_TIMEOUT);
      expect(a.result?.code).toBe(RESULT_OK);
      expect(b.result?.code).toBe(RESULT_OK);
      expect(r.engine.consecutiveTimeouts()).toBe(0);
    }
  });
});

describe("AtEngine: close and flush", () => {
  it("close cancels in-flight and queued commands and no callback fires afterwards", () => {
    const r = rig(true, { kind: "all" });
    r.modem.script({ cmd: "AT+A", reply: "\r\nOK\r\n", delayMs: 50 });
    const seen = urcs(r, "+X:");
    const a = send(r, { command: "+A" });
    const b = send(r, { command: "+B" });
    r.modem.inject("\r\n+X: 1\r\n", 60);
    r.clock.advance(10);
    r.engine.close();
    expect(a.result?.code).toBe(RESULT_CANCELLED);
    expect(b.result?.code).toBe(RESULT_CANCELLED);
    r.clock.advance(5000);
    expect(a.calls).toBe(1);
    expect(b.calls).toBe(1);
    expect(seen).toEqual([]);
    expect(r.clock.pendingTimers()).toBe(0);
  });

  it("a URC handler that closes the engine stops everything at once", () => {
    const r = rig(true, { kind: "all" });
    r.modem.script({ cmd: "AT+A", reply: "\r\n+Z: 1\r\nOK\r\n" });
    const later: string[] = [];
    r.engine.onUrc(r.engine.prefix("+Z:"), () => r.engine.close());
    r.engine.onUrc(r.engine.prefix("+Z:"), () => later.push("second handler"));
    const a = send(r, { command: "+A" });
    r.clock.advance(100);
    expect(a.result?.code).toBe(RESULT_CANCELLED);
    expect(a.calls).toBe(1);
    expect(later).toEqual([]);
  });

  it("flush (e.g. on RDY) cancels everything, and commands sent afterwards run", () => {
    const r = rig(true, { kind: "all" });
    r.modem.script({ cmd: "AT+QSMTPPUT=300" }, { cmd: "ATE0", reply: "\r\nOK\r\n" });
    r.engine.onUrc(r.engine.prefix("RDY"), () => {
      r.engine.flush();
      send(r, { command: "E0" });
    });
    const put = send(r, { command: "+QSMTPPUT=300", timeoutMs: 5000 });
    const queued = send(r, { command: "+CSQ" });
    r.modem.inject("\r\nRDY\r\n", 100);
    r.clock.advance(1000);
    expect(put.result?.code).toBe(RESULT_CANCELLED);
    expect(queued.result?.code).toBe(RESULT_CANCELLED);
    expect(r.modem.commands).toEqual(["AT+QSMTPPUT=300", "ATE0"]);
    expect(r.engine.consecutiveTimeouts()).toBe(0);
  });
});

describe("AtEngine: classification", () => {
  it("routes URCs by prefix, gives prefixed lines to the command in flight, counts unknown lines", () => {
    const r = rig(true, { kind: "all" });
    r.modem.script({
      cmd: "AT+QIACT?",
      reply: '\r\n+QIACT: 1,1,1,"10.7.157.1"\r\n\r\n+CEREG: 5\r\n\r\n+QIACT: 2,1,1,"10.0.0.2"\r\nSRING: 1\r\n\r\nOK\r\n',
    });
    const cereg = urcs(r, "+CEREG:");
    const qiact = urcs(r, "+QIACT:");
    const got: string[] = [];
    const a = send(r, {
      command: "+QIACT?",
      shape: SHAPE_LINES,
      prefix: r.engine.prefix("+QIACT:"),
      onLine: (l) => got.push(`${l.int(0, -1)}:${l.str(3)}`),
    });
    r.modem.inject("\r\n+QIACT: 9\r\n", 50); // same prefix, nothing in flight: a URC
    r.clock.advance(100);
    expect(a.result?.code).toBe(RESULT_OK);
    expect(got).toEqual(["1:10.7.157.1", "2:10.0.0.2"]);
    expect(cereg).toEqual(["+CEREG: 5"]);
    expect(qiact).toEqual(["+QIACT: 9"]);
    const s = r.engine.stats();
    expect(s.unknown).toBe(1); // SRING: 1
    expect(s.urcs).toBe(2);
  });

  it("parses +CME ERROR numeric and text, and +CMS ERROR", () => {
    const r = rig(false, { kind: "all" });
    r.modem.script(
      { cmd: "AT+A", reply: "\r\n+CME ERROR: 14\r\n" },
      { cmd: "AT+B", reply: "\r\n+CME ERROR: SIM busy, retry\r\n" },
      { cmd: "AT+C", reply: "\r\n+CMS ERROR: 500\r\n" },
      { cmd: "AT+D", reply: "\r\nNO CARRIER\r\n" },
    );
    const a = send(r, { command: "+A" });
    const b = send(r, { command: "+B" });
    const c = send(r, { command: "+C" });
    const d = send(r, { command: "+D" });
    r.clock.advance(500);
    expect(a.result).toMatchObject({ code: 2, errorCode: 14, errorText: "" });
    expect(b.result).toMatchObject({ code: 2, errorCode: -1, errorText: "SIM busy, retry" });
    expect(c.result).toMatchObject({ code: 3, errorCode: 500 });
    expect(d.result).toMatchObject({ code: 4 });
  });
});

describe("AtEngine: result objects", () => {
  it("reuses one result object, but a report nested in a callback gets its own", () => {
    const r = rig(true, { kind: "all" });
    r.modem.script({ cmd: "AT+A", reply: "\r\n+CME ERROR: 10\r\n" }, { cmd: "AT+C", reply: "\r\nOK\r\n" });
    const seen: string[] = [];
    let first: object | null = null;
    let again: object | null = null;
    r.engine.send({ command: "+A", shape: 0, timeoutMs: 100 }, (res) => {
      first = res;
      r.engine.flush(); // cancels +B while this callback still reads its result
      seen.push(`${res.code}/${res.errorCode}`);
    });
    r.engine.send({ command: "+B", shape: 0, timeoutMs: 100 }, (res) => seen.push(`B:${res.code}`));
    r.clock.advance(50);
    r.engine.send({ command: "+C", shape: 0, timeoutMs: 100 }, (res) => {
      again = res;
      seen.push(`C:${res.code}`);
    });
    r.clock.advance(50);
    expect(seen).toEqual([`B:${RESULT_CANCELLED}`, "2/10", `C:${RESULT_OK}`]);
    expect(again).toBe(first);
  });
});

describe("AtEngine: echo check (RESULT_GARBLED)", () => {
  const SUB = 'AT+QSMTPSUB=0,"Alarm: door 1 open"';
  const damaged = [
    { what: "a byte changed", echo: 'AT+QSMTPSUB=0,"AlArm: door 1 open"' },
    { what: "a byte lost", echo: 'AT+QSMTPSUB=0,"Alrm: door 1 open"' },
  ];

  /** Run `fn` over the chunking sweep; failures name the chunking. */
  function everyChunking(maxSplit: number, fn: (c: Chunking) => void): void {
    for (const c of sweep(maxSplit)) {
      try {
        fn(c);
      } catch (e) {
        (e as Error).message = `[${chunkingName(c)}] ${(e as Error).message}`;
        throw e;
      }
    }
  }

  /** A rig whose module echoes; "AT" first, so the engine knows echo is on. */
  function echoing(c: Chunking): Rig {
    const r = rig(true, c);
    r.modem.script({ cmd: "AT", reply: "\r\nOK\r\n" });
    const at = send(r, { command: "" });
    r.clock.advance(100);
    expect(at.result?.code).toBe(RESULT_OK);
    return r;
  }

  for (const d of damaged) {
    it(`an OK after an echo with ${d.what} is RESULT_GARBLED; the next command is judged afresh`, () => {
      everyChunking(50, (c) => {
        const r = echoing(c);
        r.modem.echo = false; // the module's echo is played by the reply: the command as it arrived
        r.modem.script({ cmd: SUB, reply: d.echo + "\r\r\nOK\r\n" });
        const sub = send(r, { command: SUB.substring(2) });
        r.clock.advance(100);
        expect(sub.result?.code).toBe(RESULT_GARBLED);
        expect(r.engine.stats().unknown).toBe(0); // the differing echo was taken as one, not as an unknown line
        r.modem.echo = true;
        r.modem.script({ cmd: SUB, reply: "\r\nOK\r\n" });
        const again = send(r, { command: SUB.substring(2) });
        r.clock.advance(100);
        expect(again.result?.code).toBe(RESULT_OK);
      });
    });

    it(`a differing echo is caught even before echo is known to be on (${d.what})`, () => {
      everyChunking(12, (c) => {
        const r = rig(false, c);
        r.modem.script({ cmd: SUB, reply: d.echo + "\r\r\nOK\r\n" });
        const sub = send(r, { command: SUB.substring(2) });
        r.clock.advance(100);
        expect(sub.result?.code).toBe(RESULT_GARBLED);
      });
    });
  }

  it("a differing echo does not hide an error result", () => {
    everyChunking(12, (c) => {
      const r = echoing(c);
      r.modem.echo = false;
      r.modem.script({ cmd: SUB, reply: damaged[0].echo + "\r\r\nERROR\r\n" }, { cmd: SUB, reply: damaged[1].echo + "\r\r\n+CME ERROR: 664\r\n" });
      const a = send(r, { command: SUB.substring(2) });
      const b = send(r, { command: SUB.substring(2) });
      r.clock.advance(200);
      expect(a.result?.code).toBe(RESULT_ERROR);
      expect(b.result?.code).toBe(RESULT_CME);
      expect(b.result?.errorCode).toBe(664);
    });
  });

  it("echo known on and no echo at all: RESULT_GARBLED once; a module with echo really off is reported once, not forever", () => {
    everyChunking(12, (c) => {
      const r = echoing(c);
      r.modem.echo = false;
      r.modem.script({ cmd: "AT+A", reply: "\r\nOK\r\n" }, { cmd: "AT+B", reply: "\r\nOK\r\n" });
      const a = send(r, { command: "+A" });
      const b = send(r, { command: "+B" });
      r.clock.advance(200);
      expect(a.result?.code).toBe(RESULT_GARBLED);
      expect(b.result?.code).toBe(RESULT_OK); // echo is off now: nothing to compare
      // Echo back on: learnt again from the next echo, and checked again after it.
      r.modem.echo = true;
      r.modem.script({ cmd: "AT+C", reply: "\r\nOK\r\n" });
      const cc = send(r, { command: "+C" });
      r.clock.advance(100);
      expect(cc.result?.code).toBe(RESULT_OK);
      r.modem.echo = false;
      r.modem.script({ cmd: "AT+D", reply: "\r\nOK\r\n" });
      const dd = send(r, { command: "+D" });
      r.clock.advance(100);
      expect(dd.result?.code).toBe(RESULT_GARBLED);
    });
  });

  it("with echo off from the start, an OK without echo is an OK", () => {
    everyChunking(8, (c) => {
      const r = rig(false, c);
      r.modem.script({ cmd: "AT", reply: "\r\nOK\r\n" }, { cmd: SUB, reply: "\r\nOK\r\n" });
      const at = send(r, { command: "" });
      const sub = send(r, { command: SUB.substring(2) });
      r.clock.advance(200);
      expect(at.result?.code).toBe(RESULT_OK);
      expect(sub.result?.code).toBe(RESULT_OK);
    });
  });

  it("data mode: only the command line is echoed, not the payload; a differing command echo is caught there too", () => {
    const body = new Uint8Array(300).fill(0x41); // 'A's: not an echo, nor ACKs (no ack mode)
    everyChunking(20, (c) => {
      const r = echoing(c);
      const p = r.engine.prefix("+QSMTPBODY:");
      r.modem.script({ cmd: "AT+QSMTPBODY=0,300,60", reply: "\r\nCONNECT\r\n", data: { expect: 300, reply: "\r\n+QSMTPBODY: 300\r\n\r\nOK\r\n" } });
      const ok = send(r, { command: "+QSMTPBODY=0,300,60", shape: SHAPE_PROMPT, prefix: p, data: bytesSource(body), timeoutMs: 65000 });
      r.clock.advance(2000);
      expect(ok.result?.code).toBe(RESULT_OK);
      r.modem.echo = false;
      r.modem.script({ cmd: "AT+QSMTPBODY=0,300,60", reply: "AT+QSMTPBODY=0,700,60\r\r\nCONNECT\r\n", data: { expect: 300, reply: "\r\n+QSMTPBODY: 300\r\n\r\nOK\r\n" } });
      const bad = send(r, { command: "+QSMTPBODY=0,300,60", shape: SHAPE_PROMPT, prefix: p, data: bytesSource(body), timeoutMs: 65000 });
      r.clock.advance(2000);
      expect(bad.result?.code).toBe(RESULT_GARBLED);
    });
  });
});
