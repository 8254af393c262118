// Data mode: exact payload length under back-pressure and ACK pacing (AT+QFUPL), on the
// virtual clock (DESIGN.md 5.6). (The "+++" escape is gone: it had no caller.)
import { describe, expect, it } from "vitest";
import { RESULT_OK, RESULT_REJECTED, RESULT_TIMEOUT, SHAPE_PROMPT } from "../../firmware/at/types.js";
import type { ByteSource } from "../../firmware/at/types.js";
import { bytesSource } from "../../firmware/at/source.js";
import { rig, send } from "./support/harness.js";
import { chunkingName, sweep } from "./support/modem.js";

function pattern(n: number): Uint8Array {
  const u = new Uint8Array(n);
  for (let i = 0; i < n; i++) u[i] = (i * 31 + 7) & 0xff;
  return u;
}

describe("data mode: payload", () => {
  it("writes exactly data.length bytes through small writes, paced by onWritable", () => {
    for (const limit of [1, 3, 64, 1000]) {
      for (const c of sweep(8, 2)) {
        const body = pattern(1500);
        const r = rig(true, c, { dataChunkSize: 100 }, { writeLimit: limit, writableDelayMs: 1 });
        r.modem.script({ cmd: "AT+QSMTPBODY=1,1500,30", reply: "\r\nCONNECT\r\n", data: { expect: 1500, reply: "\r\n+QSMTPBODY: 1500\r\n\r\nOK\r\n" } });
        const b = send(r, { command: "+QSMTPBODY=1,1500,30", shape: SHAPE_PROMPT, prefix: r.engine.prefix("+QSMTPBODY:"), data: bytesSource(body), timeoutMs: 60000 });
        r.clock.advance(5000);
        const what = `limit ${limit} ${chunkingName(c)}`;
        expect(b.result?.code, what).toBe(RESULT_OK);
        expect(new Uint8Array(r.modem.data), what).toEqual(body);
        // No single write took more than the UART offered.
        for (const w of r.modem.writes) expect(w.bytes.length).toBeLessThanOrEqual(limit);
      }
    }
  });

  it("a ByteSource that returns short reads is read in pieces; one that fails stops the command", () => {
    const body = pattern(300);
    const shortReads: ByteSource = {
      length: 300,
      read: (pos, dst, off, max) => bytesSource(body).read(pos, dst, off, Math.min(max, 17)),
    };
    const r = rig(false, { kind: "all" });
    r.modem.script(
      { cmd: "AT+QSMTPBODY=1,300,30", reply: "\r\nCONNECT\r\n", data: { expect: 300, reply: "\r\nOK\r\n" } },
      { cmd: "AT+QSMTPBODY=1,300,30", reply: "\r\nCONNECT\r\n", data: { expect: 300, reply: "\r\nOK\r\n" } },
    );
    const a = send(r, { command: "+QSMTPBODY=1,300,30", shape: SHAPE_PROMPT, data: shortReads, timeoutMs: 5000 });
    r.clock.advance(100);
    expect(a.result?.code).toBe(RESULT_OK);
    expect(new Uint8Array(r.modem.data)).toEqual(body);
    const broken: ByteSource = { length: 300, read: (pos, dst, off, max) => (pos >= 100 ? 0 : bytesSource(body).read(pos, dst, off, Math.min(max, 100 - pos))) };
    const b = send(r, { command: "+QSMTPBODY=1,300,30", shape: SHAPE_PROMPT, data: broken, timeoutMs: 5000 });
    r.clock.advance(100);
    expect(b.result?.code).toBe(RESULT_REJECTED);
    expect(r.modem.data.length).toBe(400);
  });
});

