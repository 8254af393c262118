// The firmware's own SMTP client and MIME writer (firmware/ext/smtp) against the real
// smtp-server, through a Node TCP/TLS stream that behaves like a module socket
// (node-stream.ts); every mail is read back with mailparser and checked header by header.
import { afterEach, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { MailServer, type MailServerOptions } from "../../host-sim/mailserver/index.js";
import { bytesSource } from "../../firmware/at/source.js";
import { KIND_CONFIG, KIND_PERMANENT, KIND_RETRYABLE, KIND_THROTTLED, E_SMTP_REPLY } from "../../firmware/errors.js";
import { StoreSource, storeChunks } from "../../firmware/ext/smtp/store-source.js";
import { MemoryStore } from "../../host-sim/runner/node-firmware.js";
import type { SocketMailJob } from "../../firmware/ext/smtp/mail.js";
import { lineProblems, NETWORK_TIME, SENDER, sendOnce } from "./helpers.js";

const AUTH = { user: "board7", password: "s3cret-pass" };
let servers: MailServer[] = [];

async function start(options: MailServerOptions = {}): Promise<MailServer> {
  const s = await MailServer.start({ greetAtOnce: true, ...options });
  servers.push(s);
  return s;
}

afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
});

function simpleJob(id = "alarm-0001"): SocketMailJob {
  return { id, to: ["ops@example.com"], subject: "Door 1 open", body: "Door 1 opened at 03:12.\r\nZone north." };
}

describe("ext/smtp against smtp-server: transports and AUTH", () => {
  it("plain TCP, no AUTH: the mail arrives with Date, From, To, Subject, Message-ID and the body", async () => {
    const server = await start();
    const r = await sendOnce(server, simpleJob());
    expect(r.error).toBeNull();
    const [m] = await server.waitForMessages(1);
    expect(m.secure).toBe(false);
    expect(m.envelope).toEqual({ mailFrom: "alarm@cellmail.test", rcptTo: ["ops@example.com"] });
    expect(m.parsed.date?.getTime()).toBe(NETWORK_TIME);
    expect(m.rawHeaders).toContain("Date: Sun, 06 Dec 2026 22:33:32 +0000");
    expect(m.from).toEqual({ name: "Pump house 3", address: "alarm@cellmail.test" });
    expect(m.to).toEqual([{ name: "", address: "ops@example.com" }]);
    expect(m.subject).toBe("Door 1 open");
    expect(m.parsed.messageId).toBe("<alarm-0001.alarm@cellmail.test>");
    expect(m.text.trim()).toBe("Door 1 opened at 03:12.\nZone north.");
    expect(m.parsed.html).toBe(false);
    expect(lineProblems(m.raw)).toEqual([]);
    expect(r.stream.clientText()).toMatch(/QUIT\r\n$/);
    expect(r.stream.closedByClient).toBe(true);
  });

  it("implicit TLS (AT+QSSLOPEN's job) with AUTH PLAIN", async () => {
    const server = await start({ tls: "implicit", auth: AUTH });
    const r = await sendOnce(server, simpleJob(), AUTH);
    expect(r.error).toBeNull();
    const [m] = await server.waitForMessages(1);
    expect(m.secure).toBe(true);
    expect(m.user).toBe("board7");
    expect(r.client.authPlain).toBe(true);
    expect(r.stream.clientText()).toContain("AUTH PLAIN ");
  });

  it("AUTH LOGIN when the server offers only LOGIN", async () => {
    const server = await start({ tls: "implicit", auth: AUTH, smtpOptions: { authMethods: ["LOGIN"] } });
    const r = await sendOnce(server, simpleJob(), AUTH);
    expect(r.error).toBeNull();
    const [m] = await server.waitForMessages(1);
    expect(m.user).toBe("board7");
    const text = r.stream.clientText();
    expect(text).toContain("AUTH LOGIN\r\n");
    expect(text).toContain(Buffer.from("board7").toString("base64") + "\r\n");
    expect(text).not.toContain("AUTH PLAIN");
  });

  it("a wrong password: 535 -> permanent, the module's <err> 677, field smtp.password; nothing delivered", async () => {
    const server = await start({ auth: AUTH });
    const r = await sendOnce(server, simpleJob(), { user: AUTH.user, password: "wrong" });
    expect(r.error).toMatchObject({ kind: KIND_PERMANENT, code: 677, proto: 535, field: "smtp.password" });
    expect(r.error!.cause).toContain("AUTH PLAIN");
    expect(r.error!.cause).not.toContain("wrong");
    expect(server.messages()).toHaveLength(0);
  });

  it("credentials but no AUTH offered: 655 (unsupported authentication type), configuration", async () => {
    const server = await start({ smtpOptions: { disabledCommands: ["STARTTLS", "AUTH"] } });
    const r = await sendOnce(server, simpleJob(), AUTH);
    expect(r.error).toMatchObject({ kind: KIND_CONFIG, code: 655 });
  });

  it("HELO fallback: a server that does not know EHLO (500) gets HELO, and the mail goes", async () => {
    const server = await start({ smtpOptions: { disabledCommands: ["STARTTLS", "EHLO"] } });
    const r = await sendOnce(server, { ...simpleJob(), to: ["a@example.com", "b@example.com"] });
    expect(r.error).toBeNull();
    const text = r.stream.clientText();
    expect(text).toMatch(/^EHLO board\.cellmail\.test\r\nHELO board\.cellmail\.test\r\n/);
    expect(r.client.pipelining).toBe(false);
    const [m] = await server.waitForMessages(1);
    expect(m.envelope.rcptTo).toEqual(["a@example.com", "b@example.com"]);
  });
});

