// The embedded mail server on its own: storage, parsing, refusals, waiting, shutdown.
import { existsSync, readFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MailServer } from "../../host-sim/mailserver/index.js";
import { NodemailerSmtpEngine } from "../../host-sim/smtp/engine.js";
import { enc, mail, session } from "./helpers.js";

const engine = new NodemailerSmtpEngine();
const T = 20_000;

describe("MailServer", () => {
  it("listens on a loopback ephemeral port, stores .eml files, and removes its temp dir on close", async () => {
    const srv = await MailServer.start();
    expect(srv.host).toBe("127.0.0.1");
    expect(srv.port).toBeGreaterThan(0);
    expect(srv.caPem).toBeUndefined();
    const out = await engine.deliver(session(srv.port), mail({ subject: { charset: 0, bytes: enc("stored") } }), T);
    expect(out.err, out.detail).toBe(0);
    const [m] = srv.messages();
    expect(m!.seq).toBe(1);
    expect(path.dirname(m!.emlPath)).toBe(srv.dir);
    expect(readFileSync(m!.emlPath).equals(m!.raw)).toBe(true);
    expect(m!.raw.toString("latin1")).toContain("Subject: stored");
    expect(m!.parsed.subject).toBe("stored");
    const dir = srv.dir;
    await srv.close();
    expect(existsSync(dir)).toBe(false);
  });

  it("greetAtOnce: one greeting, sent before the client says anything, and the first command is taken", async () => {
    const srv = await MailServer.start({ greetAtOnce: true });
    try {
      const lines: string[] = [];
      const socket = net.connect(srv.port, srv.host);
      socket.setEncoding("latin1");
      let buf = "";
      let wake: (() => void) | null = null;
      socket.on("data", (d: string) => {
        buf += d;
        for (let i = buf.indexOf("\r\n"); i >= 0; i = buf.indexOf("\r\n")) {
          lines.push(buf.slice(0, i));
          buf = buf.slice(i + 2);
        }
        wake?.();
      });
      let read = 0;
      const next = async (): Promise<string> => {
        while (lines.length <= read) await new Promise<void>((r) => (wake = r));
        return lines[read++];
      };
      expect(await next()).toMatch(/^220 /);
      socket.write("NOOP\r\n");
      expect(await next()).toMatch(/^250 /);
      // smtp-server's own 100 ms timer comes and goes: no second greeting.
      await new Promise((r) => setTimeout(r, 250));
      socket.write("QUIT\r\n");
      expect(await next()).toMatch(/^221 /);
      socket.destroy();
      expect(lines.filter((l) => l.startsWith("220"))).toHaveLength(1);
    } finally {
      await srv.close();
    }
  });

  it("keeps a given directory", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "cellmail-test-"));
    try {
      const srv = await MailServer.start({ dir });
      expect((await engine.deliver(session(srv.port), mail(), T)).err).toBe(0);
      await srv.close();
      expect(existsSync(srv.messages()[0]!.emlPath)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("waitForMessages resolves as messages arrive and rejects on timeout", async () => {
    const srv = await MailServer.start();
    try {
      const waiting = srv.waitForMessages(2, 10_000);
      await engine.deliver(session(srv.port), mail(), T);
      await engine.deliver(session(srv.port), mail(), T);
      expect(await waiting).toHaveLength(2);
      await expect(srv.waitForMessages(3, 50)).rejects.toThrow(/only 2/);
      srv.clear();
      expect(srv.messages()).toHaveLength(0);
    } finally {
      await srv.close();
    }
  });

  it("a refusal with times is charged once per session, then used up; setRefusals resets", async () => {
    const srv = await MailServer.start({ refusals: [{ stage: "rcpt", code: 450, times: 1 }] });
    try {
      const two = mail({ to: ["a@example.test", "b@example.test"] });
      const first = await engine.deliver(session(srv.port), two, T);
      expect([first.err, first.protocolError]).toEqual([667, 450]); // both RCPTs refused in one session
      expect((await engine.deliver(session(srv.port), two, T)).err).toBe(0);
      srv.setRefusals([{ stage: "auth", code: 454 }]);
      expect((await engine.deliver(session(srv.port), two, T)).err).toBe(0); // no AUTH attempted
      srv.setRefusals([{ stage: "mail", code: 553, address: "alarm@cellmail.test" }]);
      const refused = await engine.deliver(session(srv.port), two, T);
      expect([refused.err, refused.protocolError]).toEqual([681, 553]);
      expect(srv.connections).toBe(4);
    } finally {
      await srv.close();
    }
  });

  it("implicit TLS mode exposes the CA PEM and AUTH accepts PLAIN/LOGIN", async () => {
    const srv = await MailServer.start({ tls: "implicit", auth: { user: "u", password: "p" } });
    try {
      expect(srv.caPem).toMatch(/BEGIN CERTIFICATE/);
      const s = session(srv.port, { sslType: 1, secLevel: 1, caCertPem: srv.caPem, account: { user: "u", password: "p" } });
      expect((await engine.deliver(s, mail(), T)).err).toBe(0);
      expect(srv.messages()[0]!.user).toBe("u");
    } finally {
      await srv.close();
    }
  });
});
