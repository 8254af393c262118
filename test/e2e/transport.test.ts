// Transport security end to end: the board configured for plain SMTP, implicit TLS (465)
// or STARTTLS (587), with and without verifying the server against an uploaded CA, sends
// through the EC800 model's real SMTP engine to a real SMTP server in that mode.
import { describe, expect, it } from "vitest";
import { makeTestCa } from "../../host-sim/mailserver/certs.js";
import { SIM_USER } from "../../host-sim/runner/config.js";
import { commandLines, count, deliver, firmwareStream, scenario, unexpectedLines } from "./support.js";

const MAIL = { to: ["ops@example.com"], subject: "Alarm: TLS check", body: "Pump 2 stopped." };

function board(type: 0 | 1 | 2, port: number, verify: boolean, cacert?: string) {
  return { smtp: { port, ssl: cacert === undefined ? { type, verify } : { type, verify, cacert } } };
}

const MODES = [
  { name: "plain SMTP (ssl type 0)", type: 0 as const, port: 25, verify: false, tls: "none", secure: false },
  { name: "implicit TLS (ssl type 1)", type: 1 as const, port: 465, verify: false, tls: "implicit", secure: true },
  { name: "STARTTLS (ssl type 2)", type: 2 as const, port: 587, verify: false, tls: "starttls", secure: true },
  { name: "implicit TLS, server verified against its CA", type: 1 as const, port: 465, verify: true, tls: "implicit", secure: true },
  { name: "STARTTLS, server verified against its CA", type: 2 as const, port: 587, verify: true, tls: "starttls", secure: true },
];

describe("e2e: plain, implicit TLS and STARTTLS to a real SMTP server", () => {
  for (const m of MODES) {
    it(m.name, async () => {
      const s = scenario(`e2e-tls-${m.type}-${m.verify}`, {
        module: { urcPort: "uart1" },
        firmware: { config: board(m.type, m.port, m.verify), mail: MAIL },
        needs: m.verify ? ["ca-upload"] : undefined,
      });
      // For plain SMTP the server offers no STARTTLS; with STARTTLS it refuses mail before the upgrade.
      const d = await deliver(s, m.tls === "starttls" ? { requireStartTLS: true } : {});
      expect(d.result.errors).toEqual([]);
      expect(d.result.delivered).toBe(1);
      expect(d.mails).toHaveLength(1);
      const mail = d.mails[0];
      expect(mail.subject).toBe(MAIL.subject);
      expect(mail.secure).toBe(m.secure);
      expect(mail.user).toBe(SIM_USER); // AUTH happened (over TLS where configured)
      expect(mail.envelope.rcptTo).toEqual(["ops@example.com"]);

      const lines = commandLines(d.result.transcript);
      expect(unexpectedLines(lines)).toEqual([]);
      expect(lines).toContain(`AT+QSMTPCFG="ssltype",${m.type}`);
      expect(lines.some((l) => l.startsWith(`AT+QSMTPCFG="smtpserver","smtp.cellmail.test",${m.port}`))).toBe(true);
      if (m.type === 0) {
        expect(count(lines, "AT+QSSLCFG")).toBe(0);
      } else {
        expect(lines).toContain(`AT+QSSLCFG="seclevel",1,${m.verify ? 1 : 0}`);
      }
      if (m.verify) {
        // The CA went up byte-exact (QFUPL in ack mode) and the SSL context points at it.
        const upload = firmwareStream(d.result.transcript).data.find((x) => x.command.startsWith("AT+QFUPL="));
        expect(upload).toBeDefined();
        expect(upload!.bytes.toString("utf8")).toBe(d.server.caPem);
        expect(lines.some((l) => /^AT\+QSSLCFG="cacert",1,"UFS:[\w.-]+"$/.test(l))).toBe(true);
      } else {
        expect(lines.some((l) => l.startsWith("AT+QFUPL="))).toBe(false);
      }
    });
  }

  it("verification is real: a server certificate from another CA is refused (665, tls) and nothing arrives", async () => {
    const foreign = await makeTestCa("some other CA");
    for (const [type, port] of [
      [1, 465],
      [2, 587],
    ] as const) {
      const s = scenario(`e2e-tls-foreign-ca-${type}`, {
        module: { urcPort: "uart1" },
        firmware: { config: board(type, port, true, foreign.certPem), mail: MAIL },
        needs: ["ca-upload"],
      });
      const d = await deliver(s, type === 2 ? { requireStartTLS: true } : {}, 0);
      expect(d.result.delivered).toBe(0);
      expect(d.mails).toHaveLength(0);
      expect(d.result.errors).toHaveLength(1);
      expect(d.result.errors[0].code).toBe(665);
      expect(d.result.transcript).toMatch(/\+QSMTPPUT: 665,/);
    }
  });
});
