// The EC800 model's TCP/IP and SSL socket commands (docs/sockets.md), driven over the virtual
// UART with AT commands: a whole SMTP conversation held by hand against the real embedded
// SMTP server (plain on 25 and 587, implicit TLS on 465) and the mail read back with
// mailparser; the formats byte for byte; every socket fault; the radio round trip on the
// virtual clock. No assertion reads a wall clock.
import { describe, expect, it } from "vitest";
import { startRawServer, type MailServer } from "../../host-sim/mailserver/index.js";
import { SSL, TCP } from "../../host-sim/ec800/sockets/family.js";
import { SOCKET_ERR_TEXT } from "../../host-sim/ec800/sockets/codes.js";
import { AtSocket, PASSWORD, SERVER_NAME, serverPool, socketModule, USER, type Wire } from "./socket-wire.js";

const RTT = 150;
const server = serverPool();

const plainAuth = Buffer.from(`\0${USER}\0${PASSWORD}`).toString("base64");

function message(subject: string, body: string): string {
  return [`From: Cellmail board <${USER}>`, "To: ops@example.com", `Subject: ${subject}`, "Message-ID: <sock-1@cellmail.test>", "", body, ""].join("\r\n");
}

/** A whole SMTP transaction through the socket; returns the codes of the replies in order. */
async function converse(s: AtSocket, subject: string, body: string): Promise<string[]> {
  const codes: string[] = [];
  codes.push((await s.reply()).slice(0, 3));
  codes.push(await s.smtp("EHLO ec800"));
  codes.push(await s.smtp(`AUTH PLAIN ${plainAuth}`));
  codes.push(await s.smtp(`MAIL FROM:<${USER}>`));
  codes.push(await s.smtp("RCPT TO:<ops@example.com>"));
  codes.push(await s.smtp("DATA"));
  await s.sendAll(message(subject, body).replace(/\r\n\./g, "\r\n.."));
  codes.push(await s.smtp("."));
  codes.push(await s.smtp("QUIT"));
  return codes;
}

async function tlsModule(srv: MailServer, seclevel: number, withCa: boolean): Promise<Wire> {
  const w = await socketModule({ server: srv });
  if (withCa) w.h.sim.modem.persistent.files.set("UFS:ca.pem", new Uint8Array(Buffer.from(srv.caPem!)));
  await w.cmd(`AT+QSSLCFG="seclevel",1,${seclevel}`);
  await w.cmd('AT+QSSLCFG="cacert",1,"UFS:ca.pem"');
  await w.cmd('AT+QSSLCFG="sni",1,1');
  return w;
}

describe("SMTP by hand over AT+QIOPEN (plain)", () => {
  for (const port of [25, 587]) {
    it(`delivers a mail to ${SERVER_NAME}:${port}; the server parses it whole`, async () => {
      const srv = await server();
      const w = await socketModule({ server: srv, qisde: 0 });
      const s = new AtSocket(w, TCP, 0);
      expect(await s.open(SERVER_NAME, port)).toBe(0);
      const body = `Pump room: water level high.\r\n.a line that starts with a dot\r\nport ${port}`;
      expect(await converse(s, `Alarm on ${port}`, body)).toEqual(["220", "250", "235", "250", "250", "354", "250", "221"]);
      await w.until('+QIURC: "closed",0\r\n', 1);
      expect(await w.cmd("AT+QICLOSE=0")).toMatch(/\r\nOK\r\n$/);
      const [mail] = await srv.waitForMessages(1);
      expect(mail.subject).toBe(`Alarm on ${port}`);
      expect(mail.text.trim()).toBe(body.replace(/\r\n/g, "\n"));
      expect(mail.envelope).toEqual({ mailFrom: USER, rcptTo: ["ops@example.com"] });
      expect(mail.user).toBe(USER);
      expect(mail.secure).toBe(false);
    });
  }
});

