// Each provider rule on its own (host-sim/mailserver/providers/, docs/fleet.md): a real SMTP
// transaction from the module's engine (nodemailer) to the embedded server with the profile,
// on a virtual time the test sets. The heavy size rules are judged through the same rule
// engine with a parsed message, without sending megabytes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import nodemailer from "nodemailer";
import { simpleParser } from "mailparser";
import { NodemailerSmtpEngine } from "../../host-sim/smtp/engine.js";
import {
  providerProfile, startProvider, ProviderPolicy, Tickets, ticketedEngine, accountProblems, type ProviderServers,
} from "../../host-sim/mailserver/providers/index.js";
import { longestLine, normalContentType } from "../../host-sim/mailserver/providers/policy.js";
import type { ProviderAccount } from "../../host-sim/mailserver/providers/types.js";
import type { SmtpOutcome } from "../../host-sim/smtp/types.js";
import { enc, mail, session } from "./helpers.js";

const SENDER = "alarm@water.example";
const ACCOUNT: ProviderAccount = {
  senders: [
    { address: SENDER, user: SENDER, password: "smtp-pass-1" },
    { address: "alarm2@water.example", user: "alarm2@water.example", password: "smtp-pass-2" },
  ],
};
const engine = new NodemailerSmtpEngine({ servername: "localhost" });

/** A provider on loopback whose clock the test sets. */
async function provider(name: "tencent" | "amazon", options = {}): Promise<ProviderServers & { time: { now: number } }> {
  const time = { now: 0 };
  const p = await startProvider({ profile: providerProfile(name, options), account: ACCOUNT, now: () => time.now });
  return Object.assign(p, { time });
}

function send(p: ProviderServers, over: { port?: number; sslType?: 0 | 1 | 2; user?: string; password?: string; from?: string; to?: string[]; charset?: 0 | 1; body?: string; timeoutMs?: number } = {}): Promise<SmtpOutcome> {
  const port = p.portFor(over.port ?? 465) ?? p.closedPort;
  const from = over.from ?? SENDER;
  return engine.deliver(
    session(port, {
      sslType: over.sslType ?? 1,
      account: { user: over.user ?? from, password: over.password ?? (from === SENDER ? "smtp-pass-1" : "smtp-pass-2") },
      sender: { name: "Pump house", email: from },
    }),
    mail({ to: over.to ?? ["ops@example.test"], body: { charset: over.charset ?? 1, bytes: enc(over.body ?? "Leak in the pump room.\r\n") } }),
    over.timeoutMs ?? 20_000,
  );
}

/** A raw message straight through nodemailer (for headers and lines the module never writes). */
async function sendRaw(p: ProviderServers, raw: string): Promise<{ ok: boolean; code?: number; response?: string }> {
  const t = nodemailer.createTransport({ host: "127.0.0.1", port: p.portFor(465)!, secure: true, tls: { rejectUnauthorized: false }, auth: { user: SENDER, pass: "smtp-pass-1" } });
  try {
    await t.sendMail({ envelope: { from: SENDER, to: ["ops@example.test"] }, raw });
    return { ok: true };
  } catch (e) {
    const err = e as { responseCode?: number; response?: string };
    return { ok: false, code: err.responseCode, response: err.response };
  } finally {
    t.close();
  }
}

const GOOD_HEADERS = `From: ${SENDER}\r\nTo: ops@example.test\r\nSubject: test\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n`;

