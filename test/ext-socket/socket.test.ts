// The module's sockets as a byte stream (firmware/ext/socket): the firmware's AT engine
// against the EC800 model (host-sim/ec800/sockets) and a real SMTP server, on the virtual
// clock. A small SMTP speaker in this file talks through the stream (cellmail's own client
// is tested in test/ext-smtp); the mail is read back from the server. Then each fault:
// a lost "recv" URC (the poll reads it), an open refused or unresolved (typed codes), the
// peer closing (what it sent first arrives, then onClosed(null)), a module that keeps the
// payload echo on (the engine counts it out).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { createSimulatedModem } from "../../host-sim/index.js";
import { FaultPlan, type FaultSpec } from "../../host-sim/ec800/faults.js";
import { MailServer, makeServerCredentials, type TlsCredentials } from "../../host-sim/mailserver/index.js";
import { AtEngine } from "../../firmware/at/engine.js";
import { CommandQueue } from "../../firmware/ext/queue/queue.js";
import { RESULT_OK, SHAPE_NONE, type AtResult } from "../../firmware/at/types.js";
import { ModuleSocket } from "../../firmware/ext/socket/socket.js";
import type { CellError } from "../../firmware/errors.js";
import { E_SEND_FAIL, E_STREAM_DAMAGED, E_UNSAFE_CHAR, KIND_CONFIG, KIND_NETWORK, KIND_RETRYABLE } from "../../firmware/errors.js";
import { FakeSmtp } from "../host-sim/harness.js";
import { makeProfile } from "../../host-sim/ec800/profile.js";
import type { UartLink } from "../../host-sim/uart/link.js";

