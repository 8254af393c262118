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
  RESULT_DAMAGED, RESULT_ERROR, RESULT_GARBLED, RESULT_OK, RESULT_REJECTED, RESULT_SEND_FAIL, RESULT_TIMEOUT, SHAPE_LINE, SHAPE_LINES, SHAPE_NONE, SHAPE_PROMPT,
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

describe("a read's answer must end exactly as framed: CR LF CR LF, then the final result (RESULT_DAMAGED)", () => {
  const DATA = "250-smtp.example.com\r\n250 OK\r\n";
  const reply = `\r\n+QIRD: ${DATA.length}\r\n${DATA}\r\n\r\nOK\r\n`;
  function readReq(engine: AtEngine, got: Uint8Array[]): AtRequest {
    return {
      command: "+QIRD=0,1500", shape: SHAPE_LINE, prefix: engine.prefix("+QIRD:"), timeoutMs: 5000,
      readsData: (d, s, e) => got.push(d.slice(s, e)),
    };
  }

  it("any one byte lost from the answer, fed whole and byte by byte: either the data came whole or the read is DAMAGED (or times out), never OK with other bytes", () => {
    const dataAt = reply.indexOf(DATA);
    for (let lost = 0; lost < reply.length; lost++) {
      for (const cut of [undefined, 1]) {
        const { u, engine, clock } = setup();
        const got: Uint8Array[] = [];
        const r = run(engine, readReq(engine, got));
        u.feed(reply.slice(0, lost) + reply.slice(lost + 1), cut);
        clock.advance(5000);
        const what = `lost byte ${lost} (${JSON.stringify(reply[lost])}), ${cut ? "byte by byte" : "whole"}`;
        if (r.code === RESULT_OK) expect(text(got), what).toBe(DATA);
        else expect([RESULT_DAMAGED, RESULT_TIMEOUT], what).toContain(r.code);
        // A byte of the data or of its count lost: never OK.
        if (lost >= dataAt && lost < dataAt + DATA.length) expect(r.code, what).toBe(RESULT_DAMAGED);
        if (reply[lost] >= "0" && reply[lost] <= "9" && lost < dataAt) expect(r.code, what).not.toBe(RESULT_OK);
        // One of the end's four line-end bytes lost after data that end with LF: provably
        // harmless (a lost data byte would have made the count end on the tail's CR): taken.
        const tailAt = dataAt + DATA.length;
        if (lost >= tailAt && lost < tailAt + 4) {
          expect(r.code, what).toBe(RESULT_OK);
          expect(text(got), what).toBe(DATA);
        }
      }
    }
  });

  it("the intact answer at every split point is OK; a count line that never came makes the read DAMAGED", () => {
    for (let at = 0; at <= reply.length; at++) {
      const { u, engine } = setup();
      const got: Uint8Array[] = [];
      const r = run(engine, readReq(engine, got));
      u.feed(reply.slice(0, at));
      u.feed(reply.slice(at));
      expect(r.code, `split ${at}`).toBe(RESULT_OK);
      expect(text(got), `split ${at}`).toBe(DATA);
    }
    const { u, engine } = setup();
    const r = run(engine, readReq(engine, []));
    u.feed(`\r\n+QRD: ${DATA.length}\r\n${DATA}\r\n\r\nOK\r\n`);
    expect(r.code).toBe(RESULT_DAMAGED);
  });

  it("an end byte lost after data that do not end with LF cannot be told from a lost data byte: DAMAGED", () => {
    for (let lost = 0; lost < 4; lost++) {
      const { u, engine } = setup();
      const got: Uint8Array[] = [];
      const r = run(engine, readReq(engine, got));
      const end = "\r\n\r\n";
      u.feed("\r\n+QIRD: 5\r\n250 O" + end.slice(0, lost) + end.slice(lost + 1) + "OK\r\n");
      expect(r.code, `end byte ${lost}`).toBe(RESULT_DAMAGED);
    }
  });

  it("'+QIRD: 0' followed by anything but the final result is DAMAGED (a count digit lost: '+QIRD: 3' of 30 bytes)", () => {
    const { u, engine } = setup();
    const r = run(engine, readReq(engine, []));
    u.feed("\r\n+QIRD: 0\r\n250 OK\r\n\r\nOK\r\n");
    expect(r.code).toBe(RESULT_DAMAGED);
    const b = setup();
    const rb = run(b.engine, readReq(b.engine, []));
    b.u.feed("\r\n+QIRD: 0\r\n\r\nOK\r\n");
    expect(rb.code).toBe(RESULT_OK);
  });
});

