// The AT engine's socket forms (docs/sockets.md): the "> " prompt of AT+QISEND/AT+QSSLSEND
// (no line end), SEND OK / SEND FAIL as the end of its payload, the payload's echo when the
// module gives one (AT+QISDE=1), and the counted raw bytes after "+QIRD: <n>" /
// "+QSSLRECV: <n>". Raw bytes may hold anything, "\r\nOK\r\n" and "SEND OK" included: none of
// it may be read as a line. Every response is also fed at every split point and byte by byte.
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { AtEngine } from "../../firmware/at/engine.js";
import { bytesSource } from "../../firmware/at/source.js";
import {
  RESULT_ERROR, RESULT_OK, RESULT_REJECTED, RESULT_SEND_FAIL, RESULT_TIMEOUT, SHAPE_LINE, SHAPE_LINES, SHAPE_NONE, SHAPE_PROMPT,
  type AtRequest,
} from "../../firmware/at/types.js";
import { bareUart } from "./support/bare-uart.js";

const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const text = (parts: Uint8Array[]) => parts.map((p) => String.fromCharCode(...p)).join("");

function setup() {
  const clock = new VirtualClock();
  const u = bareUart();
  const engine = new AtEngine(u.uart, clock);
  const urcs: string[] = [];
  engine.onUrc(engine.prefix("+QIURC:"), (l) => urcs.push(l.text()));
  return { clock, u, engine, urcs };
}

function run(engine: AtEngine, req: AtRequest): { code: number | null } {
  const out = { code: null as number | null };
  expect(engine.send(req, (r) => (out.code = r.code))).toBe(true);
  return out;
}

const PAYLOAD = "EHLO board\r\n.\r\nOK\r\nSEND OK\r\nERROR\r\n> \r\n";

function sendReq(payload: string, echoData = false): AtRequest {
  return { command: "+QISEND=0," + payload.length, shape: SHAPE_PROMPT, promptGt: true, echoData, data: bytesSource(enc(payload)), timeoutMs: 5000 };
}

describe("AT+QISEND: the '> ' prompt, exactly n payload bytes, SEND OK", () => {
  for (const cut of [undefined, 1, 2, 3, 5]) {
    it(`payload written only after the prompt, then SEND OK ends it (fed ${cut === undefined ? "whole" : "in " + cut + "-byte pieces"})`, () => {
      const { u, engine } = setup();
      const r = run(engine, sendReq(PAYLOAD));
      expect(u.written).toEqual([`AT+QISEND=0,${PAYLOAD.length}\r`]);
      u.feed(`AT+QISEND=0,${PAYLOAD.length}\r\r\n> `, cut);
      expect(u.written.slice(1).join("")).toBe(PAYLOAD);
      expect(r.code).toBeNull();
      u.feed("\r\nSEND OK\r\n", cut);
      expect(r.code).toBe(RESULT_OK);
      expect(engine.stats().unknown).toBe(0);
    });
  }

  it("the prompt without its space, and its space in a later delivery", () => {
    const { u, engine } = setup();
    const r = run(engine, sendReq("x"));
    u.feed("\r\n>");
    expect(u.written.slice(1).join("")).toBe("x");
    u.feed(" \r\nSEND OK\r\n");
    expect(r.code).toBe(RESULT_OK);
  });

  it("SEND FAIL is its own result; ERROR instead of the prompt writes no payload", () => {
    const a = setup();
    const ra = run(a.engine, sendReq("abc"));
    a.u.feed("\r\n> ");
    a.u.feed("\r\nSEND FAIL\r\n");
    expect(ra.code).toBe(RESULT_SEND_FAIL);
    const b = setup();
    const rb = run(b.engine, sendReq("abc"));
    b.u.feed("\r\nERROR\r\n");
    expect(rb.code).toBe(RESULT_ERROR);
    expect(b.u.written).toEqual(["AT+QISEND=0,3\r"]);
  });

  it("SEND OK and '>' mean nothing to other commands", () => {
    const { u, engine } = setup();
    const r = run(engine, { command: "+CSQ", shape: SHAPE_NONE, timeoutMs: 1000 });
    u.feed("\r\nSEND OK\r\n> \r\n");
    expect(r.code).toBeNull();
    u.feed("\r\nOK\r\n");
    expect(r.code).toBe(RESULT_OK);
    expect(engine.stats().unknown).toBe(2);
  });

  it("a payload echo (AT+QISDE=1) is counted out byte for byte, whatever it holds, at any split", () => {
    const echo = PAYLOAD;
    const reply = "\r\nSEND OK\r\n";
    for (let at = 0; at <= echo.length + reply.length; at++) {
      const { u, engine } = setup();
      const r = run(engine, sendReq(PAYLOAD, true));
      u.feed("\r\n> ");
      const all = echo + reply;
      u.feed(all.slice(0, at));
      if (at < echo.length + 3) expect(r.code, `split ${at}`).toBeNull();
      u.feed(all.slice(at));
      expect(r.code, `split ${at}`).toBe(RESULT_OK);
      expect(engine.stats().unknown, `split ${at}`).toBe(0);
    }
  });
});