describe("SMTP by hand over AT+QSSLOPEN (implicit TLS on 465)", () => {
  it("seclevel 1 with the uploaded CA and SNI: verified, delivered, read back", async () => {
    const srv = await server("implicit");
    const w = await tlsModule(srv, 1, true);
    const s = new AtSocket(w, SSL, 1);
    expect(await s.open(SERVER_NAME, 465)).toBe(0);
    expect(await converse(s, "TLS alarm", "Over the module's TLS.")).toEqual(["220", "250", "235", "250", "250", "354", "250", "221"]);
    await w.until('+QSSLURC: "closed",1\r\n', 1);
    expect(await w.cmd("AT+QSSLCLOSE=1")).toMatch(/\r\nOK\r\n$/);
    const [mail] = await srv.waitForMessages(1);
    expect(mail.subject).toBe("TLS alarm");
    expect(mail.secure).toBe(true);
    expect(mail.servername).toBe("localhost");
  });

  it("seclevel 0 trusts any certificate; seclevel 1 without the CA file fails with 566 (as a real EG800K)", async () => {
    const srv = await server("implicit");
    const w0 = await tlsModule(srv, 0, false);
    expect(await new AtSocket(w0, SSL, 0).open(SERVER_NAME, 465)).toBe(0);
    const w1 = await tlsModule(srv, 1, false);
    expect(await new AtSocket(w1, SSL, 0).open(SERVER_NAME, 465)).toBe(566);
    expect(await w1.cmd("AT+QIGETERROR")).toBe(`\r\n+QIGETERROR: 0,${SOCKET_ERR_TEXT[0]}\r\n\r\nOK\r\n`);
  });

  it("a TLS socket to a plain server fails its handshake with 566", async () => {
    const srv = await server("none");
    const w = await tlsModule(srv, 0, false);
    expect(await new AtSocket(w, SSL, 2).open(SERVER_NAME, 465)).toBe(566);
  });
});