describe("ext/smtp: the MIME message, read back with mailparser", () => {
  it("UTF-8 subject and names as encoded words, To/Cc shown, Bcc only on the envelope, HTML alternative, attachments byte-exact", async () => {
    const server = await start({ tls: "implicit", auth: AUTH });
    const store = new MemoryStore();
    const blob = randomBytes(5000);
    storeChunks(store, "att.", 700, blob);
    const small = Buffer.from("t,state\n1,open\n");
    const body = "Tür 1 geöffnet — 警报!\nLine two\r\n.\r\n.leading dot\rbare CR\n" + "x".repeat(3000) + "\ntrailing space   \n\u0000nul\n";
    const job: SocketMailJob = {
      id: "alarm/7 ü",
      to: ["ops@example.com", "boss@example.com"],
      toNames: ["Ops Team \"North\"", "Chef Überwachung 警报中心"],
      cc: ["cc@example.com"],
      ccNames: [""],
      bcc: ["hidden@example.com"],
      subject: "Alarm: Tür 1 offen — 警报 " + "ä".repeat(25),
      body,
      html: "<p>Tür <b>1</b> open</p>\n<p>.</p>",
      attachments: [
        { name: "snapshot.bin", data: new StoreSource(store, "att.", 700, blob.length) },
        { name: "log.csv", data: bytesSource(new Uint8Array(small)) },
      ],
    };
    const r = await sendOnce(server, job, { ...AUTH, sender: { name: "Pumpe Süd", address: "alarm@cellmail.test" } });
    expect(r.error).toBeNull();
    const [m] = await server.waitForMessages(1);
    expect(lineProblems(m.raw)).toEqual([]);
    // Headers are ASCII only.
    expect(/^[\x20-\x7e\r\n\t]*$/.test(m.rawHeaders)).toBe(true);
    expect(m.subject).toBe(job.subject);
    expect(m.rawHeaders).toContain("Subject: =?UTF-8?B?");
    expect(m.from).toEqual({ name: "Pumpe Süd", address: "alarm@cellmail.test" });
    expect(m.to).toEqual([
      { name: 'Ops Team "North"', address: "ops@example.com" },
      { name: "Chef Überwachung 警报中心", address: "boss@example.com" },
    ]);
    expect(m.cc).toEqual([{ name: "", address: "cc@example.com" }]);
    expect(m.rawHeaders.toLowerCase()).not.toContain("bcc");
    expect(m.rawHeaders).not.toContain("hidden@example.com");
    expect(m.raw.toString("latin1")).not.toContain("hidden@example.com");
    expect(m.envelope.rcptTo).toEqual(["ops@example.com", "boss@example.com", "cc@example.com", "hidden@example.com"]);
    expect(m.parsed.messageId).toBe("<alarm=2F7=20=C3=BC.alarm@cellmail.test>");
    // The text: line ends normalised to CR LF (mailparser gives \n), everything else exact.
    const expected = body.replace(/\r\n|\r|\n/g, "\n");
    expect(m.text).toBe(expected);
    expect(m.parsed.html).toBe("<p>Tür <b>1</b> open</p>\n<p>.</p>");
    expect(m.parsed.headers.get("content-type")).toMatchObject({ value: "multipart/mixed" });
    expect(m.attachments.map((a) => [a.filename, a.contentType, a.size])).toEqual([
      ["snapshot.bin", "application/octet-stream", 5000],
      ["log.csv", "text/csv", small.length],
    ]);
    expect(Buffer.compare(m.attachments[0].content, blob)).toBe(0);
    expect(Buffer.compare(m.attachments[1].content, small)).toBe(0);
  });

  it("Message-ID is the same on a resend of the same alarm and differs for another alarm", async () => {
    const server = await start();
    await sendOnce(server, simpleJob("door-1@2026-12-06T22:33"));
    await sendOnce(server, simpleJob("door-1@2026-12-06T22:33"), { date: NETWORK_TIME + 600_000 });
    await sendOnce(server, simpleJob("door-2@2026-12-06T22:35"));
    const mails = await server.waitForMessages(3);
    const ids = mails.map((m) => m.parsed.messageId);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(ids[0]).toMatch(/^<door-1=40[0-9A-F=-]+.*\.alarm@cellmail\.test>$/);
  });

  it("text and HTML without attachments: multipart/alternative", async () => {
    const server = await start();
    const r = await sendOnce(server, { ...simpleJob(), html: "<h1>Door 1</h1>" });
    expect(r.error).toBeNull();
    const [m] = await server.waitForMessages(1);
    expect(m.parsed.headers.get("content-type")).toMatchObject({ value: "multipart/alternative" });
    expect(m.parsed.html).toBe("<h1>Door 1</h1>");
    expect(m.text.trim()).toBe("Door 1 opened at 03:12.\nZone north.");
  });

  it("dot-stuffing across buffer ends: many lines of dots in a small buffer arrive intact", async () => {
    const server = await start();
    let body = "";
    for (let i = 0; i < 400; i++) body += i % 3 === 0 ? ".\r\n" : i % 3 === 1 ? "..x\r\n" : ".";
    const r = await sendOnce(server, { ...simpleJob(), body }, { bufferBytes: 256, stream: { maxWrite: 100, readChunk: 3 } });
    expect(r.error).toBeNull();
    const [m] = await server.waitForMessages(1);
    const got = m.text.split("\n");
    const want = body.replace(/\r\n/g, "\n").split("\n");
    const diff = got.findIndex((l, i) => l !== want[i]);
    expect(diff, `first different line ${diff}: ${JSON.stringify(got.slice(diff - 2, diff + 2))} vs ${JSON.stringify(want.slice(diff - 2, diff + 2))}`).toBe(-1);
    expect(got.length).toBe(want.length);
    expect(r.stream.writes).toBeGreaterThan(10);
  });
});