describe("AT+QIRD: '+QIRD: <n>', then exactly n raw bytes", () => {
  const DATA = "250-smtp.example.com\r\n250 OK\r\n\r\nOK\r\n+QIURC: \"closed\",0\r\nSEND OK\r\n";
  const reply = `\r\n+QIRD: ${DATA.length}\r\n${DATA}\r\n\r\nOK\r\n`;

  function readReq(got: Uint8Array[]): AtRequest {
    return {
      command: "+QIRD=0,1500", shape: SHAPE_LINE, prefix: undefined as never, timeoutMs: 5000,
      readsData: (d, s, e) => got.push(d.slice(s, e)),
    };
  }

  it("hands over exactly the counted bytes at every split point and byte by byte; nothing inside them is a line", () => {
    for (let at = 0; at <= reply.length; at++) {
      const { u, engine, urcs } = setup();
      const got: Uint8Array[] = [];
      const req = readReq(got);
      req.prefix = engine.prefix("+QIRD:");
      const r = run(engine, req);
      u.feed("AT+QIRD=0,1500\r" + reply.slice(0, at));
      u.feed(reply.slice(at));
      expect(text(got), `split ${at}`).toBe(DATA);
      expect(r.code, `split ${at}`).toBe(RESULT_OK);
      expect(urcs, `split ${at}`).toEqual([]);
      expect(engine.stats().unknown, `split ${at}`).toBe(0);
    }
    const { u, engine } = setup();
    const got: Uint8Array[] = [];
    const req = readReq(got);
    req.prefix = engine.prefix("+QIRD:");
    const r = run(engine, req);
    u.feed(reply, 1);
    expect(text(got)).toBe(DATA);
    expect(r.code).toBe(RESULT_OK);
  });

  it("+QIRD: 0 hands over nothing; a URC after the read is a URC again", () => {
    const { u, engine, urcs } = setup();
    const got: Uint8Array[] = [];
    const req = readReq(got);
    req.prefix = engine.prefix("+QIRD:");
    const r = run(engine, req);
    u.feed('\r\n+QIRD: 0\r\n\r\nOK\r\n\r\n+QIURC: "recv",0\r\n');
    expect(got).toEqual([]);
    expect(r.code).toBe(RESULT_OK);
    expect(urcs).toEqual(['+QIURC: "recv",0']);
  });

  it("bytes promised and never sent: the deadline ends the read and framing resumes for what follows", () => {
    const { u, engine, clock, urcs } = setup();
    const got: Uint8Array[] = [];
    const req = readReq(got);
    req.prefix = engine.prefix("+QIRD:");
    const r = run(engine, req);
    u.feed("\r\n+QIRD: 100\r\nonly ten!!");
    clock.advance(5000);
    expect(r.code).toBe(RESULT_TIMEOUT);
    expect(text(got)).toBe("only ten!!");
    u.feed('\r\n+QIURC: "closed",0\r\n');
    expect(urcs).toEqual(['+QIURC: "closed",0']);
  });

  it("refuses what cannot work: readsData not a function or on SHAPE_LINES, echoData without the '>' prompt, ACK pacing with it", () => {
    const { engine } = setup();
    const codes: number[] = [];
    const done = (r: { code: number }) => codes.push(r.code);
    const pfx = engine.prefix("+QIRD:");
    engine.send({ command: "+QIRD=0", shape: SHAPE_LINE, prefix: pfx, timeoutMs: 100, readsData: 1 as never }, done);
    engine.send({ command: "+QIRD=0", shape: SHAPE_LINES, prefix: pfx, timeoutMs: 100, readsData: () => {} }, done);
    engine.send({ command: "+QISEND=0,1", shape: SHAPE_PROMPT, timeoutMs: 100, data: bytesSource(enc("x")), echoData: true }, done);
    engine.send({ command: "+QISEND=0,1", shape: SHAPE_PROMPT, timeoutMs: 100, data: bytesSource(enc("x")), promptGt: true, ackEvery: 1 }, done);
    expect(codes).toEqual([RESULT_REJECTED, RESULT_REJECTED, RESULT_REJECTED, RESULT_REJECTED]);
  });

  it("the forms mean nothing on other shapes: a SHAPE_NONE command's lines are framed as lines", () => {
    const { u, engine } = setup();
    const got: Uint8Array[] = [];
    const r = run(engine, { command: "+X", shape: SHAPE_NONE, timeoutMs: 1000, readsData: (d, s, e) => got.push(d.slice(s, e)), promptGt: true });
    u.feed("\r\n+QIRD: 2\r\nOK\r\n");
    expect(r.code).toBe(RESULT_OK);
    expect(got).toEqual([]);
  });
});