describe("formats, byte for byte (docs/sockets.md)", () => {
  it("open, prompt, SEND OK, recv URC, QIRD with data and empty, totals, close", async () => {
    const srv = await server();
    const w = await socketModule({ server: srv, qisde: 0 });
    expect(await w.cmd(`AT+QIOPEN=1,3,"TCP","${SERVER_NAME}",25,0,0`)).toBe("\r\nOK\r\n");
    await w.expect(/^\r\n\+QIOPEN: 3,0\r\n/);
    await w.expect(/^\r\n\+QIURC: "recv",3\r\n/);
    const rd = await w.cmd("AT+QIRD=3,1500");
    expect(rd).toMatch(/^\r\n\+QIRD: (\d+)\r\n220 [^\r]*\r\n\r\n\r\nOK\r\n$/);
    expect(Number(/\+QIRD: (\d+)/.exec(rd)![1])).toBe(rd.length - "\r\n+QIRD: \r\n".length - /\+QIRD: (\d+)/.exec(rd)![1].length - "\r\n\r\nOK\r\n".length);
    expect(await w.cmd("AT+QIRD=3,1500")).toBe("\r\n+QIRD: 0\r\n\r\nOK\r\n");
    const s3 = new AtSocket(w, TCP, 3);
    await s3.sendExact("NOOP\r\n");
    await w.expect(/^\r\n\+QIURC: "recv",3\r\n$/);
    expect(await w.cmd("AT+QIRD=3,4")).toBe("\r\n+QIRD: 4\r\n250 \r\n\r\nOK\r\n");
    const totals = /^\r\n\+QIRD: (\d+),(\d+),(\d+)\r\n\r\nOK\r\n$/.exec(await w.cmd("AT+QIRD=3,0"))!;
    const [total, read, unread] = totals.slice(1).map(Number);
    expect(unread).toBeGreaterThan(0);
    expect(read + unread).toBe(total);
    // The rest of the reply ("OK\r\n" here) may itself look like a final result: only the count tells.
    const rest = await s3.read();
    expect(rest).toMatch(/^[^\r]*\r\n$/);
    expect(rest.length).toBe(unread);
    expect(await w.cmd("AT+QISEND=3,0")).toBe("\r\n+QISEND: 6,6,0\r\n\r\nOK\r\n");
    await s3.sendExact("QUIT\r\n");
    await w.expect(/^\r\n\+QIURC: "recv",3\r\n$/);
    await w.expect(/^\r\n\+QIURC: "closed",3\r\n$/);
    expect(await s3.read()).toMatch(/^221 [^\r]*\r\n$/);
    expect(await w.cmd("AT+QISEND=3,0")).toBe("\r\n+QISEND: 12,12,0\r\n\r\nOK\r\n");
    expect(await w.cmd("AT+QICLOSE=3")).toBe("\r\nOK\r\n");
    expect(await w.cmd("AT+QISEND=3,4")).toBe("\r\nERROR\r\n");
    expect(await w.cmd("AT+QIGETERROR")).toBe("\r\n+QIGETERROR: 567,socket has been closed\r\n\r\nOK\r\n");
  });

  it("AT+QISEND=<id>,N takes exactly N bytes: what follows is a command again", async () => {
    const srv = await server();
    const w = await socketModule({ server: srv, qisde: 0 });
    const s = new AtSocket(w);
    expect(await s.open(SERVER_NAME, 25)).toBe(0);
    await s.reply();
    await w.h.write("AT+QISEND=0,6\r");
    await w.expect(/^\r\n> $/);
    await w.h.write("QUIT\r\nAT+CSQ\r");
    await w.expect(/^\r\nSEND OK\r\n$/);
    await w.expect(/^\r\n\+CSQ: \d+,\d+\r\n\r\nOK\r\n$/);
    expect((await s.reply()).slice(0, 3)).toBe("221");
  });

  it("AT+QISDE=1 (the default) echoes the data after the prompt", async () => {
    const srv = await server();
    const w = await socketModule({ server: srv });
    expect(await w.cmd("AT+QISDE?")).toBe("\r\n+QISDE: 1\r\n\r\nOK\r\n");
    const s = new AtSocket(w);
    expect(await s.open(SERVER_NAME, 25)).toBe(0);
    await w.h.write("AT+QISEND=0,6\r");
    await w.expect(/^\r\n> $/);
    await w.h.write("NOOP\r\n");
    await w.expect(/^NOOP\r\n\r\nSEND OK\r\n$/);
  });

  it("variable length (AT+QISEND=<id>): the data echoed, Ctrl+Z sends it (not echoed), ESC drops it and answers OK", async () => {
    const srv = await server();
    const w = await socketModule({ server: srv });
    const s = new AtSocket(w);
    expect(await s.open(SERVER_NAME, 25)).toBe(0);
    expect((await s.reply()).slice(0, 3)).toBe("220");
    // ESC: nothing reaches the server; the answer is OK.
    await w.h.write("AT+QISEND=0\r");
    await w.expect(/^\r\n> $/);
    await w.h.write("RCPT TO:<x@example.com>\r\n");
    await w.expect(/^RCPT TO:<x@example\.com>\r\n$/);
    await w.h.write("\x1b");
    await w.expect(/^\r\nOK\r\n$/);
    // Ctrl+Z: sent, SEND OK; the server answers what was sent, and only that.
    await w.h.write("AT+QISEND=0\r");
    await w.expect(/^\r\n> $/);
    await w.h.write("NOOP\r\n\x1a");
    await w.expect(/^NOOP\r\n\r\nSEND OK\r\n$/);
    expect((await s.reply()).slice(0, 3)).toBe("250");
    expect(await w.cmd("AT+QISEND=0,0")).toBe("\r\n+QISEND: 6,6,0\r\n\r\nOK\r\n");
    // Outside a send, Ctrl+Z and ESC are dropped: a late ESC does not spoil the next command line (it would not start with AT).
    await w.h.write("\x1b\x1aAT\r");
    await w.expect(/^\r\nOK\r\n$/);
  });

  it("variable length: no Ctrl+Z within the input time drops the data with ERROR; more than 1460 bytes is ERROR", async () => {
    const srv = await server();
    const w = await socketModule({ server: srv });
    const s = new AtSocket(w);
    expect(await s.open(SERVER_NAME, 25)).toBe(0);
    await w.h.write("AT+QISEND=0\r");
    await w.expect(/^\r\n> $/);
    await w.h.write("NOOP\r\n");
    await w.expect(/^NOOP\r\n$/);
    await w.expect(/^\r\nERROR\r\n$/, 6000);
    expect(await w.cmd("AT+QIGETERROR")).toMatch(/\r\n\+QIGETERROR: 558,/);
    await w.h.write("AT+QISEND=0\r");
    await w.expect(/^\r\n> $/);
    await w.h.write("x".repeat(1461));
    await w.expect(/^x{1460}\r\nERROR\r\n$/);
    expect(await w.cmd("AT+QISEND=0,0")).toBe("\r\n+QISEND: 0,0,0\r\n\r\nOK\r\n");
  });

  it("variable length over SSL (AT+QSSLSEND=<id>): echoed as well (AT+QISDE=1), Ctrl+Z sends over TLS", async () => {
    const srv = await server("implicit");
    const w = await tlsModule(srv, 0, false);
    const s = new AtSocket(w, SSL, 2);
    expect(await s.open(SERVER_NAME, 465)).toBe(0);
    expect((await s.reply()).slice(0, 3)).toBe("220");
    await w.h.write("AT+QSSLSEND=2\r");
    await w.expect(/^\r\n> $/);
    await w.h.write("NOOP\r\n\x1a");
    await w.expect(/^NOOP\r\n\r\nSEND OK\r\n$/);
    expect((await s.reply()).slice(0, 3)).toBe("250");
    // With AT+QISDE=0 the data are not echoed.
    expect(await w.cmd("AT+QISDE=0")).toBe("\r\nOK\r\n");
    await w.h.write("AT+QSSLSEND=2\r");
    await w.expect(/^\r\n> $/);
    await w.h.write("NOOP\r\n\x1a");
    await w.expect(/^\r\nSEND OK\r\n$/);
  });

  it("SSL: +QSSLOPEN, +QSSLURC recv, +QSSLRECV, test forms", async () => {
    const srv = await server("implicit");
    const w = await tlsModule(srv, 0, false);
    expect(await w.cmd(`AT+QSSLOPEN=1,1,4,"${SERVER_NAME}",465,0`)).toBe("\r\nOK\r\n");
    await w.expect(/^\r\n\+QSSLOPEN: 4,0\r\n/);
    await w.expect(/^\r\n\+QSSLURC: "recv",4\r\n/);
    expect(await w.cmd("AT+QSSLRECV=4,3")).toBe("\r\n+QSSLRECV: 3\r\n220\r\n\r\nOK\r\n");
    expect(await w.cmd("AT+QSSLRECV=4,0")).toMatch(/^\r\n\+QSSLRECV: (\d+),3,(\d+)\r\n\r\nOK\r\n$/);
    expect(await w.cmd("AT+QSSLSEND=?")).toBe("\r\n+QSSLSEND: (0-11),(0-1460)\r\n\r\nOK\r\n");
    expect(await w.cmd("AT+QIRD=4,10")).toBe("\r\nERROR\r\n");
    const s4 = new AtSocket(w, SSL, 4);
    await s4.drain();
    await s4.sendExact("QUIT\r\n");
    await w.expect(/^\r\n\+QSSLURC: "recv",4\r\n$/);
    await w.expect(/^\r\n\+QSSLURC: "closed",4\r\n$/);
    expect(await w.cmd("AT+QSSLCLOSE=4")).toBe("\r\nOK\r\n");
  });

  it("a second open on a used id reports 563; without an active PDP context 561", async () => {
    const srv = await server();
    const w = await socketModule({ server: srv });
    expect(await new AtSocket(w, TCP, 5).open(SERVER_NAME, 25)).toBe(0);
    expect(await new AtSocket(w, SSL, 5).open(SERVER_NAME, 465)).toBe(563);
    await w.cmd("AT+QIDEACT=1");
    expect(await w.cmd("AT+QIRD=5,10")).toMatch(/\r\nERROR\r\n$/);
    expect(await new AtSocket(w, TCP, 6).open(SERVER_NAME, 25)).toBe(561);
  });
});

