// The module's SMTP engine against the embedded mail server, for real, over loopback.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MailServer, makeTestCa, makeServerCredentials, refusedPort, startRawServer } from "../../host-sim/mailserver/index.js";
import type { TlsCredentials } from "../../host-sim/mailserver/index.js";
import { NodemailerSmtpEngine } from "../../host-sim/smtp/engine.js";
import type { SmtpSession } from "../../host-sim/smtp/types.js";
import { allBytes, enc, mail, session } from "./helpers.js";

const T = 20_000; // put timeout for transactions that should succeed (never reached)

let creds: TlsCredentials;
const servers: MailServer[] = [];
async function server(opts: Parameters<typeof MailServer.start>[0] = {}): Promise<MailServer> {
  const s = await MailServer.start({ credentials: creds, ...opts });
  servers.push(s);
  return s;
}

beforeAll(async () => {
  creds = await makeServerCredentials(["localhost", "127.0.0.1", "::1"]);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const engine = new NodemailerSmtpEngine();

describe("delivery over all three ssltypes", () => {
  const cases: { sslType: 0 | 1 | 2; tls: "none" | "implicit" | "starttls"; secure: boolean }[] = [
    { sslType: 0, tls: "none", secure: false },
    { sslType: 1, tls: "implicit", secure: true },
    { sslType: 2, tls: "starttls", secure: true },
  ];
  for (const c of cases) {
    it(`ssltype ${c.sslType} (${c.tls}), seclevel 0, with AUTH`, async () => {
      const srv = await server({ tls: c.tls, auth: { user: "dev", password: "s3cret!" } });
      const out = await engine.deliver(
        session(srv.port, { sslType: c.sslType, account: { user: "dev", password: "s3cret!" } }),
        mail({ to: ["ops@example.test"], subject: { charset: 0, bytes: enc(`ssltype ${c.sslType}`) } }),
        T,
      );
      expect(out.err, out.detail).toBe(0);
      expect(out.protocolError).toBe(0);
      expect(out.detail).not.toContain("s3cret!");
      const [m] = await srv.waitForMessages(1);
      expect(m!.secure).toBe(c.secure);
      expect(m!.user).toBe("dev");
      expect(m!.subject).toBe(`ssltype ${c.sslType}`);
      expect(m!.from).toEqual({ name: "Cellmail Alarm", address: "alarm@cellmail.test" });
      expect(m!.envelope.mailFrom).toBe("alarm@cellmail.test");
      expect(m!.text).toBe("Alarm: input 1 went high.\n");
    });
  }

  it("ssltype 0 does not use STARTTLS even when the server offers it", async () => {
    const srv = await server({ tls: "starttls" });
    const out = await engine.deliver(session(srv.port, { sslType: 0 }), mail(), T);
    expect(out.err, out.detail).toBe(0);
    const [m] = await srv.waitForMessages(1);
    expect(m!.secure).toBe(false);
  });

  it("ssltype 0 against a server that requires STARTTLS -> 676,530", async () => {
    const srv = await server({ tls: "starttls", requireStartTLS: true });
    const out = await engine.deliver(session(srv.port, { sslType: 0 }), mail(), T);
    expect([out.err, out.protocolError]).toEqual([676, 530]);
    expect(srv.messages()).toHaveLength(0);
  });

  it("ssltype 2 against a server without STARTTLS: its 500 reply -> 670,500; nothing sent in the clear", async () => {
    const srv = await server({ tls: "none" });
    const out = await engine.deliver(session(srv.port, { sslType: 2 }), mail(), T);
    expect([out.err, out.protocolError], out.detail).toEqual([670, 500]);
    expect(srv.messages()).toHaveLength(0);
  });

  it("ssltype 1 against a plain server fails as SSL (665)", async () => {
    const srv = await server({ tls: "none" });
    const out = await engine.deliver(session(srv.port, { sslType: 1 }), mail(), T);
    expect(out.err, out.detail).toBe(665);
  });
});

describe("seclevel 1: verify the server against the uploaded CA", () => {
  const verify = (port: number, sslType: 1 | 2, caCertPem: string | undefined, over: Partial<SmtpSession> = {}) =>
    session(port, { sslType, secLevel: 1, caCertPem, ...over });

  it("passes with the server's CA, implicit TLS, connecting to 127.0.0.1 (IP SAN)", async () => {
    const srv = await server({ tls: "implicit" });
    const out = await engine.deliver(verify(srv.port, 1, srv.caPem), mail(), T);
    expect(out.err, out.detail).toBe(0);
    expect((await srv.waitForMessages(1))[0]!.secure).toBe(true);
  });

  it("passes with the server's CA over STARTTLS", async () => {
    const srv = await server({ tls: "starttls" });
    const out = await engine.deliver(verify(srv.port, 2, srv.caPem), mail(), T);
    expect(out.err, out.detail).toBe(0);
  });

  it("verifies a certificate issued for 'localhost' (servername option, SNI on)", async () => {
    const only = await makeServerCredentials(["localhost"]);
    const srv = await server({ tls: "implicit", credentials: only });
    // By IP, the certificate (no IP SAN) does not match ...
    const byIp = await engine.deliver(verify(srv.port, 1, srv.caPem), mail(), T);
    expect(byIp.err, byIp.detail).toBe(665);
    // ... verified as "localhost" it does.
    const named = new NodemailerSmtpEngine({ servername: "localhost" });
    const ok = await named.deliver(verify(srv.port, 1, srv.caPem, { sni: true }), mail(), T);
    expect(ok.err, ok.detail).toBe(0);
    expect(srv.messages()[0]!.servername).toBe("localhost");
    // SNI off: the name is still verified, but not sent.
    const noSni = await named.deliver(verify(srv.port, 1, srv.caPem, { sni: false }), mail(), T);
    expect(noSni.err, noSni.detail).toBe(0);
    expect(srv.messages()[1]!.servername).toBeUndefined();
    // And the host name itself, resolved through the engine's host table.
    const hosts = new NodemailerSmtpEngine({ hosts: { "mail.cellmail.test": "127.0.0.1" } });
    const wrongName = await hosts.deliver(
      verify(srv.port, 1, srv.caPem, { server: { host: "mail.cellmail.test", port: srv.port } }),
      mail(),
      T,
    );
    expect(wrongName.err, wrongName.detail).toBe(665);
  });

  it("fails with 665 against a wrong CA, and without any CA", async () => {
    const srv = await server({ tls: "implicit" });
    const other = await makeTestCa("some other CA");
    const wrong = await engine.deliver(verify(srv.port, 1, other.certPem), mail(), T);
    expect([wrong.err, wrong.protocolError]).toEqual([665, 0]);
    const none = await engine.deliver(verify(srv.port, 1, undefined), mail(), T);
    expect(none.err, none.detail).toBe(665);
    const starttls = await server({ tls: "starttls" });
    const wrong2 = await engine.deliver(verify(starttls.port, 2, other.certPem), mail(), T);
    expect(wrong2.err, wrong2.detail).toBe(665);
    expect(srv.messages()).toHaveLength(0);
    expect(starttls.messages()).toHaveLength(0);
  });

  it("seclevel 0 accepts the same certificate without a CA", async () => {
    const srv = await server({ tls: "implicit" });
    const out = await engine.deliver(session(srv.port, { sslType: 1, secLevel: 0 }), mail(), T);
    expect(out.err, out.detail).toBe(0);
  });
});

describe("the message the module sends", () => {
  let srv: MailServer;
  beforeAll(async () => {
    srv = await server({ tls: "implicit" });
  });
  const send = async (m: ReturnType<typeof mail>, over: Partial<SmtpSession> = {}) => {
    const before = srv.messages().length;
    const out = await engine.deliver(session(srv.port, { sslType: 1, ...over }), m, T);
    expect(out.err, out.detail).toBe(0);
    return (await srv.waitForMessages(before + 1))[before]!;
  };

  it("UTF-8 subject with Chinese and emoji", async () => {
    const subject = "报警：1号输入 🔥 alarm";
    const m = await send(mail({ subject: { charset: 1, bytes: enc(subject) } }));
    expect(m.subject).toBe(subject);
    expect(m.rawHeaders).toMatch(/^Subject: =\?UTF-8\?/im);
  });

  it("GB2312 subject and body", async () => {
    // "你好" in GB2312, then " GB", and the body "温度过高" in GB2312.
    const subj = new Uint8Array([0xc4, 0xe3, 0xba, 0xc3, 0x20, 0x47, 0x42]);
    const body = new Uint8Array([0xce, 0xc2, 0xb6, 0xc8, 0xb9, 0xfd, 0xb8, 0xdf]);
    const m = await send(mail({ subject: { charset: 2, bytes: subj }, body: { charset: 2, bytes: body } }));
    expect(m.subject).toBe("你好 GB");
    expect(m.text.trim()).toBe("温度过高");
    expect(m.raw.toString("latin1")).toMatch(/Content-Type: text\/plain; charset=gb2312/i);
  });

  it("BIG5 subject", async () => {
    const m = await send(mail({ subject: { charset: 3, bytes: new Uint8Array([0xa7, 0x41, 0xa6, 0x6e]) } }));
    expect(m.subject).toBe("你好");
  });

  it("Cc in the headers; Bcc only on the envelope, yet delivered", async () => {
    const m = await send(
      mail({ to: ["a@example.test", "b@example.test"], cc: ["c@example.test"], bcc: ["hidden@example.test"] }),
    );
    expect(m.to.map((a) => a.address)).toEqual(["a@example.test", "b@example.test"]);
    expect(m.cc.map((a) => a.address)).toEqual(["c@example.test"]);
    expect(m.rawHeaders).toMatch(/^Cc: c@example\.test/im);
    expect(m.rawHeaders).not.toMatch(/^Bcc:/im);
    expect(m.raw.toString("latin1")).not.toContain("hidden@example.test");
    expect(m.envelope.rcptTo).toEqual(["a@example.test", "b@example.test", "c@example.test", "hidden@example.test"]);
  });

  it("a binary attachment arrives byte-exact (all 256 byte values)", async () => {
    const bytes = allBytes();
    const text = enc("line one\r\nline two\r\n");
    const m = await send(
      mail({ attachments: [{ name: "UFS:dump.bin", bytes }, { name: "UFS:log.txt", bytes: text }] }),
    );
    expect(m.attachments).toHaveLength(2);
    expect(m.attachments[0]!.filename).toBe("dump.bin");
    expect(Buffer.compare(m.attachments[0]!.content, Buffer.from(bytes))).toBe(0);
    expect(m.attachments[1]!.filename).toBe("log.txt");
    expect(Buffer.compare(m.attachments[1]!.content, Buffer.from(text))).toBe(0);
    expect(m.text).toBe("Alarm: input 1 went high.\n");
  });

  it("a 10240-byte body arrives whole", async () => {
    const body = new Uint8Array(10240);
    for (let i = 0; i < body.length; i++) body[i] = i % 64 === 63 ? 0x0a : 0x41 + (i % 26);
    const m = await send(mail({ body: { charset: 0, bytes: body } }));
    expect(m.text).toBe(Buffer.from(body).toString("latin1"));
    // No line over the SMTP limit, whatever the body looked like.
    for (const line of m.raw.toString("latin1").split("\r\n")) expect(line.length).toBeLessThanOrEqual(998);
  });

  it("bodyoriginal: the body bytes with no charset", async () => {
    const body = enc("plain text body\r\n");
    const m = await send(mail({ body: { charset: 1, bytes: body } }), { bodyOriginal: true });
    expect(m.raw.toString("latin1")).toMatch(/Content-Type: text\/plain\r\n/);
    expect(m.text).toBe("plain text body\n");
  });
});

describe("failures map to +QSMTPPUT: <err>,<protocol_error>", () => {
  it("AUTH failure -> 677,535; the password is never in the detail", async () => {
    const srv = await server({ tls: "implicit", auth: { user: "dev", password: "right" } });
    const out = await engine.deliver(
      session(srv.port, { sslType: 1, account: { user: "dev", password: "wr0ngPass" } }),
      mail(),
      T,
    );
    expect([out.err, out.protocolError]).toEqual([677, 535]);
    expect(out.detail).not.toContain("wr0ngPass");
    expect(out.detail).not.toContain(Buffer.from("wr0ngPass").toString("base64"));
    expect(srv.authFailures).toBeGreaterThan(0);
  });

  it("no AUTH configured against a server that requires it -> 676,530", async () => {
    const srv = await server({ auth: { user: "dev", password: "right" } });
    const out = await engine.deliver(session(srv.port), mail(), T);
    expect([out.err, out.protocolError]).toEqual([676, 530]);
  });

  it("550 for the only recipient -> 678,550", async () => {
    const srv = await server({ refusals: [{ stage: "rcpt", code: 550, message: "No such user" }] });
    const out = await engine.deliver(session(srv.port), mail(), T);
    expect([out.err, out.protocolError]).toEqual([678, 550]);
    expect(out.detail).toContain("No such user");
  });

  it("one of two recipients refused: sent to the other, the refusal reported", async () => {
    const srv = await server({ refusals: [{ stage: "rcpt", code: 550, address: "gone@example.test" }] });
    const out = await engine.deliver(session(srv.port), mail({ to: ["ops@example.test", "gone@example.test"] }), T);
    expect(out.err, out.detail).toBe(0);
    expect(out.rejected).toEqual(["gone@example.test"]);
    expect((await srv.waitForMessages(1))[0]!.envelope.rcptTo).toEqual(["ops@example.test"]);
  });

  it.each([
    ["mail", 530, 676],
    ["mail", 454, 668],
    ["mail", 421, 666],
    ["data", 451, 668],
    ["data", 552, 680],
    ["data", 554, 682],
    ["connect", 421, 666],
  ] as const)("%s refused with %i -> %i", async (stage, code, err) => {
    const srv = await server({ refusals: [{ stage, code }] });
    const out = await engine.deliver(session(srv.port), mail(), T);
    expect([out.err, out.protocolError], out.detail).toEqual([err, code]);
    expect(srv.messages()).toHaveLength(0);
  });

  it("451 for the first two deliveries, then accepted (resend works)", async () => {
    const srv = await server({ refusals: [{ stage: "data", code: 451, times: 2 }] });
    const s = session(srv.port);
    const m = mail();
    expect((await engine.deliver(s, m, T)).err).toBe(668);
    expect((await engine.deliver(s, m, T)).err).toBe(668);
    expect((await engine.deliver(s, m, T)).err).toBe(0);
    expect(srv.messages()).toHaveLength(1);
  });

  it("connection refused -> 654", async () => {
    const port = await refusedPort();
    const out = await engine.deliver(session(port), mail(), T);
    expect([out.err, out.protocolError], out.detail).toEqual([654, 0]);
  });

  it("DNS failure (a name under .invalid) -> 653", async () => {
    const out = await engine.deliver(
      session(25, { server: { host: "smtp.no-such-host.invalid", port: 25 } }),
      mail(),
      T,
    );
    expect([out.err, out.protocolError], out.detail).toEqual([653, 0]);
  });

  it("DNS failure from an injected resolver (EAI_AGAIN) -> 653", async () => {
    const e = new NodemailerSmtpEngine({
      resolve: async (h) => {
        throw Object.assign(new Error(`getaddrinfo EAI_AGAIN ${h}`), { code: "EAI_AGAIN" });
      },
    });
    const out = await e.deliver(session(25, { server: { host: "smtp.example.test", port: 25 } }), mail(), T);
    expect(out.err).toBe(653);
  });

  it("a server that never answers -> 658 within the put timeout", async () => {
    const raw = await startRawServer("silent");
    try {
      const out = await engine.deliver(session(raw.port), mail(), 1500);
      expect([out.err, out.protocolError], out.detail).toEqual([658, 0]);
      expect(raw.connections).toBe(1);
    } finally {
      await raw.close();
    }
  });

  it("timeoutCapMs bounds the real time of a long put timeout -> 658", async () => {
    const raw = await startRawServer("silent");
    try {
      const capped = new NodemailerSmtpEngine({ timeoutCapMs: 800 });
      const out = await capped.deliver(session(raw.port), mail(), 300_000);
      expect(out.err, out.detail).toBe(658);
    } finally {
      await raw.close();
    }
  });

  it("cancelled by the caller (PDP deactivated) -> 657, or the err the reason carries", async () => {
    const raw = await startRawServer("greet-then-silent");
    try {
      const ac = new AbortController();
      const pending = engine.deliver(session(raw.port), mail(), T, { signal: ac.signal });
      setTimeout(() => ac.abort(new Error("pdpdeact")), 200);
      const out = await pending;
      expect([out.err, out.protocolError], out.detail).toEqual([657, 0]);
      const ac2 = new AbortController();
      ac2.abort({ err: 654, message: "network lost" });
      const out2 = await engine.deliver(session(raw.port), mail(), T, { signal: ac2.signal });
      expect(out2.err, out2.detail).toBe(654);
    } finally {
      await raw.close();
    }
  });

  it("a server that greets and then goes silent -> 658", async () => {
    const raw = await startRawServer("greet-then-silent");
    try {
      const out = await engine.deliver(session(raw.port), mail(), 1500);
      expect(out.err, out.detail).toBe(658);
    } finally {
      await raw.close();
    }
  });

  it("a server that hangs up at once -> 656", async () => {
    const raw = await startRawServer("close");
    try {
      const out = await engine.deliver(session(raw.port), mail(), T);
      expect(out.err, out.detail).toBe(656);
    } finally {
      await raw.close();
    }
  });

  it("no recipients -> 659 without connecting", async () => {
    const out = await engine.deliver(session(1), mail({ to: [] }), T);
    expect(out.err).toBe(659);
  });

  it("the log carries the SMTP conversation with the password redacted", async () => {
    const srv = await server({ auth: { user: "dev", password: "Pa55-word" } });
    const lines: string[] = [];
    const e = new NodemailerSmtpEngine({ log: (l) => lines.push(l) });
    const out = await e.deliver(session(srv.port, { account: { user: "dev", password: "Pa55-word" } }), mail(), T);
    expect(out.err, out.detail).toBe(0);
    const all = lines.join("\n");
    expect(all).toMatch(/MAIL FROM/);
    expect(all).not.toContain("Alarm: input 1 went high."); // message data is not logged by default
    const [m] = await srv.waitForMessages(1);
    expect(m!.rawHeaders).toContain(`Message-ID: ${out.messageId}`);
    expect(all).toContain("+QSMTPPUT: 0,0");
    expect(all).not.toContain("Pa55-word");
    for (const s of [
      Buffer.from("Pa55-word").toString("base64"),
      Buffer.from("\u0000dev\u0000Pa55-word").toString("base64"),
    ])
      expect(all).not.toContain(s);
  });
});