describe("tencent profile (seed 000)", () => {
  let p: ProviderServers & { time: { now: number } };
  beforeAll(async () => {
    p = await provider("tencent");
  });
  afterAll(async () => {
    await p.close();
  });

  it("listens on 465 with implicit TLS only", async () => {
    expect(p.portFor(465)).toBeGreaterThan(0);
    expect(p.portFor(25)).toBeUndefined();
    expect(p.portFor(587)).toBeUndefined();
    // A plain client waits for a greeting the TLS port never sends in clear.
    const plain = await send(p, { sslType: 0, timeoutMs: 1500 });
    expect(plain.err).toBe(658);
    expect(p.policy.accepted).toBe(0);
    const ok = await send(p);
    expect(ok.err).toBe(0);
  });

  it("refuses MAIL FROM without AUTH (530) and wrong credentials (535)", async () => {
    const before = p.policy.refusals.length;
    const noAuth = await send(p, { user: "", password: "" });
    expect([noAuth.err, noAuth.protocolError]).toEqual([676, 530]);
    const wrong = await send(p, { password: "not-it" });
    expect([wrong.err, wrong.protocolError]).toEqual([677, 535]);
    expect(p.policy.refusals.slice(before).map((r) => r.rule)).toEqual(["tencent.auth", "tencent.auth"]);
  });

  it("refuses a sender address that is not verified (554, business-error form)", async () => {
    const r = await send(p, { from: "intruder@water.example", user: SENDER, password: "smtp-pass-1" });
    expect([r.err, r.protocolError]).toEqual([682, 554]);
    expect(p.policy.refusals.at(-1)!.rule).toBe("tencent.verified-sender");
  });

  it("allows 20 calls per second per account, the 21st gets RequestLimitExceeded.SmtpRateLimit (554)", async () => {
    p.time.now = 10_000_000;
    const outcomes: SmtpOutcome[] = [];
    for (let i = 0; i < 21; i++) outcomes.push(await send(p, { to: [`rcpt${i}@example.test`] }));
    expect(outcomes.slice(0, 20).every((o) => o.err === 0)).toBe(true);
    expect([outcomes[20].err, outcomes[20].protocolError]).toEqual([682, 554]);
    expect(p.policy.refusals.at(-1)!.rule).toBe("tencent.calls-per-second");
    p.time.now += 1000;
    expect((await send(p, { to: ["rcpt0@example.test"] })).err).toBe(0);
  });

  it("allows 10 mails an hour from one sender to one recipient, then 450 until the hour has passed", async () => {
    const t0 = 20_000_000;
    for (let i = 0; i < 10; i++) {
      p.time.now = t0 + i * 60_000;
      expect((await send(p, { to: ["shift@example.test"] })).err).toBe(0);
    }
    p.time.now = t0 + 3_599_999;
    const held = await send(p, { to: ["shift@example.test"] });
    expect([held.err, held.protocolError]).toEqual([667, 450]);
    expect(p.policy.refusals.at(-1)!.rule).toBe("tencent.sender-recipient-per-hour");
    // Another sender, or another recipient, has its own window.
    expect((await send(p, { to: ["shift@example.test"], from: "alarm2@water.example" })).err).toBe(0);
    expect((await send(p, { to: ["other@example.test"] })).err).toBe(0);
    p.time.now = t0 + 3_600_000; // the first of the ten leaves the window
    expect((await send(p, { to: ["shift@example.test"] })).err).toBe(0);
  });

  it("accepts text/plain only with charset=UTF-8 (the module's us-ascii label is refused)", async () => {
    p.time.now = 30_000_000;
    const ascii = await send(p, { charset: 0, to: ["ct@example.test"] });
    expect([ascii.err, ascii.protocolError]).toEqual([682, 554]);
    expect(p.policy.refusals.at(-1)!.rule).toBe("tencent.content-type");
    expect((await send(p, { charset: 1, to: ["ct@example.test"] })).err).toBe(0);
    expect(normalContentType('text/plain; charset="UTF-8"')).toBe("text/plain;charset=utf-8");
    expect(normalContentType("multipart/mixed; boundary=x")).toBe("multipart/mixed");
    expect(normalContentType(undefined)).toBe("text/plain;charset=us-ascii");
  });

  it("refuses a line of 2,000 characters or more", async () => {
    p.time.now = 40_000_000;
    const long = await sendRaw(p, `${GOOD_HEADERS}\r\n${"x".repeat(2000)}\r\n`);
    expect([long.ok, long.code]).toEqual([false, 554]);
    expect(long.response).toContain("too longer line");
    expect((await sendRaw(p, `${GOOD_HEADERS}\r\n${"x".repeat(1999)}\r\n`)).ok).toBe(true);
    expect(longestLine(Buffer.from("ab\r\nabcd\r\nx"))).toBe(4);
  });

  it("refuses a MIME-Version other than 1.0, and a mail without From, Subject or body", async () => {
    p.time.now = 50_000_000;
    const cases: [string, string][] = [
      [GOOD_HEADERS.replace("MIME-Version: 1.0", "MIME-Version: 2.0") + "\r\nbody\r\n", "tencent.mime-version"],
      [GOOD_HEADERS.replace(`From: ${SENDER}\r\n`, "") + "\r\nbody\r\n", "tencent.from-required"],
      [GOOD_HEADERS.replace("Subject: test\r\n", "") + "\r\nbody\r\n", "tencent.subject-required"],
      [GOOD_HEADERS + "\r\n\r\n", "tencent.body-required"],
    ];
    for (const [raw, rule] of cases) {
      const r = await sendRaw(p, raw);
      expect([r.ok, r.code, p.policy.refusals.at(-1)!.rule]).toEqual([false, 554, rule]);
    }
  });

  it("refuses more than 10 attachments", async () => {
    p.time.now = 60_000_000;
    const part = (i: number) => `--b\r\nContent-Type: application/octet-stream; name="f${i}.bin"\r\nContent-Disposition: attachment; filename="f${i}.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n`;
    const raw = (n: number) =>
      `From: ${SENDER}\r\nTo: ops@example.test\r\nSubject: files\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nsee files\r\n` +
      Array.from({ length: n }, (_, i) => part(i)).join("") + "--b--\r\n";
    expect((await sendRaw(p, raw(10))).ok).toBe(true);
    const r = await sendRaw(p, raw(11));
    expect([r.ok, r.code, p.policy.refusals.at(-1)!.rule]).toEqual([false, 554, "tencent.attachment-count"]);
  });

  it("judges sizes: text over 1 MB, one attachment over 5 MB, all over 10 MB", async () => {
    const policy = new ProviderPolicy({ profile: providerProfile("tencent"), account: ACCOUNT, now: () => 0 });
    const judge = async (raw: Buffer, parsedOver: object = {}) => {
      const parsed = Object.assign(await simpleParser(raw), parsedOver);
      const headerEnd = raw.indexOf("\r\n\r\n");
      const v = await policy.admit({ raw, rawHeaders: raw.subarray(0, headerEnd).toString("latin1"), parsed, envelope: { mailFrom: SENDER, rcptTo: ["size@example.test"] } });
      v.release();
      return v.refusal ? policy.refusals.at(-1)!.rule : "accepted";
    };
    const small = Buffer.from(`${GOOD_HEADERS}\r\nhello\r\n`);
    const att = (size: number) => ({ size, content: Buffer.alloc(0), contentType: "application/octet-stream" });
    expect(await judge(small)).toBe("accepted");
    expect(await judge(small, { text: "y".repeat(1024 * 1024 + 1) })).toBe("tencent.text-size");
    expect(await judge(small, { attachments: [att(5 * 1024 * 1024 + 1)] })).toBe("tencent.attachment-size");
    expect(await judge(small, { attachments: [att(4 * 1024 * 1024), att(4 * 1024 * 1024), att(3 * 1024 * 1024)] })).toBe("tencent.attachments-total");
  });

  it("refuses an account with more than 10 sender addresses in one domain", () => {
    const senders = Array.from({ length: 11 }, (_, i) => ({ address: `b${i}@site.example`, user: `b${i}@site.example`, password: "p" }));
    expect(accountProblems(providerProfile("tencent"), { senders })).toEqual(["11 sender addresses in the domain site.example, at most 10 allowed"]);
    expect(accountProblems(providerProfile("tencent"), { senders: senders.slice(0, 10) })).toEqual([]);
    expect(() => new ProviderPolicy({ profile: providerProfile("tencent"), account: { senders }, now: () => 0 })).toThrow(/at most 10/);
  });
});