describe("the radio round trip on the virtual clock", () => {
  it("open: DNS + connect (300 ms), greeting one round trip later, each reply one round trip after its command", async () => {
    const srv = await server();
    const w = await socketModule({ server: srv, qisde: 0 });
    await w.h.write(`AT+QIOPEN=1,0,"TCP","${SERVER_NAME}",25,0,0\r`);
    await w.expect(/\r\nOK\r\n/);
    const okAt = w.h.clock.now();
    await w.expect(/\r\n\+QIOPEN: 0,0\r\n/);
    const openAt = w.h.clock.now();
    await w.expect(/\r\n\+QIURC: "recv",0\r\n/);
    const greetAt = w.h.clock.now();
    expect(openAt - okAt).toBeGreaterThanOrEqual(2 * RTT);
    expect(openAt - okAt).toBeLessThan(2 * RTT + 30);
    expect(greetAt - openAt).toBeGreaterThanOrEqual(RTT);
    expect(greetAt - openAt).toBeLessThan(RTT + 30);
    const s = new AtSocket(w);
    await s.drain();
    expect(await s.send("NOOP\r\n")).toBe("SEND OK");
    const sentAt = w.h.clock.now();
    await w.expect(/\r\n\+QIURC: "recv",0\r\n/);
    expect(w.h.clock.now() - sentAt).toBeGreaterThanOrEqual(RTT - 5);
    expect(w.h.clock.now() - sentAt).toBeLessThan(RTT + 30);
  });

  it("SSL open pays DNS + connect + a TLS handshake (4 round trips)", async () => {
    const srv = await server("implicit");
    const w = await tlsModule(srv, 0, false);
    await w.h.write(`AT+QSSLOPEN=1,1,0,"${SERVER_NAME}",465,0\r`);
    await w.expect(/\r\nOK\r\n/);
    const okAt = w.h.clock.now();
    await w.expect(/\r\n\+QSSLOPEN: 0,0\r\n/);
    expect(w.h.clock.now() - okAt).toBeGreaterThanOrEqual(4 * RTT);
    expect(w.h.clock.now() - okAt).toBeLessThan(4 * RTT + 30);
  });

  it("the round trip comes from the timing profile", async () => {
    const srv = await server();
    const w = await socketModule({ server: srv, modem: { profile: { ...(await import("../../host-sim/ec800/profile.js")).makeProfile("typical", { radioRttMs: 1000 }) } } });
    await w.h.write(`AT+QIOPEN=1,0,"${SERVER_NAME}",25\r`.replace('"smtp', '"TCP","smtp'));
    await w.expect(/\r\nOK\r\n/);
    const okAt = w.h.clock.now();
    await w.expect(/\r\n\+QIOPEN: 0,0\r\n/);
    expect(w.h.clock.now() - okAt).toBeGreaterThanOrEqual(2000);
    expect(w.h.clock.now() - okAt).toBeLessThan(2030);
  });
});