const NAME = "smtp.cellmail.test";
const USER = "alarm@cellmail.test";
const PASSWORD = "sim-Secret-42";
let creds: TlsCredentials;
const servers: MailServer[] = [];
beforeAll(async () => {
  creds = await makeServerCredentials(["localhost", "127.0.0.1", "::1"]);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function server(tls: "none" | "implicit" = "none"): Promise<MailServer> {
  const s = await MailServer.start({ credentials: creds, tls, auth: { user: USER, password: PASSWORD }, greetAtOnce: true });
  servers.push(s);
  return s;
}

interface Rig {
  clock: VirtualClock;
  /** The model's notes (faults that fired, ...). */
  notes: string[];
  /** Every byte the firmware wrote (as the tap saw it, before the link's faults). */
  wire: { toModule: string };
  link: UartLink;
  engine: AtEngine;
  socket: ModuleSocket;
  boots: number;
  at(command: string): Promise<number>;
}

/** The model booted with its PDP context up, the engine on its UART, a socket on connect id 1. */
async function rig(srv: MailServer | null, o: { faults?: FaultSpec[]; radioRttMs?: number } = {}): Promise<Rig> {
  const clock = new VirtualClock();
  const routes: Record<string, { host: string; port: number }> = srv ? { [NAME]: { host: srv.host, port: srv.port } } : {};
  const sim = createSimulatedModem({
    clock,
    smtp: new FakeSmtp(),
    modem: {
      urcPort: "uart1",
      network: { routes, servername: "localhost" },
      faults: new FaultPlan(o.faults ?? []),
      ...(o.radioRttMs !== undefined ? { profile: makeProfile("typical", { radioRttMs: o.radioRttMs }) } : {}),
    },
  });
  // The socket transport needs the command queue (it closes while its last read or send waits).
  const engine = new AtEngine(sim.uart, clock, { queue: new CommandQueue() });
  const notes: string[] = [];
  sim.link.onNote((_t, text) => notes.push(text));
  const wire = { toModule: "" };
  sim.link.onTap((dir, _t, bytes) => {
    if (dir === "toModule") wire.toModule += Buffer.from(bytes).toString("latin1");
  });
  sim.powerOn();
  await clock.run({ until: () => sim.modem.sim === "ready" && sim.modem.regStat === 1, forMs: 60_000 });
  const at = async (command: string): Promise<number> => {
    let code = -1;
    engine.send({ command, shape: SHAPE_NONE, timeoutMs: 160_000 }, (r: AtResult) => (code = r.code));
    await clock.run({ until: () => code >= 0, forMs: 200_000 });
    return code;
  };
  expect(await at("E1")).toBe(RESULT_OK);
  expect(await at("+CMEE=1")).toBe(RESULT_OK);
  expect(await at('+QICSGP=1,1,"internet","","",1')).toBe(RESULT_OK);
  expect(await at("+QIACT=1")).toBe(RESULT_OK);
  const r: Rig = { clock, notes, wire, link: sim.link, engine, socket: null as never, boots: 1, at };
  r.socket = new ModuleSocket(engine, clock, { contextId: 1, sslCtxId: 1 }, { bootCount: r.boots, note: () => undefined }, null);
  return r;
}

/** A sink that collects what arrives and how the stream ended. */
class Collect {
  text = "";
  sent = 0;
  closed: CellError | null | undefined = undefined;
  onBytes(d: Uint8Array, s: number, e: number): void {
    this.text += Buffer.from(d.subarray(s, e)).toString("latin1");
  }
  onSent(): void {
    this.sent++;
  }
  onClosed(err: CellError | null): void {
    this.closed = err;
  }
}

async function open(r: Rig, sink: Collect, port: number, tls = false, host = NAME): Promise<CellError | null | undefined> {
  let result: CellError | null | undefined = undefined;
  r.socket.connect(host, port, tls, sink, (e) => (result = e));
  await r.clock.run({ until: () => result !== undefined, forMs: 200_000 });
  return result;
}

/** Write `text` in maxWrite pieces, each after the last was taken. */
async function write(r: Rig, sink: Collect, text: string): Promise<void> {
  const b = Buffer.from(text, "latin1");
  for (let at = 0; at < b.length; at += r.socket.maxWrite) {
    const before = sink.sent;
    r.socket.write(b, at, Math.min(b.length, at + r.socket.maxWrite));
    await r.clock.run({ until: () => sink.sent > before || sink.closed !== undefined, forMs: 60_000 });
    expect(sink.closed).toBeUndefined();
  }
}

/** The next complete SMTP reply (its last line has "ddd "). */
async function reply(r: Rig, sink: Collect, maxMs = 120_000): Promise<string> {
  const re = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\r?\n/;
  await r.clock.run({ until: () => re.test(sink.text) || sink.closed !== undefined, forMs: maxMs });
  const m = re.exec(sink.text);
  if (!m) throw new Error(`no reply; have ${JSON.stringify(sink.text)}, closed ${JSON.stringify(sink.closed)}`);
  sink.text = sink.text.slice(m[0].length);
  return m[0].slice(0, 3);
}

async function converse(r: Rig, sink: Collect, subject: string, body: string): Promise<string[]> {
  const codes = [await reply(r, sink)];
  const auth = Buffer.from(`\0${USER}\0${PASSWORD}`).toString("base64");
  for (const line of ["EHLO board", `AUTH PLAIN ${auth}`, `MAIL FROM:<${USER}>`, "RCPT TO:<ops@example.com>", "DATA"]) {
    await write(r, sink, line + "\r\n");
    codes.push(await reply(r, sink));
  }
  const msg = [`From: <${USER}>`, "To: <ops@example.com>", `Subject: ${subject}`, "", body, "."].join("\r\n") + "\r\n";
  await write(r, sink, msg);
  codes.push(await reply(r, sink));
  await write(r, sink, "QUIT\r\n");
  codes.push(await reply(r, sink));
  return codes;
}

describe("ext/socket: an SMTP conversation through the module's sockets", () => {
  it("plain TCP: delivered, read back; AT+QISDE=0 once per boot; the stream ends with the peer's close", async () => {
    const srv = await server();
    const r = await rig(srv);
    const sink = new Collect();
    expect(await open(r, sink, 587)).toBeNull();
    // A body longer than one AT+QISEND, holding lines a module could take for results.
    const body = ["Water level high.", "OK", "SEND OK", "ERROR", "+QIURC: \"closed\",1", "x".repeat(3000)].join("\r\n");
    expect(await converse(r, sink, "Alarm over TCP", body)).toEqual(["220", "250", "235", "250", "250", "354", "250", "221"]);
    await r.clock.run({ until: () => sink.closed !== undefined, forMs: 30_000 });
    expect(sink.closed).toBeNull();
    r.socket.close();
    const [mail] = await srv.waitForMessages(1);
    expect(mail.subject).toBe("Alarm over TCP");
    expect(mail.text.trim()).toBe(body.replace(/\r\n/g, "\n"));
    // A second connection in the same boot does not switch the echo off again.
    const before = r.socket.commands;
    const again = new Collect();
    expect(await open(r, again, 587)).toBeNull();
    expect(r.socket.commands - before).toBe(1); // AT+QIOPEN only
    r.socket.close();
  });

  it("a close in the turn the open's URC came: that open is never told (as a close before its URC); the next connect is told once", async () => {
    const srv = await server();
    const r = await rig(srv);
    let fromModule = "";
    r.link.onTap((dir, _t, bytes) => {
      if (dir === "toFirmware") fromModule += Buffer.from(bytes).toString("latin1");
    });
    const first: (CellError | null)[] = [];
    r.socket.connect(NAME, srv.port, false, new Collect(), (e) => first.push(e));
    // Stop right after the delivery in which the socket took the open's URC (a handler registered
    // after the socket's is called after it): its hand-over waits for a fresh turn.
    let urcTaken = false;
    r.engine.onUrc(r.engine.prefix("+QIOPEN:"), () => (urcTaken = true));
    await r.clock.run({ until: () => urcTaken, forMs: 200_000 });
    expect(first).toEqual([]);
    r.socket.close();
    const second: (CellError | null)[] = [];
    const opensSeen: number[] = [];
    const sink = new Collect();
    r.socket.connect(NAME, srv.port, false, sink, (e) => {
      second.push(e);
      opensSeen.push(fromModule.split("+QIOPEN: 1,0").length - 1);
    });
    await r.clock.run({ until: () => second.length > 0, forMs: 200_000 });
    await r.clock.run({ forMs: 30_000 });
    expect(first).toEqual([]);
    expect(second).toEqual([null]);
    expect(opensSeen, "told after its own open's URC, not by the first one's hand-over").toEqual([2]);
    expect(await reply(r, sink)).toBe("220");
    r.socket.close();
  });

  it("implicit TLS through AT+QSSLOPEN: delivered over TLS", async () => {
    const srv = await server("implicit");
    const r = await rig(srv);
    const sink = new Collect();
    expect(await open(r, sink, 465, true)).toBeNull();
    expect(await converse(r, sink, "Alarm over TLS", "Cabinet 41 C.")).toEqual(["220", "250", "235", "250", "250", "354", "250", "221"]);
    r.socket.close();
    const [mail] = await srv.waitForMessages(1);
    expect(mail.subject).toBe("Alarm over TLS");
    expect(mail.secure).toBe(true);
  });
});

describe("ext/socket: faults", () => {
  it("a module that refuses AT+QISDE=1 cannot prove its sends: the open fails, kind config, before AT+QIOPEN", async () => {
    const srv = await server();
    const r = await rig(srv, { faults: [{ kind: "commandError", command: "+QISDE", times: 3 }] });
    const sink = new Collect();
    const err = (await open(r, sink, 587)) as CellError;
    expect(err.kind).toBe(KIND_CONFIG);
    expect(err.cause).toContain("AT+QISDE=1");
    expect(r.wire.toModule.split("AT+QISDE=1\r").length - 1).toBe(3);
    expect(r.wire.toModule).not.toContain("AT+QIOPEN");
    // Refused once (its bytes damaged on the way): written again in place, and the open goes on.
    const r2 = await rig(srv, { faults: [{ kind: "commandError", command: "+QISDE", times: 1 }] });
    expect(await open(r2, new Collect(), 587)).toBeNull();
    expect(r2.wire.toModule.split("AT+QISDE=1\r").length - 1).toBe(2);
    r2.socket.close();
  });

  it("a read that lost a data byte on the UART (damageRead): the module's totals prove bytes lost, the stream ends with E_STREAM_DAMAGED and nothing of that read reaches the client", async () => {
    const srv = await server();
    const r = await rig(srv, { faults: [{ kind: "damageRead", byte: 4, occurrence: 2 }] });
    const sink = new Collect();
    expect(await open(r, sink, 587)).toBeNull();
    expect(await reply(r, sink)).toBe("220"); // the first read with data is intact
    await write(r, sink, "EHLO board\r\n");
    await r.clock.run({ until: () => sink.closed !== undefined, forMs: 60_000 });
    const err = sink.closed as CellError;
    expect(err.code).toBe(E_STREAM_DAMAGED);
    expect(err.kind).toBe(KIND_RETRYABLE);
    expect(err.cause).toMatch(/bytes lost/);
    expect(sink.text).toBe(""); // the EHLO reply, damaged, was never handed over
    expect(r.notes.some((n) => /fault: byte 4 of a \d+-byte socket read lost on the UART/.test(n))).toBe(true);
    expect(r.wire.toModule).toContain("AT+QIRD=1,0\r"); // the totals asked before giving up
    r.socket.close();
  });

  it("a lost 'recv' URC: the poll after the write reads the reply", async () => {
    const srv = await server();
    const r = await rig(srv, { faults: [{ kind: "loseUrc", urc: '+QIURC: "recv"', occurrence: 1, times: 3 }] });
    const sink = new Collect();
    expect(await open(r, sink, 587)).toBeNull();
    expect(await reply(r, sink)).toBe("220");
    await write(r, sink, "EHLO board\r\n");
    expect(await reply(r, sink)).toBe("250");
    r.socket.close();
    // The URCs were lost indeed: the greeting's and the EHLO reply's came only by polling.
    expect(r.notes.filter((n) => n.startsWith('fault: URC lost: +QIURC: "recv"')).length).toBeGreaterThanOrEqual(2);
  });

  it("a name that does not resolve and a refused connection end the open with the module's code, kind network; a failed TLS handshake is kind config", async () => {
    const r = await rig(null);
    const a = new Collect();
    const e1 = (await open(r, a, 587, false, "nowhere.invalid")) as CellError;
    expect([e1.code, e1.kind]).toEqual([565, KIND_NETWORK]);
    const e2 = (await open(r, new Collect(), 1, false, "127.0.0.1")) as CellError;
    expect([e2.code, e2.kind]).toEqual([566, KIND_NETWORK]);
    expect(a.closed).toBeUndefined(); // a failed open is reported to connect's done, not the sink
    const srv = await server("none");
    const t = await rig(srv);
    const e3 = (await open(t, new Collect(), 465, true)) as CellError; // TLS to a plain server
    expect([e3.code, e3.kind]).toEqual([566, KIND_CONFIG]);
  });

  it("the peer closing in DATA: what it sent first arrives, then onClosed(null); a later write ends nothing twice", async () => {
    const srv = await server();
    const r = await rig(srv, { faults: [{ kind: "peerClose", afterDataBytes: 100 }] });
    const sink = new Collect();
    expect(await open(r, sink, 587)).toBeNull();
    expect(await reply(r, sink)).toBe("220");
    const auth = Buffer.from(`\0${USER}\0${PASSWORD}`).toString("base64");
    for (const line of ["EHLO board", `AUTH PLAIN ${auth}`, `MAIL FROM:<${USER}>`, "RCPT TO:<ops@example.com>", "DATA"]) {
      await write(r, sink, line + "\r\n");
      await reply(r, sink);
    }
    r.socket.write(Buffer.from("Subject: cut\r\n\r\n" + "z".repeat(400) + "\r\n.\r\n"), 0, 420);
    await r.clock.run({ until: () => sink.closed !== undefined, forMs: 60_000 });
    expect(sink.closed).toBeNull();
    const calls = sink.sent;
    r.socket.write(Buffer.from("QUIT\r\n"), 0, 6);
    await r.clock.run({ forMs: 5000 });
    expect([sink.closed, sink.sent]).toEqual([null, calls]);
    r.socket.close();
    expect(srv.messages().length).toBe(0);
  });

  it("SEND FAIL ends the stream with E_SEND_FAIL (retryable)", async () => {
    const srv = await server();
    const r = await rig(srv, { faults: [{ kind: "sendFail", command: "+QISEND" }] });
    const sink = new Collect();
    expect(await open(r, sink, 587)).toBeNull();
    expect(await reply(r, sink)).toBe("220");
    r.socket.write(Buffer.from("EHLO board\r\n"), 0, 12);
    await r.clock.run({ until: () => sink.closed !== undefined, forMs: 60_000 });
    expect([sink.closed?.code, sink.closed?.kind]).toEqual([E_SEND_FAIL, KIND_RETRYABLE]);
    r.socket.close();
  });

  it("a host the AT gate refuses throws before anything is written", async () => {
    const r = await rig(null);
    const before = r.socket.commands;
    let thrown: CellError | null = null;
    try {
      r.socket.connect('evil",25\r\nAT+CFUN=0', 25, false, new Collect(), () => {});
    } catch (e) {
      thrown = e as CellError;
    }
    expect([thrown?.kind, thrown?.field]).toEqual([KIND_CONFIG, "server"]);
    expect(r.socket.commands).toBe(before);
  });
});

// The open URC lost or damaged on the UART, a close that did not arrive: told apart from the
// network's failures by asking the module (AT+QISTATE=1,<id>), and written again
// (docs/sockets.md, "The open and the close on a lossy UART").
describe("ext/socket: the open and the close on a lossy UART", () => {
  const asked = (r: Rig): number => r.wire.toModule.split("AT+QISTATE=1,1\r").length - 1;
  const written = (r: Rig, command: string): number => r.wire.toModule.split(command + "\r").length - 1;

  /** A rig with these faults and an open on it: its outcome, how long it took (virtual ms), the stream's sink. */
  async function openUnder(faults: FaultSpec[], radioRttMs?: number) {
    const r = await rig(await server(), { faults, radioRttMs });
    const sink = new Collect();
    const t0 = r.clock.now();
    const result = await open(r, sink, 587);
    return { r, sink, result, took: r.clock.now() - t0 };
  }

  const lostOrDamaged: [string, FaultSpec, string][] = [
    ["lost", { kind: "loseUrc", urc: "+QIOPEN: " }, "fault: URC lost: +QIOPEN: 1,0"],
    ["damaged ('+QIOPEN: 1,': not read as a code, no failure)", { kind: "damageUrc", urc: "+QIOPEN: " }, "fault: byte 11 of a URC lost on the UART: +QIOPEN: 1,0"],
  ];
  for (const [what, fault, note] of lostOrDamaged) {
    it(`the +QIOPEN URC ${what}: AT+QISTATE=1,1 8 s after the OK says connected: open, the greeting is read (no 150-s wait)`, async () => {
      const { r, sink, result, took } = await openUnder([fault]);
      expect(result).toBeNull();
      expect(took).toBeGreaterThanOrEqual(8000);
      expect(took).toBeLessThan(10_000);
      expect(asked(r)).toBe(1);
      expect(r.notes.some((n) => n.startsWith(note))).toBe(true);
      expect(await reply(r, sink)).toBe("220");
      r.socket.close();
    });
  }

  it("a slow open (a 5-s radio round trip: 10 s to connect) whose URC is lost: 'opening' at 8 s, asked again 10 s later: connected", async () => {
    const { r, sink, result, took } = await openUnder([{ kind: "loseUrc", urc: "+QIOPEN: " }], 5000);
    expect(result).toBeNull();
    expect(took).toBeGreaterThanOrEqual(18_000);
    expect(took).toBeLessThan(20_000);
    expect(asked(r)).toBe(2);
    expect(await reply(r, sink, 200_000)).toBe("220");
    r.socket.close();
  });

  it("the URC of a refused open lost: the module lists no connection, twice: the open fails, kind network (not 569 after 150 s)", async () => {
    const { r, result, took } = await openUnder([{ kind: "loseUrc", urc: "+QIOPEN: " }, { kind: "socketOpenFails", err: 566 }]);
    const err = result as CellError;
    expect(took).toBeLessThan(12_000);
    expect([err.code, err.kind]).toEqual([550, KIND_NETWORK]);
    expect(err.cause).toMatch(/lists the connection as closed/);
    expect(asked(r)).toBe(2);
  });

  /** A connection, its close answered ERROR `refusals` times (nothing closed), then a second open, which must succeed. */
  async function afterRefusedClose(refusals: number): Promise<Rig> {
    const srv = await server();
    const r = await rig(srv, { faults: [{ kind: "commandError", command: "+QICLOSE", plain: true, times: refusals }] });
    const first = new Collect();
    expect(await open(r, first, 587)).toBeNull();
    expect(await reply(r, first)).toBe("220");
    r.socket.close();
    const again = new Collect();
    expect(await open(r, again, 587)).toBeNull(); // the open waited for the close
    expect(await reply(r, again)).toBe("220");
    r.socket.close();
    return r;
  }

  it("a close answered ERROR (its line damaged on the way) is written again; the next open is not answered 563", async () => {
    const r = await afterRefusedClose(1);
    expect(written(r, "AT+QICLOSE=1")).toBe(2); // the first connection's, twice (the second's is still queued)
    expect(written(r, 'AT+QIOPEN=1,1,"TCP","smtp.cellmail.test",587,0,0')).toBe(2);
  });

  it("every write of a close refused: the next open is answered 563, the id is closed, the open written again: open", async () => {
    const r = await afterRefusedClose(3);
    expect(written(r, 'AT+QIOPEN=1,1,"TCP","smtp.cellmail.test",587,0,0')).toBe(3);
    expect(written(r, "AT+QICLOSE=1")).toBe(4); // three refused, one for the 563
  });
});

describe("ext/socket: a UART that loses and changes bytes", () => {
  it("a write holding Ctrl+Z or ESC is refused whole (nothing of it sent), kind config", async () => {
    const srv = await server();
    const r = await rig(srv);
    const sink = new Collect();
    expect(await open(r, sink, 587)).toBeNull();
    expect(await reply(r, sink)).toBe("220");
    const before = r.wire.toModule.length;
    r.socket.write(Buffer.from("NOOP\x1a\r\n", "latin1"), 0, 7);
    await r.clock.run({ until: () => sink.closed !== undefined, forMs: 10_000 });
    expect((sink.closed as CellError).code).toBe(E_UNSAFE_CHAR);
    expect((sink.closed as CellError).kind).toBe(KIND_CONFIG);
    expect(r.wire.toModule.slice(before)).not.toContain("NOOP");
  });

  // Byte loss in both directions once the socket is open (the seeds differ per run): every
  // mail the server accepts is exactly the one written, and a conversation that cannot go on
  // ends with a typed, retryable error. Over the seeds, chunks are cancelled (ESC) and written
  // again, and reads are found damaged, so the checks below are exercised.
  it("0.3% of bytes lost each way: the server gets the exact mail or none; failures are typed", async () => {
    const srv = await server();
    const body = ["Door 1 opened.", "RCPT TO:<ps@example.com>", "x".repeat(1200)].join("\r\n");
    let delivered = 0;
    let cancels = 0;
    const errors: number[] = [];
    for (let seed = 1; seed <= 8; seed++) {
      const r = await rig(srv);
      const sink = new Collect();
      expect(await open(r, sink, 587)).toBeNull();
      r.link.setFaults("toModule", { lossRate: 0.003, seed });
      r.link.setFaults("toFirmware", { lossRate: 0.003, seed: seed + 100 });
      let codes: string[] = [];
      try {
        codes = await converse(r, sink, "Lossy " + seed, body);
      } catch {
        // The stream ended: with a typed, retryable error.
        await r.clock.run({ until: () => sink.closed !== undefined, forMs: 60_000 });
        const e = sink.closed as CellError;
        expect(e, `seed ${seed}`).toBeTruthy();
        expect(e.kind, `seed ${seed}: ${e.cause}`).toBe(KIND_RETRYABLE);
        errors.push(e.code);
      }
      if (codes.length) delivered++;
      cancels += r.notes.filter((n) => n.includes("cancelled by ESC")).length;
      r.socket.close();
    }
    await new Promise((res) => setTimeout(res, 200));
    const mails = srv.messages();
    for (const m of mails) expect(m.text?.trim()).toBe(body.replace(/\r\n/g, "\n"));
    expect(mails.length).toBeGreaterThanOrEqual(delivered);
    expect(delivered).toBeGreaterThan(0);
    expect(cancels).toBeGreaterThan(0);
    for (const c of errors) expect([E_STREAM_DAMAGED, 1020, 1021, 1038]).toContain(c);
  });
});
