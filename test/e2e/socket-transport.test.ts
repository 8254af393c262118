// smtp.transport end to end: the node composition's core with cellmail's own SMTP client over
// the module's sockets (firmware/targets/socket-mail.ts), the EC800 model's real TCP/TLS
// connections, the runner's real SMTP server, the mail read back.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { commandLines, count, scenario, session, timesOf } from "./support.js";

const mail = { to: ["ops@example.com"], cc: ["lead@example.com"], bcc: ["audit@example.com"], subject: "Alarm: Pumpe läuft trocken", body: "Level 0.2 m at 03:12.\r\n.dot line\r\nOK\r\nSEND OK" };

describe("smtp.transport", () => {
  it("socket: delivered through AT+QSSLOPEN by cellmail's own client; no AT+QSMTP command; Bcc on the envelope only", async () => {
    const s = scenario("socket-happy", {
      module: { urcPort: "uart1" },
      needs: ["socket", "smtp-client"],
      firmware: { config: { smtp: { transport: "socket" } }, mail },
    } as never);
    const keep = mkdtempSync(join(tmpdir(), "cellmail-socket-"));
    const r = await session(s, { mailDir: keep });
    expect(r.errors, JSON.stringify(r.events.slice(-20))).toEqual([]);
    expect(r.delivered).toBe(1);
    const m = r.mails[0];
    expect(m.subject).toBe(mail.subject);
    expect(r.transcript).not.toMatch(/AT\+QSMTP/);
    expect(r.transcript).toMatch(/AT\+QSSLOPEN=/);
    expect(r.events.map((e) => e.text).join("\n")).toMatch(/transport: socket \(smtp\.transport is socket\)/);
    // Read back from the server's file: the Message-ID is the job's id, the board's name and the
    // SIM's ICCID at the sender's domain (stable on a resend of the same job), Bcc is in no header.
    const parsed = await simpleParser(readFileSync(m.eml!));
    expect(parsed.messageId).toBe("<m1_sim-board_89860012345678901234.alarm@cellmail.test>");
    expect(parsed.headers.has("bcc")).toBe(false);
    expect(parsed.text!.trim()).toBe(mail.body.replace(/\r\n/g, "\n"));
    rmSync(keep, { recursive: true, force: true });
  });
});