describe("socket faults", () => {
  it("open refused: +QIOPEN: <id>,566 after the connect attempt; the next open works", async () => {
    const srv = await server();
    const w = await socketModule({ server: srv, faults: [{ kind: "socketOpenFails" }] });
    expect(await new AtSocket(w, TCP, 0).open(SERVER_NAME, 25)).toBe(566);
    expect(await new AtSocket(w, TCP, 0).open(SERVER_NAME, 25)).toBe(0);
    expect(srv.connections).toBe(1);
  });

  it("open refused with a chosen code, and a real refusal (nothing listens) give their codes", async () => {
    const w = await socketModule({ faults: [{ kind: "socketOpenFails", err: 569 }], modem: { network: { routes: { [SERVER_NAME]: { host: "127.0.0.1", port: 1 } } } } });
    expect(await new AtSocket(w, TCP, 0).open(SERVER_NAME, 25)).toBe(569);
    expect(await new AtSocket(w, TCP, 1).open(SERVER_NAME, 25)).toBe(566);
  });

  it("DNS failure: injected, or a name under .invalid: 565 after one round trip", async () => {
    const srv = await server();
    const w = await socketModule({ server: srv, faults: [{ kind: "dnsFails" }] });
    await w.h.write(`AT+QIOPEN=1,0,"TCP","${SERVER_NAME}",25,0,0\r`);
    await w.expect(/\r\nOK\r\n/);
    const okAt = w.h.clock.now();
    await w.expect(/\r\n\+QIOPEN: 0,565\r\n/);
    expect(w.h.clock.now() - okAt).toBeGreaterThanOrEqual(RTT);
    expect(w.h.clock.now() - okAt).toBeLessThan(RTT + 30);
    expect(await new AtSocket(w, SSL, 1).open("smtp.nowhere.invalid", 465)).toBe(565);
    expect(srv.connections).toBe(0);
  });

  it("the peer closes in the middle of DATA: +QIURC: \"closed\", later sends fail, no mail arrives", async () => {
    const srv = await server();
    const w = await socketModule({ server: srv, qisde: 0, faults: [{ kind: "peerClose", afterDataBytes: 100 }] });
    const s = new AtSocket(w);
    expect(await s.open(SERVER_NAME, 25)).toBe(0);
    await s.reply();
    for (const c of ["EHLO ec800", `AUTH PLAIN ${plainAuth}`, `MAIL FROM:<${USER}>`, "RCPT TO:<ops@example.com>"]) await s.smtp(c);
    expect(await s.smtp("DATA")).toBe("354");
    expect(await s.send(message("Cut", "x".repeat(500)))).toBe("SEND OK");
    await w.until('+QIURC: "closed",0\r\n', 1);
    expect(await s.send("\r\n.\r\n")).toBe("ERROR");
    expect(await w.cmd("AT+QICLOSE=0")).toBe("\r\nOK\r\n");
    await w.h.run(2000);
    expect(srv.messages()).toHaveLength(0);
  });

  it("SEND FAIL: the bytes are dropped; sending them again goes through", async () => {
    const srv = await server();
    const w = await socketModule({ server: srv, qisde: 0, faults: [{ kind: "sendFail", command: "+QISEND", occurrence: 1 }] });
    const s = new AtSocket(w);
    expect(await s.open(SERVER_NAME, 25)).toBe(0);
    await s.reply();
    expect(await s.send("EHLO ec800\r\n")).toBe("SEND FAIL");
    await w.h.run(2000);
    expect(w.count('+QIURC: "recv",0')).toBe(1);
    expect(await s.smtp("EHLO ec800")).toBe("250");
  });

  it("a lost recv URC: the client polls AT+QIRD and finds the data; the next URC comes again", async () => {
    const srv = await server();
    const w = await socketModule({ server: srv, qisde: 0, faults: [{ kind: "loseUrc", urc: '+QIURC: "recv"', occurrence: 1 }] });
    const s = new AtSocket(w);
    expect(await s.open(SERVER_NAME, 25)).toBe(0);
    await w.h.run(5000);
    expect(w.count('+QIURC: "recv"')).toBe(0);
    expect((await s.reply(true)).slice(0, 3)).toBe("220");
    expect(await s.smtp("EHLO ec800")).toBe("250");
    expect(w.count('+QIURC: "recv",0')).toBe(1);
  });

  it("no second recv URC while the buffer holds unread data", async () => {
    const srv = await server();
    const w = await socketModule({ server: srv, qisde: 0 });
    const s = new AtSocket(w);
    expect(await s.open(SERVER_NAME, 25)).toBe(0);
    await w.until('+QIURC: "recv",0', 1);
    expect(await s.send("NOOP\r\n")).toBe("SEND OK");
    await w.h.run(2000);
    expect(w.count('+QIURC: "recv",0')).toBe(1);
    const both = await s.drain();
    expect(both).toMatch(/^220 [^\n]*\n250 [^\n]*\n$/);
    expect(await s.send("NOOP\r\n")).toBe("SEND OK");
    await w.until('+QIURC: "recv",0', 2);
  });

  it("a slow server: every reply comes its delay later than the round trip", async () => {
    const srv = await server();
    const w = await socketModule({ server: srv, qisde: 0, faults: [{ kind: "slowServer", delayMs: 4000 }] });
    await w.h.write(`AT+QIOPEN=1,0,"TCP","${SERVER_NAME}",25,0,0\r`);
    await w.expect(/\r\n\+QIOPEN: 0,0\r\n/);
    const openAt = w.h.clock.now();
    await w.expect(/\r\n\+QIURC: "recv",0\r\n/);
    expect(w.h.clock.now() - openAt).toBeGreaterThanOrEqual(RTT + 4000);
    expect(w.h.clock.now() - openAt).toBeLessThan(RTT + 4030);
  });

  it("a PDP deactivation by the network reports closed, then pdpdeact", async () => {
    const srv = await server();
    const w = await socketModule({ server: srv, qisde: 0 });
    expect(await new AtSocket(w).open(SERVER_NAME, 25)).toBe(0);
    const { pdpDeact } = await import("../../host-sim/ec800/commands/pdp.js");
    pdpDeact(w.h.sim.modem, 1);
    await w.expect(/\r\n\+QIURC: "closed",0\r\n[^]*\r\n\+QIURC: "pdpdeact",1\r\n/);
    expect(await new AtSocket(w).send("NOOP\r\n")).toBe("ERROR");
  });
});