describe("amazon profile (reference/mail-anchors.md)", () => {
  let p: ProviderServers & { time: { now: number } };
  beforeAll(async () => {
    p = await provider("amazon", { maxSendRate: 1, dailyQuota: 3 });
  });
  afterAll(async () => {
    await p.close();
  });

  it("listens with TLS only: implicit on 465/2465, STARTTLS required on 25/587/2587", async () => {
    for (const port of [465, 2465, 25, 587, 2587]) expect(p.portFor(port)).toBeGreaterThan(0);
    expect(p.portFor(2525)).toBeUndefined();
    const plain = await send(p, { port: 587, sslType: 0 });
    expect([plain.err, plain.protocolError]).toEqual([676, 530]);
    p.time.now = 0;
    expect((await send(p, { port: 587, sslType: 2 })).err).toBe(0);
  });

  it("refuses MAIL FROM without AUTH (530) and wrong credentials (535)", async () => {
    expect((await send(p, { user: "", password: "" })).protocolError).toBe(530);
    expect((await send(p, { password: "nope" })).protocolError).toBe(535);
  });

  it("refuses an unverified sender: 554 Message rejected: Email address is not verified", async () => {
    const r = await send(p, { from: "x@other.example", user: SENDER, password: "smtp-pass-1" });
    expect([r.err, r.protocolError]).toEqual([682, 554]);
    expect(p.policy.refusals.at(-1)!.rule).toBe("amazon.verified-sender");
  });

  it("throttles over the maximum send rate: 454 Throttling failure (reported 668,454)", async () => {
    p.time.now = 10_000;
    expect((await send(p)).err).toBe(0);
    const r = await send(p);
    expect([r.err, r.protocolError]).toEqual([668, 454]);
    expect(p.policy.refusals.at(-1)!.rule).toBe("amazon.max-send-rate");
    p.time.now = 11_000;
    expect((await send(p)).err).toBe(0);
  });

  it("throttles over the daily quota: 454 Daily message quota exceeded", async () => {
    p.time.now = 20_000; // three accepted in this day already (at 0, 10,000 and 11,000)
    const r = await send(p);
    expect([r.err, r.protocolError]).toEqual([668, 454]);
    expect(p.policy.refusals.at(-1)!.rule).toBe("amazon.daily-quota");
    p.time.now = 24 * 3_600_000 + 11_001; // every earlier one has left the day
    expect((await send(p)).err).toBe(0);
  });

  it("takes at most 50 recipients per message (452 for the rest)", async () => {
    const q = await provider("amazon", { maxSendRate: 100, dailyQuota: 1000 });
    try {
      const to = Array.from({ length: 51 }, (_, i) => `r${i}@example.test`);
      const r = await send(q, { to });
      expect(r.err).toBe(0);
      expect(r.rejected).toEqual(["r50@example.test"]);
      expect(q.policy.refusals.map((x) => [x.rule, x.code])).toEqual([["amazon.recipients", 452]]);
    } finally {
      await q.close();
    }
  });
});