describe("ext/smtp: PIPELINING (RFC 2920)", () => {
  const job = (): SocketMailJob => ({ ...simpleJob(), to: ["a@example.com", "b@example.com"], cc: ["c@example.com"], bcc: ["d@example.com"] });

  it("offered: MAIL, every RCPT and DATA go out in one write; fewer round trips", async () => {
    const server = await start({ auth: AUTH });
    const r = await sendOnce(server, job(), AUTH);
    expect(r.error).toBeNull();
    expect(r.client.pipelining).toBe(true);
    const group = r.stream.transcript.find((e) => e.from === "client" && e.bytes.toString().startsWith("MAIL FROM"));
    expect(group?.bytes.toString()).toBe(
      "MAIL FROM:<alarm@cellmail.test>\r\nRCPT TO:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nRCPT TO:<c@example.com>\r\nRCPT TO:<d@example.com>\r\nDATA\r\n",
    );
    // greeting, EHLO, AUTH, MAIL..DATA, end of data, QUIT
    expect(r.client.roundTrips).toBe(6);
    expect((await server.waitForMessages(1))[0].envelope.rcptTo).toEqual(["a@example.com", "b@example.com", "c@example.com", "d@example.com"]);
  });

  it("not offered (or switched off): one command per round trip", async () => {
    const server = await start({ auth: AUTH, smtpOptions: { hidePIPELINING: true } });
    const r = await sendOnce(server, job(), AUTH);
    expect(r.error).toBeNull();
    expect(r.client.pipelining).toBe(false);
    expect(r.client.roundTrips).toBe(6 + 4 + 1);
    const off = await sendOnce(await start(), job(), { pipelining: false });
    expect(off.error).toBeNull();
    expect(off.client.roundTrips).toBe(5 + 4 + 1);
    const writes = off.stream.transcript.filter((e) => e.from === "client").map((e) => e.bytes.toString());
    expect(writes).toContain("RCPT TO:<a@example.com>\r\n");
  });

  it("a group that fills more than one buffer is written in several writes without waiting", async () => {
    const server = await start();
    const to = Array.from({ length: 20 }, (_, i) => `recipient${i}@example.com`);
    const r = await sendOnce(server, { ...simpleJob(), to }, { bufferBytes: 256 });
    expect(r.error).toBeNull();
    expect(r.client.roundTrips).toBe(5);
    expect((await server.waitForMessages(1))[0].envelope.rcptTo).toEqual(to);
  });
});