describe("socket faults and the round trip in scenario files", () => {
  it("validate, and take effect through the scenario's module settings", async () => {
    const { validateScenario } = await import("../../host-sim/scenarios/scenario.js");
    const scenario = {
      name: "socket-faults",
      module: { urcPort: "uart1" as const, timing: { radioRttMs: 500 } },
      faults: [
        { kind: "dnsFails" as const, occurrence: 1 },
        { kind: "socketOpenFails" as const, err: 566, occurrence: 2 },
        { kind: "peerClose" as const, afterDataBytes: 10, occurrence: 3 },
        { kind: "slowServer" as const, delayMs: 100, occurrence: 3 },
        { kind: "sendFail" as const, command: "+QSSLSEND" },
      ],
      expect: { failure: { code: 565, cause: "dns" } },
    };
    expect(validateScenario(scenario)).toEqual([]);
    expect(validateScenario({ ...scenario, faults: [{ kind: "peerClose" }, { kind: "slowServer", delayMs: -1 }] })).toEqual([
      "faults[0].afterDataBytes: required",
      "faults[1].delayMs: expected a number in [0, 10000000000]",
    ]);
    const { makeHarness } = await import("./harness.js");
    const { Wire } = await import("./socket-wire.js");
    const h = await makeHarness({ scenario });
    const w = new Wire(h);
    w.pos = h.rx().length;
    await w.cmd("ATE0");
    await w.cmd('AT+QICSGP=1,1,"internet","","",1');
    await w.cmd("AT+QIACT=1");
    await w.h.write(`AT+QIOPEN=1,0,"TCP","${SERVER_NAME}",25,0,0\r`);
    await w.expect(/\r\nOK\r\n/);
    const okAt = h.clock.now();
    await w.expect(/\r\n\+QIOPEN: 0,565\r\n/);
    expect(h.clock.now() - okAt).toBeGreaterThanOrEqual(500);
    expect(h.clock.now() - okAt).toBeLessThan(530);
    expect(await new AtSocket(w, TCP, 0).open(SERVER_NAME, 25)).toBe(566);
  });
});