describe("open profile and tickets", () => {
  it("the open profile enforces nothing but the board's own AUTH", async () => {
    const p = await startProvider({ profile: providerProfile("open"), account: { senders: [] }, now: () => 0, open: { tls: "implicit", auth: { user: "u", password: "pw" } } });
    try {
      const ok = await engine.deliver(session(p.portFor(12345)!, { sslType: 1, account: { user: "u", password: "pw" }, sender: { name: "n", email: "anyone@anywhere.example" } }), mail({ body: { charset: 0, bytes: enc("x".repeat(3000)) } }), 20_000);
      expect(ok.err).toBe(0);
      const noAuth = await engine.deliver(session(p.portFor(1)!, { sslType: 1 }), mail(), 20_000);
      expect(noAuth.protocolError).toBe(530);
      expect(p.policy.refusals).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it("decides overlapping transactions in ticket order, at ticket time, and numbers them so", async () => {
    const tickets = new Tickets();
    const clock = { now: 0 };
    const seen: { seq: number; at?: number; subject: string }[] = [];
    const p = await startProvider({
      profile: providerProfile("tencent", { perSenderRecipientPerHour: 1 }), account: ACCOUNT, now: () => -1, tickets,
      onMessage: (m) => seen.push({ seq: m.seq, at: m.at, subject: m.subject }),
    });
    try {
      const eng = ticketedEngine(engine, tickets, () => clock.now);
      const sess = session(p.portFor(465)!, { sslType: 1, account: { user: SENDER, password: "smtp-pass-1" }, sender: { name: "n", email: SENDER } });
      const first = mail({ subject: { charset: 0, bytes: enc("first") }, body: { charset: 1, bytes: enc("1".repeat(200_000)) } }); // slower to transfer
      const second = mail({ subject: { charset: 0, bytes: enc("second") }, body: { charset: 1, bytes: enc("2") } });
      clock.now = 1000;
      const a = eng.deliver(sess, first, 20_000);
      clock.now = 1001;
      const b = eng.deliver(sess, second, 20_000);
      const [ra, rb] = await Promise.all([a, b]);
      // One mail an hour to this recipient: the first ticket wins, whichever finished first.
      expect(ra.err).toBe(0);
      expect([rb.err, rb.protocolError]).toEqual([667, 450]);
      expect(seen).toEqual([{ seq: 1, at: 1000, subject: "first" }]);
      expect(p.policy.refusals.map((r) => r.at)).toEqual([1001]);
      expect(tickets.pending()).toBe(0);
    } finally {
      await p.close();
    }
  });
});