describe("ext/smtp: refusals at each step give the module path's typed errors", () => {
  const cases: { name: string; options: MailServerOptions; kind: number; code: number; proto: number; field?: string }[] = [
    { name: "greeting 421", options: { refusals: [{ stage: "connect", code: 421 }] }, kind: KIND_RETRYABLE, code: 666, proto: 421 },
    { name: "greeting 554", options: { refusals: [{ stage: "connect", code: 554 }] }, kind: KIND_PERMANENT, code: 682, proto: 554 },
    { name: "AUTH 454", options: { auth: AUTH, refusals: [{ stage: "auth", code: 454 }] }, kind: KIND_RETRYABLE, code: E_SMTP_REPLY, proto: 454 },
    { name: "MAIL 451", options: { refusals: [{ stage: "mail", code: 451 }] }, kind: KIND_RETRYABLE, code: 668, proto: 451, field: "sender.address" },
    { name: "MAIL 530", options: { refusals: [{ stage: "mail", code: 530 }] }, kind: KIND_THROTTLED, code: 676, proto: 530 },
    { name: "RCPT 550 (the second)", options: { refusals: [{ stage: "rcpt", code: 550, address: "b@example.com" }] }, kind: KIND_PERMANENT, code: 678, proto: 550, field: "to[1]" },
    { name: "RCPT 450 (bcc)", options: { refusals: [{ stage: "rcpt", code: 450, address: "d@example.com" }] }, kind: KIND_RETRYABLE, code: 667, proto: 450, field: "bcc[0]" },
    { name: "end of data 552", options: { refusals: [{ stage: "data", code: 552 }] }, kind: KIND_PERMANENT, code: 680, proto: 552 },
    { name: "end of data 451", options: { refusals: [{ stage: "data", code: 451 }] }, kind: KIND_RETRYABLE, code: 668, proto: 451 },
  ];
  for (const pipelining of [true, false]) {
    for (const c of cases) {
      it(`${c.name}${pipelining ? "" : " (no pipelining)"}`, async () => {
        const server = await start(c.options);
        const creds = c.options.auth ? AUTH : {};
        const r = await sendOnce(server, { ...simpleJob(), to: ["a@example.com", "b@example.com"], bcc: ["d@example.com"] }, { ...creds, pipelining });
        expect(r.error).toMatchObject({ kind: c.kind, code: c.code, proto: c.proto });
        if (c.field) expect(r.error!.field).toBe(c.field);
        expect(server.messages()).toHaveLength(0);
        // The client ends the conversation (QUIT, then close) unless the server hung up first (421, or its greeting refused).
        if (pipelining && c.name.startsWith("RCPT")) {
          // DATA was pipelined and got its 354 (one recipient was accepted): the client hangs
          // up without the final dot, so the server drops the transaction.
          expect(r.stream.closedByClient).toBe(true);
          expect(r.stream.clientText()).toMatch(/\r\nDATA\r\n$/);
        } else if (c.proto !== 421 && !c.name.startsWith("greeting")) {
          expect(r.stream.closedByClient).toBe(true);
          expect(r.stream.clientText()).toMatch(/QUIT\r\n$/);
        }
        // A refusal before the message: no message is sent, even when a pipelined DATA got its 354.
        if (!c.name.startsWith("end of data")) expect(r.stream.clientText()).not.toMatch(/\r\n\.\r\n/);
      });
    }
  }
});