describe("determinism", () => {
  it("the same conversation twice gives the same transcript, byte for byte, timestamps included", async () => {
    const once = async (): Promise<string> => {
      const srv = await server("implicit");
      const w = await socketModule({ server: srv, qisde: 0 });
      await w.cmd('AT+QSSLCFG="seclevel",1,0');
      const s = new AtSocket(w, SSL, 0);
      expect(await s.open(SERVER_NAME, 465)).toBe(0);
      expect(await converse(s, "Twice", "Same bytes, same times.")).toEqual(["220", "250", "235", "250", "250", "354", "250", "221"]);
      await w.until('+QSSLURC: "closed",0\r\n', 1);
      await w.cmd("AT+QSSLCLOSE=0");
      await w.h.run(1000);
      return w.h.sim.transcript.render();
    };
    const a = await once();
    const b = await once();
    expect(a.length).toBeGreaterThan(1000);
    expect(b).toBe(a);
  });
});

describe("a module reset", () => {
  it("drops every socket silently, releases a hold on the clock, closes the real connection; the ids are free after RDY", async () => {
    const raw = await startRawServer("greet-then-silent");
    try {
      const w = await socketModule({ qisde: 0, modem: { socketRealWaitMs: 60_000, network: { routes: { [SERVER_NAME]: { host: "127.0.0.1", port: raw.port } } } } });
      const s = new AtSocket(w);
      expect(await s.open(SERVER_NAME, 25)).toBe(0);
      await s.reply();
      // The silent server owes the reply to EHLO: the clock is held for it (for up to a minute of real time).
      await w.h.write("AT+QISEND=0,12\r");
      await w.expect(/^\r\n> $/);
      await w.h.write("EHLO ec800\r\n");
      await w.h.clock.run({ until: () => w.h.clock.holds() === 1 });
      w.h.sim.modem.reboot("test");
      expect(w.h.clock.holds()).toBe(0);
      await w.expect(/\r\nRDY\r\n/);
      await w.h.run(5000);
      expect(w.count('+QIURC: "recv",0')).toBe(1);
      await w.cmd("ATE0");
      await w.cmd('AT+QICSGP=1,1,"internet","","",1');
      await w.cmd("AT+QIACT=1");
      expect(await new AtSocket(w).open(SERVER_NAME, 25)).toBe(0);
      expect(w.h.sim.transcript.render()).not.toContain("the server owes");
    } finally {
      await raw.close();
    }
  });
});