describe("smtp.transport: auto, faults, refusals", () => {
  const base = { module: { urcPort: "uart1" }, needs: ["socket", "smtp-client"] };

  it("auto on a module without an SMTP engine (every AT+QSMTP* is ERROR): the socket, and the log says why", async () => {
    const s = scenario("auto-no-engine", { ...base, module: { urcPort: "uart1", smtpSupported: false }, firmware: { config: { smtp: { transport: "auto" } }, mail } } as never);
    const r = await session(s);
    expect(r.delivered).toBe(1);
    expect(r.transcript).toMatch(/AT\+QSMTPCFG=\?/);
    expect(r.transcript).toMatch(/AT\+QSSLOPEN=/);
    expect(r.events.map((e) => e.text).join("\n")).toMatch(/transport: socket \(the module has no SMTP engine \(AT\+QSMTPCFG=\? is ERROR\)\)/);
  });

  it("auto on a module with the engine: the module's AT+QSMTP path, no socket", async () => {
    const s = scenario("auto-engine", { ...base, firmware: { config: { smtp: { transport: "auto" } }, mail } } as never);
    const r = await session(s);
    expect(r.delivered).toBe(1);
    expect(r.transcript).toMatch(/AT\+QSMTPPUT=/);
    expect(r.transcript).not.toMatch(/AT\+QSSLOPEN=/);
    expect(r.events.map((e) => e.text).join("\n")).toMatch(/transport: module \(the module has an SMTP engine/);
  });

  it("the peer closing in DATA the first time: the ladder sends again over a new connection, delivered once", async () => {
    const s = scenario("socket-peer-close", { ...base, faults: [{ kind: "peerClose", afterDataBytes: 40, occurrence: 1 }], firmware: { config: { smtp: { transport: "socket" } }, mail } } as never);
    const r = await session(s);
    expect(r.delivered).toBe(1);
    expect(r.mails.length).toBe(1);
    expect(r.transcript.match(/ > AT\+QSSLOPEN=/g)!.length).toBe(2); // the command written twice (its echo aside)
  });

  it("a refused open: PDP re-activated, then a new connection, delivered", async () => {
    const s = scenario("socket-open-refused", { ...base, faults: [{ kind: "socketOpenFails", err: 566, occurrence: 1 }], firmware: { config: { smtp: { transport: "socket", ssl: { type: 0 } }, }, mail } } as never);
    const r = await session(s);
    expect(r.delivered, JSON.stringify(r.events.slice(-10))).toBe(1);
    expect(r.transcript).toMatch(/\+QIOPEN: 1,566/);
    expect(r.transcript).toMatch(/ > AT\+QIDEACT=1/); // the network rung: PDP re-activated
    expect(r.transcript.match(/ > AT\+QIOPEN=/g)!.length).toBe(2);
  });

  it("a name that never resolves: the mail fails with the socket code 565 after the ladder, kept by the outbox", async () => {
    const s = scenario("socket-dns", { ...base, faults: [{ kind: "dnsFails", occurrence: 1, times: 20 }], firmware: { config: { smtp: { transport: "socket" } }, mail }, expect: { failure: { code: 565, cause: "network" } } } as never);
    const r = await session(s);
    expect(r.mails).toEqual([]);
    expect(r.errors.map((e) => e.code)).toContain(565);
  });
});


describe("smtp.transport socket: the Message-ID tells boards apart", () => {
  const base = { needs: ["socket", "smtp-client"], firmware: { config: { smtp: { transport: "socket" } }, mail } };

  async function messageIdOn(iccid: string, faults: unknown[] = []): Promise<{ id: string; log: string; qccid: number; opens: number }> {
    const s = scenario("socket-identity", { ...base, module: { urcPort: "uart1", iccid }, faults } as never);
    const keep = mkdtempSync(join(tmpdir(), "cellmail-socket-id-"));
    try {
      const r = await session(s, { mailDir: keep });
      expect(r.delivered, JSON.stringify(r.events.slice(-10))).toBe(1);
      const parsed = await simpleParser(readFileSync(r.mails[0].eml!));
      return { id: parsed.messageId ?? "", log: r.events.map((e) => e.text).join("\n"), qccid: (r.transcript.match(/ > AT\+QCCID\\r/g) ?? []).length, opens: (r.transcript.match(/ > AT\+QSSLOPEN=/g) ?? []).length };
    } finally {
      rmSync(keep, { recursive: true, force: true });
    }
  }

  it("two boards with the same name and sender and the same job id, on different SIMs, write different Message-IDs", async () => {
    const a = await messageIdOn("89860000000000000011");
    const b = await messageIdOn("89860000000000000022");
    expect(a.id).toBe("<m1_sim-board_89860000000000000011.alarm@cellmail.test>");
    expect(b.id).toBe("<m1_sim-board_89860000000000000022.alarm@cellmail.test>");
    expect(a.qccid).toBe(1);
  });

  it("AT+QCCID asked once per boot: a resend over a new connection carries the same Message-ID", async () => {
    const r = await messageIdOn("89860000000000000033", [{ kind: "peerClose", afterDataBytes: 40, occurrence: 1 }]);
    expect(r.opens).toBe(2);
    expect(r.id).toBe("<m1_sim-board_89860000000000000033.alarm@cellmail.test>");
    expect(r.qccid).toBe(1);
  });

  it("a module that refuses AT+QCCID: the mail goes with the job id and the board's name, and the log says so", async () => {
    const r = await messageIdOn("89860000000000000044", [{ kind: "commandError", command: "+QCCID", times: 10 }]);
    expect(r.id).toBe("<m1_sim-board.alarm@cellmail.test>");
    expect(r.log).toMatch(/AT\+QCCID: .*no SIM identity/);
  });
});

describe("smtp.transport socket: a module that does not echo AT+QSSLSEND's data", () => {
  it("two chunks cancelled with no echo at all: this boot's sends go unchecked in the fixed-length form, the log says so, the mail arrives intact", async () => {
    const s = scenario("socket-no-ssl-echo", {
      module: { urcPort: "uart1", sslSendEcho: false },
      needs: ["socket", "smtp-client"],
      firmware: { config: { smtp: { transport: "socket" } }, mail },
    } as never);
    const keep = mkdtempSync(join(tmpdir(), "cellmail-socket-noecho-"));
    try {
      const r = await session(s, { mailDir: keep });
      expect(r.delivered, JSON.stringify(r.events.slice(-10))).toBe(1);
      const log = r.events.map((e) => e.text).join("\n");
      expect(log.match(/sends go unchecked/g)?.length).toBe(1);
      // The checked form was tried (and cancelled) first, then only the fixed-length form.
      expect(r.transcript).toMatch(/ > AT\+QSSLSEND=1\\r/);
      expect(r.transcript).toMatch(/ > AT\+QSSLSEND=1,\d+\\r/);
      const parsed = await simpleParser(readFileSync(r.mails[0].eml!));
      expect(parsed.text!.trim()).toBe(mail.body.replace(/\r\n/g, "\n"));
    } finally {
      rmSync(keep, { recursive: true, force: true });
    }
  });
});

// A damaged stream (E_STREAM_DAMAGED 1041: bytes lost on the UART between board and module) has
// its own rung on the socket path: a new connection, up to maxReconnects (3) per job, then the
// job fails retryable and the outbox tries later. PDP re-activation and a module reboot cannot
// mend a UART (firmware/mail/job.ts, docs/sockets.md "Recovery on the socket path").
describe("smtp.transport socket: a stream damaged on the UART", () => {
  const base = { module: { urcPort: "uart1" }, needs: ["socket", "smtp-client"] };
  const config = { smtp: { transport: "socket" } };
  const damaged = (times: number, occurrence = 1) => [{ kind: "damageRead", byte: 3, occurrence, times }];
  const lines = (r: { transcript: string }) => commandLines(r.transcript);
  const log = (r: { events: { text: string }[] }) => r.events.map((e) => e.text).join("\n");
  /** Nothing but the bring-up's own PDP activation, no re-activation, no reboot. */
  const noPdpNoReboot = (l: string[]) => {
    expect(count(l, "AT+QIDEACT")).toBe(0);
    expect(count(l, "AT+QIACT=")).toBe(1);
    expect(count(l, "AT+CFUN")).toBe(0);
  };

  it("damaged once (a reply in the middle of the conversation): one new connection, delivered once, no PDP re-activation, no reboot", async () => {
    const s = scenario("socket-damaged-once", { ...base, faults: damaged(1, 3), firmware: { config, mail } } as never);
    const r = await session(s);
    expect(r.delivered, log(r)).toBe(1);
    expect(r.mails.length).toBe(1);
    expect(r.transcript).toMatch(/fault: byte 3 of a \d+-byte socket read lost on the UART/);
    expect(log(r)).toMatch(/stream damaged on the UART: a new connection \(1 of 3\), no PDP or reboot/);
    const l = lines(r);
    expect(count(l, "AT+QSSLOPEN=")).toBe(2);
    noPdpNoReboot(l);
  });

  it("damaged every time: the job gives up after 1 + 3 connections, retryable 1041, no PDP re-activation, no reboot", async () => {
    const s = scenario("socket-damaged-always", { ...base, faults: damaged(1000), firmware: { config, mail }, expect: { failure: { code: 1041, cause: "uart", retryable: true } } } as never);
    const r = await session(s);
    expect(r.expectFailures).toEqual([]);
    expect(r.mails).toEqual([]);
    expect(r.errors.map((e) => e.code)).toEqual([1041]);
    expect(log(r)).toMatch(/a new connection \(3 of 3\)/);
    expect(log(r)).toMatch(/failed: retryable 1041/);
    const l = lines(r);
    expect(count(l, "AT+QSSLOPEN=")).toBe(4);
    noPdpNoReboot(l);
  });

  it("an alarm whose job gave up stays in the outbox, is tried again after its backoff and arrives, same Message-ID (at least once)", async () => {
    const alarm = { key: "leak", title: "Water leak", text: "Sensor 3 wet" };
    const s = scenario("socket-damaged-outbox", { ...base, faults: damaged(4), firmware: { config, alarm } } as never);
    const keep = mkdtempSync(join(tmpdir(), "cellmail-socket-damaged-"));
    try {
      const r = await session(s, { mailDir: keep });
      expect(r.expectFailures, log(r)).toEqual([]);
      expect(r.delivered).toBe(1);
      expect(r.mails.length).toBe(1);
      const gaveUp = r.events.find((e) => /alarm leak kept for a retry: error 1041\//.test(e.text));
      expect(gaveUp, log(r)).toBeDefined();
      // The outbox's backoff (30 s base, half of it fixed) before the second job starts.
      const again = r.events.find((e) => e.t > gaveUp!.t && /mail a1: start/.test(e.text));
      expect(again!.t - gaveUp!.t).toBeGreaterThanOrEqual(15000);
      const l = lines(r);
      expect(count(l, "AT+QSSLOPEN=")).toBe(5);
      noPdpNoReboot(l);
      const parsed = await simpleParser(readFileSync(r.mails[0].eml!));
      expect(parsed.messageId).toBe("<a1_sim-board_89860012345678901234.alarm@cellmail.test>");
    } finally {
      rmSync(keep, { recursive: true, force: true });
    }
  });
});

// UART damage around the open and the close (docs/sockets.md, "The open and the close on a
// lossy UART"): before, a lost +QSSLOPEN URC was waited out for 150 s and
// failed with 569 (a network code: PDP re-activated), and a close that did not arrive left the
// id taken, so the next open was answered 563 (PDP again).
describe("smtp.transport socket: the open's URC and the close on a lossy UART", () => {
  const base = { module: { urcPort: "uart1" }, needs: ["socket", "smtp-client"] };
  const config = { smtp: { transport: "socket" } };
  const log = (r: { events: { text: string }[] }) => r.events.map((e) => e.text).join("\n");
  /** Virtual time of the first transcript line holding `text` (the firmware's side). */
  const at = (r: { transcript: string }, text: string): number => timesOf(r.transcript, ">", text)[0] ?? NaN;
  const noPdpNoReboot = (l: string[]) => {
    expect(count(l, "AT+QIDEACT")).toBe(0);
    expect(count(l, "AT+QIACT=")).toBe(1);
    expect(count(l, "AT+CFUN")).toBe(0);
  };

  it("the +QSSLOPEN URC lost: AT+QSSLSTATE=1 after 8 s says connected; delivered in seconds, no 150-s wait, no PDP re-activation, no reboot", async () => {
    const s = scenario("socket-open-urc-lost", { ...base, faults: [{ kind: "loseUrc", urc: "+QSSLOPEN: " }], firmware: { config, mail } } as never);
    const r = await session(s);
    expect(r.delivered, log(r)).toBe(1);
    expect(r.mails.length).toBe(1);
    expect(r.transcript).toMatch(/fault: URC lost: \+QSSLOPEN: 1,0/);
    const l = commandLines(r.transcript);
    expect(count(l, "AT+QSSLOPEN=")).toBe(1);
    expect(count(l, "AT+QSSLSTATE=1")).toBe(1);
    noPdpNoReboot(l);
    const opened = at(r, "AT+QSSLOPEN=");
    const delivered = r.events.find((e) => /delivered over the socket/.test(e.text))!.t;
    expect(at(r, "AT+QSSLSTATE=1") - opened).toBeGreaterThanOrEqual(8000);
    expect(delivered - opened).toBeLessThan(20_000);
  });

  /** Two mails, the first one's AT+QSSLCLOSE answered ERROR `refusals` times (its line damaged on the way: nothing closed). */
  async function closeRefused(refusals: number) {
    const more = [{ to: ["ops@example.com"], subject: "Alarm: door 1 closed", body: "Door 1 closed at 03:14." }];
    const s = scenario("socket-close-refused-" + refusals, {
      ...base,
      faults: [{ kind: "commandError", command: "+QSSLCLOSE", plain: true, times: refusals }],
      firmware: { config, mail, more },
      expect: { delivered: [{ subject: mail.subject }, { subject: "Alarm: door 1 closed" }] },
    } as never);
    const r = await session(s);
    expect(r.expectFailures, log(r)).toEqual([]);
    expect(r.delivered).toBe(2);
    const l = commandLines(r.transcript);
    noPdpNoReboot(l);
    return { transcript: r.transcript, lines: l };
  }

  it("a close answered ERROR after the first mail (its line damaged on the way): written again; the second mail's open is not answered 563; both delivered, no PDP", async () => {
    const r = await closeRefused(1);
    expect(r.transcript).not.toMatch(/\+QSSLOPEN: 1,563/);
    expect(count(r.lines, "AT+QSSLOPEN=")).toBe(2);
    expect(count(r.lines, "AT+QSSLCLOSE=1")).toBe(3); // the first mail's twice, the second's once
  });

  it("every write of the first mail's close refused: the second mail's open is answered 563, the id closed, the open written again; both delivered, no PDP", async () => {
    const r = await closeRefused(3);
    expect(r.transcript).toMatch(/\+QSSLOPEN: 1,563/);
    expect(count(r.lines, "AT+QSSLOPEN=")).toBe(3);
    expect(count(r.lines, "AT+QSSLCLOSE=1")).toBe(5); // three refused, one for the 563, the second mail's
  });
});