describe("a checked send (commitEcho): AT+QISEND=<id>, '> ', the echo compared, Ctrl+Z or ESC", () => {
  const P = "RCPT TO:<ops@example.com>\r\n.\r\nOK\r\nSEND OK\r\n";
  function req(payload = P): AtRequest {
    return { command: "+QSSLSEND=1", shape: SHAPE_PROMPT, promptGt: true, commitEcho: true, data: bytesSource(enc(payload)), timeoutMs: 2000 };
  }
  const after = (u: { written: string[] }) => u.written.slice(1).join("");

  // (The module echoes only what it was sent, and the payload goes only after the prompt: the
  // prompt always ends its delivery.)
  it("a matching echo commits with Ctrl+Z; SEND OK is OK; at every split point of the echo and the answer, whatever the payload holds", () => {
    const answer = P;
    for (let at = 0; at <= answer.length; at++) {
      const { u, engine } = setup();
      const r = run(engine, req());
      u.feed("AT+QSSLSEND=1\r\r\n> ");
      expect(after(u), `split ${at}`).toBe(P);
      u.feed(answer.slice(0, at));
      if (at < P.length) expect(after(u), `split ${at}`).toBe(P);
      expect(r.code, `split ${at}`).toBeNull();
      u.feed(answer.slice(at));
      expect(after(u), `split ${at}`).toBe(P + "\x1a");
      expect(r.code, `split ${at}`).toBeNull();
      u.feed("\r\nSEND OK\r\n", 1 + (at % 4));
      expect(r.code, `split ${at}`).toBe(RESULT_OK);
      expect(engine.stats().unknown, `split ${at}`).toBe(0);
    }
  });

  it("an echo that differs in one byte (a flipped bit) cancels with ESC, never Ctrl+Z; the OK to ESC is GARBLED (nothing was sent)", () => {
    for (let i = 0; i < P.length; i++) {
      const { u, engine } = setup();
      const r = run(engine, req());
      const bad = P.slice(0, i) + String.fromCharCode(P.charCodeAt(i) ^ 0x20) + P.slice(i + 1);
      u.feed("\r\n> ");
      u.feed(bad);
      expect(after(u), `byte ${i}`).toBe(P + "\x1b");
      u.feed("\r\nOK\r\n");
      expect(r.code, `byte ${i}`).toBe(RESULT_GARBLED);
    }
  });

  it("an echo one byte short (a payload byte lost on its way) stalls: ESC after ECHO_STALL, then GARBLED", () => {
    const { u, engine, clock } = setup();
    const r = run(engine, req());
    u.feed("\r\n> ");
    u.feed(P.slice(0, 10) + P.slice(11));
    expect(after(u)).toBe(P);
    clock.advance(299);
    expect(after(u)).toBe(P);
    clock.advance(1);
    expect(after(u)).toBe(P + "\x1b");
    u.feed("\r\nOK\r\n");
    expect(r.code).toBe(RESULT_GARBLED);
  });

  it("no prompt (the command's CR lost): ESC at the deadline, GARBLED when nothing answers it; no payload byte written", () => {
    const { u, engine, clock } = setup();
    const r = run(engine, req());
    u.feed("AT+QSSLSEND=1");
    clock.advance(2000);
    expect(after(u)).toBe("\x1b");
    expect(r.code).toBeNull();
    clock.advance(2000);
    expect(r.code).toBe(RESULT_GARBLED);
  });

  it("Ctrl+Z without SEND OK: ESC; its OK (Ctrl+Z was lost, the ESC cancelled) is GARBLED, silence (SEND OK lost) is OK, SEND OK is OK", () => {
    for (const [answer, want] of [["\r\nOK\r\n", RESULT_GARBLED], ["", RESULT_OK], ["\r\nSEND OK\r\n", RESULT_OK], ["\r\nERROR\r\n", RESULT_GARBLED]] as const) {
      const { u, engine, clock } = setup();
      const r = run(engine, req());
      u.feed("\r\n> ");
      u.feed(P);
      clock.advance(2000);
      expect(after(u)).toBe(P + "\x1a\x1b");
      if (answer) u.feed(answer);
      else clock.advance(6000);
      expect(r.code, JSON.stringify(answer)).toBe(want);
    }
  });

  it("after ESC, a SEND OK or silence means the module had left the send (a payload byte turned into Ctrl+Z on the wire): DAMAGED, whether it sent is unknown", () => {
    const a = setup();
    const ra = run(a.engine, req());
    a.u.feed("\r\n> ");
    a.u.feed(P.slice(0, 5) + "\r\nSEND OK\r\n" + P.slice(6, P.length - 10));
    a.u.feed("\r\nSEND OK\r\n");
    expect(after(a.u)).toBe(P + "\x1b");
    expect(ra.code).toBe(RESULT_DAMAGED);
    const b = setup();
    const rb = run(b.engine, req());
    b.u.feed("\r\n> ");
    b.u.feed("X" + P.slice(1));
    b.clock.advance(6000);
    expect(rb.code).toBe(RESULT_DAMAGED);
  });

  it("SEND OK in the same delivery as the echo's end came before our Ctrl+Z: the module left the send on its own, DAMAGED", () => {
    const { u, engine } = setup();
    const r = run(engine, req());
    u.feed("\r\n> ");
    u.feed(P + "\r\nSEND OK\r\n");
    expect(r.code).toBe(RESULT_DAMAGED);
    expect(after(u)).toBe(P);
  });

  it("a ByteSource without same() is compared through the engine's scratch buffer: the same decisions", () => {
    const long = P.repeat(5); // longer than the 64-byte scratch
    for (const flip of [-1, 3, 100, long.length - 1]) {
      const { u, engine } = setup();
      const bytes = enc(long);
      const src = { length: bytes.length, read: (pos: number, dst: Uint8Array, off: number, max: number) => bytesSource(bytes).read(pos, dst, off, max) };
      const r = run(engine, { ...req(), data: src });
      u.feed("\r\n> ");
      const echo = flip < 0 ? long : long.slice(0, flip) + String.fromCharCode(long.charCodeAt(flip) ^ 1) + long.slice(flip + 1);
      u.feed(echo, 7);
      expect(after(u), `flip ${flip}`).toBe(long + (flip < 0 ? "\x1a" : "\x1b"));
      u.feed(flip < 0 ? "\r\nSEND OK\r\n" : "\r\nOK\r\n");
      expect(r.code, `flip ${flip}`).toBe(flip < 0 ? RESULT_OK : RESULT_GARBLED);
    }
  });

  it("ERROR instead of the prompt is ERROR (not executed), nothing written after the command", () => {
    const { u, engine } = setup();
    const r = run(engine, req());
    u.feed("\r\nERROR\r\n");
    expect(r.code).toBe(RESULT_ERROR);
    expect(u.written).toEqual(["AT+QSSLSEND=1\r"]);
  });
});