describe("AT+QISTATE and AT+QSSLSTATE", () => {
  it("list the sockets in the module's format: connected 2, closed by the peer 4, gone after the close", async () => {
    const plain = await server();
    const tlsSrv = await server("implicit");
    const w = await socketModule({ server: plain, qisde: 0 });
    // The SSL socket reaches the TLS server by its address; the plain one by name.
    await w.cmd('AT+QSSLCFG="seclevel",1,0');
    const s = new AtSocket(w, TCP, 2);
    expect(await s.open(SERVER_NAME, 25)).toBe(0);
    expect(await new AtSocket(w, SSL, 4).open("127.0.0.1", tlsSrv.port)).toBe(0);
    await w.h.run(1000);
    expect(await w.cmd("AT+QISTATE")).toMatch(/^(\r\n\+Q(I|SSL)URC: "recv",\d\r\n)*\r\n\+QISTATE: 2,"TCP","127\.0\.0\.1",25,0,2,1,2,0,"uart1"\r\n\r\nOK\r\n$/);
    expect(await w.cmd("AT+QSSLSTATE")).toBe(`\r\n+QSSLSTATE: 4,"SSLClient","127.0.0.1",${tlsSrv.port},0,2,1,4,0,"uart1",1\r\n\r\nOK\r\n`);
    expect(await w.cmd("AT+QISTATE=1,4")).toBe("\r\nOK\r\n");
    expect(await w.cmd("AT+QISTATE=0,1")).toBe('\r\n+QISTATE: 2,"TCP","127.0.0.1",25,0,2,1,2,0,"uart1"\r\n\r\nOK\r\n');
    await s.drain();
    await s.sendExact("QUIT\r\n");
    await w.until('+QIURC: "closed",2', 1);
    expect(await w.cmd("AT+QISTATE=1,2")).toMatch(/\r\n\+QISTATE: 2,"TCP","127\.0\.0\.1",25,0,4,1,2,0,"uart1"\r\n\r\nOK\r\n$/);
    await w.cmd("AT+QICLOSE=2");
    expect(await w.cmd("AT+QISTATE?")).toBe("\r\nOK\r\n");
  });
});