describe("ext/smtp: injection", () => {
  const EVIL = ["\r\n", "\n", "\r", "\u0000", "\r\n.\r\n", "\r\nRCPT TO:<x@evil.test>\r\n"];

  it("no user string can end a header or a command early: refused with a typed error, or encoded", async () => {
    const server = await start();
    for (const evil of EVIL) {
      const base = simpleJob();
      const fieldsRefused: [string, SocketMailJob | { sender: true }][] = [
        ["subject", { ...base, subject: "Alarm" + evil + "Bcc: x@evil.test" }],
        ["to[0]", { ...base, to: ["ops@example.com" + evil] }],
        ["cc[0]", { ...base, cc: [evil + "x@evil.test"] }],
        ["bcc[0]", { ...base, bcc: ["a" + evil + "@example.com"] }],
        ["toNames[0]", { ...base, toNames: ["Ops" + evil + "Bcc: x@evil.test"] }],
        ["attachments[0].name", { ...base, attachments: [{ name: "a" + evil + ".txt", data: bytesSource(new Uint8Array([1])) }] }],
      ];
      for (const [field, job] of fieldsRefused) {
        await expect(sendOnce(server, job as SocketMailJob), `${field} with ${JSON.stringify(evil)}`).rejects.toThrow(/job refused: 10\d\d/);
      }
      await expect(sendOnce(server, base, { sender: { name: "A" + evil, address: "alarm@cellmail.test" } })).rejects.toThrow(/job refused/);
      await expect(sendOnce(server, base, { sender: { name: "A", address: "alarm@cellmail.test" + evil } })).rejects.toThrow(/job refused/);
    }
    expect(server.connections).toBe(0);
    // Bodies, HTML and the id take anything and stay inside their part.
    let n = 0;
    for (const evil of EVIL) {
      const body = "start" + evil + "MAIL FROM:<x@evil.test>" + evil + "end";
      const r = await sendOnce(server, { ...simpleJob("id" + evil + "x"), body, html: "<p>" + evil + "</p>" });
      expect(r.error).toBeNull();
      n++;
      const mails = await server.waitForMessages(n);
      const m = mails[n - 1];
      expect(m.envelope.rcptTo).toEqual(["ops@example.com"]);
      expect(lineProblems(m.raw)).toEqual([]);
      expect(m.text).toBe(body.replace(/\r\n|\r|\n/g, "\n"));
      expect(m.parsed.messageId).toMatch(/^<id[A-Za-z0-9=_-]+x\.alarm@cellmail\.test>$/);
      expect(m.rawHeaders).toContain("Message-ID: " + m.parsed.messageId + "\r\n");
      expect(m.parsed.headers.has("bcc")).toBe(false);
    }
    expect(server.messages()).toHaveLength(EVIL.length);
  });
});

it("SENDER is a valid address (guard for the helpers)", () => {
  expect(SENDER.address).toContain("@");
});