describe("data mode: a CONNECT damaged on the UART", () => {
  it("a CONNECT whose LF was lost: the payload follows at once (the module says nothing more until it has come)", () => {
    for (const echo of [true, false]) {
      for (const c of sweep(6, 2)) {
        const body = pattern(300);
        const r = rig(echo, c);
        r.modem.script({ cmd: "AT+QSMTPBODY=1,300,30", reply: "\r\nCONNECT\r", data: { expect: 300, reply: "\r\n+QSMTPBODY: 300\r\n\r\nOK\r\n" } });
        const b = send(r, { command: "+QSMTPBODY=1,300,30", shape: SHAPE_PROMPT, prefix: r.engine.prefix("+QSMTPBODY:"), data: bytesSource(body), timeoutMs: 35000 });
        r.clock.advance(1000);
        expect(b.result?.code, chunkingName(c)).toBe(RESULT_OK);
        expect(new Uint8Array(r.modem.data)).toEqual(body);
      }
    }
  });

  // The module answers `reply` at once and `later` 30 s on (after its input time, back in command
  // mode): the payload must never be written; the command ends with `code` and `lines`.
  const noPayload: [string, string, string | null, number, string[]][] = [
    ["a CONNECT whose CR and LF were both lost, ended by the module's answer after its input time (it was read too late)", "\r\nCONNECT", "\r\n+QSMTPBODY: 0\r\n\r\nOK\r\n", RESULT_OK, ["+QSMTPBODY: 0"]],
    ["a CONNECT damaged in its letters (CNNECT): the module's answer ends the command with its count, not its deadline", "\r\nCNNECT\r\n", "\r\n+QSMTPBODY: 0\r\n\r\nOK\r\n", RESULT_OK, ["+QSMTPBODY: 0"]],
    ["a CONNECT whose line end was lost and no answer: read at the deadline, too late (the module's input time has run out)", "\r\nCONNECT", null, RESULT_TIMEOUT, []],
  ];
  for (const [what, reply, later, code, lines] of noPayload) {
    it(`${what}: the payload is never written (the module would take it as commands)`, () => {
      for (const echo of [true, false]) {
        for (const c of sweep(6, 2)) {
          const r = rig(echo, c);
          r.modem.script({ cmd: "AT+QSMTPBODY=1,300,30", reply, later: later === null ? [] : [{ delayMs: 30000, rx: later }] });
          const b = send(r, { command: "+QSMTPBODY=1,300,30", shape: SHAPE_PROMPT, prefix: r.engine.prefix("+QSMTPBODY:"), data: bytesSource(pattern(300)), timeoutMs: 35000 });
          r.clock.advance(40000);
          expect(b.result?.code, chunkingName(c)).toBe(code);
          expect(b.lines, chunkingName(c)).toEqual(lines); // the driver: a body short
          expect(r.modem.writes.map((w) => w.bytes).join(""), chunkingName(c)).toBe("AT+QSMTPBODY=1,300,30\r");
        }
      }
    });
  }
});

describe("data mode: ACK pacing (AT+QFUPL ack mode)", () => {
  it("waits for one 'A' after every 1024 bytes, never runs ahead", () => {
    for (const echo of [true, false]) {
      for (const c of sweep(6, 3)) {
        const body = pattern(3000);
        const r = rig(echo, c, { dataChunkSize: 256 });
        r.modem.script({
          cmd: 'AT+QFUPL="UFS:a.bin",3000,10,1',
          reply: "\r\nCONNECT\r\n",
          data: { expect: 3000, ackEvery: 1024, ackDelayMs: 50, reply: "\r\n+QFUPL: 3000,1a2b\r\n\r\nOK\r\n" },
        });
        let size = -1;
        let sum = -1;
        const a = send(r, {
          command: 'AT+QFUPL="UFS:a.bin",3000,10,1'.slice(2),
          shape: SHAPE_PROMPT,
          prefix: r.engine.prefix("+QFUPL:"),
          data: bytesSource(body),
          ackEvery: 1024,
          timeoutMs: 10000,
          onLine: (l) => {
            size = l.int(0, -1);
            sum = l.hex(1, -1);
          },
        });
        const what = `echo ${echo} ${chunkingName(c)}`;
        r.clock.advance(10); // CONNECT arrived at 1: first block written, no ack yet
        expect(r.modem.data.length, what).toBe(1024);
        r.clock.advance(45); // ack at 51
        expect(r.modem.data.length, what).toBe(2048);
        r.clock.advance(50); // ack at 101
        expect(r.modem.data.length, what).toBe(3000);
        r.clock.advance(100);
        expect(a.result?.code, what).toBe(RESULT_OK);
        expect(new Uint8Array(r.modem.data), what).toEqual(body);
        expect([size, sum], what).toEqual([3000, 0x1a2b]);
      }
    }
  });

  it("without acknowledgements the upload stalls at 1024 bytes and times out", () => {
    const r = rig(true, { kind: "all" });
    r.modem.script({ cmd: 'AT+QFUPL="UFS:b",2048,10,1', reply: "\r\nCONNECT\r\n", data: { expect: 2048, ackEvery: 1024, ackDelayMs: -1, reply: "" } });
    const a = send(r, { command: '+QFUPL="UFS:b",2048,10,1', shape: SHAPE_PROMPT, data: bytesSource(pattern(2048)), ackEvery: 1024, timeoutMs: 3000 });
    r.clock.advance(5000);
    expect(r.modem.data.length).toBe(1024);
    expect(a.result?.code).toBe(RESULT_TIMEOUT);
  });
});
