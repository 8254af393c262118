// The compact profile end to end against a real SMTP server the test owns (smtp-server,
// parsed with mailparser): the compact core (on Node and inside XS) drives the EC800
// model, whose real SMTP engine (nodemailer) delivers. Plain SMTP, implicit TLS and
// STARTTLS; a UTF-8 subject through the hex path; a 10240-byte body byte for byte;
// injection attempts refused with a typed code before any AT command carries them;
// what the compact profile leaves out (attachments, server verification) refused clearly.
import { describe, expect, it } from "vitest";
import { SIM_USER } from "../../host-sim/runner/config.js";
import { runSession } from "../../host-sim/runner/session.js";
import type { EngineName, RunSessionOptions } from "../../host-sim/runner/types.js";
import type { Scenario } from "../../host-sim/scenarios/scenario.js";
import { E_ADDRESS, E_ATTACHMENTS, E_BODY_LENGTH, E_SUBJECT, E_UNSAFE_CHAR } from "../../firmware/errors.js";
import { MAX_BODY } from "../../firmware/mail/message.js";
import { bodyBytes, commandLines, count, deliver, firmwareStream, firstDiff, moduleOutput, scenario, unexpectedLines, type MailSpec } from "../e2e/support.js";

const ENGINES: EngineName[] = ["node", "xs"];
const TO = ["ops@example.com"];
const MAIL = { to: TO, subject: "Alarm: TLS check", body: "Pump 2 stopped." };

function compact(engine: EngineName): Partial<RunSessionOptions> {
  return { engine, composition: "espruino" };
}

/** A body of exactly `n` UTF-8 bytes: CR LF lines, Chinese, and lines that look like modem output or commands. */
function bodyOf(n: number): string {
  const pieces = ["Pump room: water level 37 cm\r\n", "OK\r\n", "ERROR\r\n", "+++\r\n", "AT+QSMTPPUT=300\r\n", "温度告警 压力过低\r\n", "\r\n", "+QSMTPPUT: 0,0\r\n"];
  let s = "";
  let i = 0;
  while (Buffer.byteLength(s, "utf8") < n - 40) s += pieces[i++ % pieces.length];
  while (Buffer.byteLength(s, "utf8") < n - 2) s += String.fromCharCode(0x41 + (Buffer.byteLength(s, "utf8") % 26));
  s += "\r\n";
  if (Buffer.byteLength(s, "utf8") !== n) throw new Error("bodyOf: wrong length");
  return s;
}

function jobs(name: string, mail: MailSpec, more: MailSpec[] = [], config?: Record<string, unknown>) {
  return scenario(name, { module: { urcPort: "uart1" }, firmware: { config, mail, more } });
}

/**
 * A scenario that uses what it does not declare in `needs` (the format refuses such a file):
 * the runner then hands its work to the compact core, whose own refusal is what is tested
 * here, as on a board whose application submits such a job or stores such a configuration.
 */
function undeclared(name: string, firmware: Record<string, unknown>): Scenario {
  return { name, module: { urcPort: "uart1" }, firmware, expect: { delivered: [{}] } };
}

const MODES = [
  { name: "plain SMTP (ssl type 0)", type: 0, port: 25, tls: "none", secure: false },
  { name: "implicit TLS (ssl type 1)", type: 1, port: 465, tls: "implicit", secure: true },
  { name: "STARTTLS (ssl type 2)", type: 2, port: 587, tls: "starttls", secure: true },
] as const;

describe.concurrent("compact e2e: plain, implicit TLS and STARTTLS to a real SMTP server", () => {
  for (const engine of ENGINES) {
    for (const m of MODES) {
      it(`${m.name} (${engine})`, async () => {
        const s = scenario(`compact-tls-${m.type}`, {
          module: { urcPort: "uart1" },
          firmware: { config: { smtp: { port: m.port, ssl: { type: m.type, verify: false } } }, mail: MAIL },
        });
        // For plain SMTP the server offers no STARTTLS; with STARTTLS it refuses mail before the upgrade.
        const d = await deliver(s, m.tls === "starttls" ? { requireStartTLS: true } : {}, undefined, compact(engine));
        expect(d.result.composition).toBe("espruino");
        expect(d.result.engine).toBe(engine);
        expect(d.result.errors).toEqual([]);
        expect(d.result.delivered).toBe(1);
        expect(d.mails).toHaveLength(1);
        const mail = d.mails[0];
        expect(mail.subject).toBe(MAIL.subject);
        expect(mail.secure).toBe(m.secure);
        expect(mail.user).toBe(SIM_USER); // AUTH happened (over TLS where configured)
        expect(mail.envelope.rcptTo).toEqual(TO);
        expect(bodyBytes(mail).toString("utf8")).toBe(MAIL.body + "\r\n");

        const lines = commandLines(d.result.transcript);
        expect(unexpectedLines(lines)).toEqual([]);
        expect(lines).toContain(`AT+QSMTPCFG="ssltype",${m.type}`);
        expect(lines).toContain(`AT+QSMTPCFG="smtpserver","smtp.cellmail.test",${m.port}`);
        if (m.type === 0) {
          expect(count(lines, "AT+QSSLCFG")).toBe(0);
          expect(count(lines, 'AT+QSMTPCFG="sslctxid"')).toBe(0);
        } else {
          expect(lines).toContain('AT+QSSLCFG="seclevel",1,0');
          expect(lines).toContain('AT+QSMTPCFG="sslctxid",1');
        }
        expect(count(lines, "AT+QFUPL")).toBe(0);
        expect(d.result.transcript).not.toContain("sim-Secret-42");
      });
    }
  }
});

describe.concurrent("compact e2e: content arrives intact", () => {
  for (const engine of ENGINES) {
    it(`a UTF-8 subject goes hex-encoded (AT+QSMTPSUB=1) and arrives intact (${engine})`, async () => {
      const subject = "告警：水泵房漏水 🚨💧 (Pump room)";
      const d = await deliver(jobs("compact-utf8-subject", { to: TO, subject, body: "Leak sensor 1 is wet." }), {}, undefined, compact(engine));
      expect(d.result.errors).toEqual([]);
      expect(d.mails).toHaveLength(1);
      expect(d.mails[0].subject).toBe(subject);
      const lines = commandLines(d.result.transcript);
      const sub = lines.map((l) => /^AT\+QSMTPSUB=1,"([0-9A-F]+)"$/.exec(l)).filter((x) => x !== null);
      expect(sub).toHaveLength(1);
      expect(Buffer.from(sub[0]![1], "hex").toString("utf8")).toBe(subject);
      expect(count(lines, "AT+QSMTPSUB=0")).toBe(0);
    });

    it(`a 10240-byte body (the maximum) arrives byte-exact, in one data phase of exactly that length (${engine})`, async () => {
      const body = bodyOf(MAX_BODY);
      const d = await deliver(jobs("compact-body-max", { to: TO, subject: "Alarm: big body", body }), {}, undefined, compact(engine));
      expect(d.result.errors).toEqual([]);
      expect(d.mails).toHaveLength(1);
      expect(firstDiff(bodyBytes(d.mails[0]), Buffer.from(body, "utf8"))).toBeNull();
      const s = firmwareStream(d.result.transcript);
      const lines = s.lines.map((l) => l.text);
      expect(lines).toContain(`AT+QSMTPBODY=1,${MAX_BODY},60`);
      const data = s.data.filter((x) => x.command.startsWith("AT+QSMTPBODY"));
      expect(data).toHaveLength(1);
      expect(data[0].bytes.equals(Buffer.from(body, "utf8"))).toBe(true);
      // The body's "OK", "+++", "+QSMTPPUT" and "AT+QSMTPPUT" lines were data, never commands.
      expect(count(lines, "AT+QSMTPPUT")).toBe(1);
      expect(unexpectedLines(lines)).toEqual([]);
      expect(d.result.transcript).toContain(`body ended by length (${MAX_BODY} bytes)`);
    });

    it(`a 10241-byte body is refused (E_BODY_LENGTH) before any AT command of the job; the next job still goes (${engine})`, async () => {
      const d = await deliver(jobs("compact-body-too-big", { to: TO, subject: "Alarm: too big", body: bodyOf(MAX_BODY + 1) }, [{ to: TO, subject: "Alarm: after", body: "ok" }]), {}, undefined, compact(engine));
      expect(d.result.errors.map((e) => e.code)).toEqual([E_BODY_LENGTH]);
      expect(d.mails.map((m) => m.subject)).toEqual(["Alarm: after"]);
      const lines = commandLines(d.result.transcript);
      expect(lines.filter((l) => l.startsWith("AT+QSMTPBODY"))).toEqual(["AT+QSMTPBODY=1,2,60"]); // every body goes as UTF-8 (Tencent SES takes no other label)
      expect(lines.some((l) => l.includes("too big"))).toBe(false);
    });
  }
});

/** Jobs that must be refused, with the code the compact core must refuse them with. */
const INJECTIONS: { job: MailSpec; code: number; carries: string }[] = [
  { job: { to: TO, subject: 'x"\r\nAT+CFUN=0\r\n', body: "refused: CR LF in the subject" }, code: E_SUBJECT, carries: "AT+CFUN=0" },
  { job: { to: TO, subject: "Alarm\nAT+QSMTPDST=1,1,evil@example.com", body: "refused: LF" }, code: E_SUBJECT, carries: "evil@example.com" },
  { job: { to: TO, subject: "Alarm\rAT+QSMTPPUT=9", body: "refused: CR" }, code: E_SUBJECT, carries: "AT+QSMTPPUT=9" },
  { job: { to: ['ops@example.com"\r\nAT+CFUN=0'], subject: "Alarm: bad To", body: "refused" }, code: E_UNSAFE_CHAR, carries: "Alarm: bad To" },
  { job: { to: TO, cc: ['cc@example.com","evil@example.com'], subject: "Alarm: bad Cc", body: "refused" }, code: E_UNSAFE_CHAR, carries: "Alarm: bad Cc" },
  { job: { to: TO, bcc: ["bcc@example.com\rAT+QSMTPPUT=1"], subject: "Alarm: bad Bcc", body: "refused" }, code: E_UNSAFE_CHAR, carries: "Alarm: bad Bcc" },
  { job: { to: ["no-at-sign"], subject: "Alarm: no @", body: "refused" }, code: E_ADDRESS, carries: "Alarm: no @" },
];

describe.concurrent("compact e2e: injection attempts", () => {
  for (const engine of ENGINES) {
    it(`CR, LF and '"' in subjects and recipients are refused with a typed code; no AT line carries them; the safe job arrives once (${engine})`, async () => {
      const safe: MailSpec = { to: TO, subject: "Alarm, AT+QSMTPPUT=1; AT+CFUN=1,1", body: "Line one\r\nAT+CFUN=0\r\n+++\r\nOK\r\n" };
      const s = jobs("compact-injection", INJECTIONS[0].job, [...INJECTIONS.slice(1).map((x) => x.job), safe]);
      const d = await deliver(s, {}, 1, compact(engine));
      // Typed refusals, in order, each with a cause text and the field it points at.
      expect(d.result.errors.map((e) => e.code)).toEqual(INJECTIONS.map((x) => x.code));
      for (const e of d.result.errors) expect(e.cause.length).toBeGreaterThan(10);
      const refusals = d.result.events.filter((e) => e.kind === "result" && / refused: /.test(e.text));
      expect(refusals).toHaveLength(INJECTIONS.length);
      // Refused synchronously: nothing was written between a refused job's submission and the next one's.
      const first = firmwareStream(d.result.transcript).lines[0];
      for (const r of refusals) expect(r.t).toBeLessThan(first.t);

      // Only the safe mail arrived, once, to the intended recipient, with its exact subject and body.
      expect(d.mails.map((m) => m.subject)).toEqual([safe.subject]);
      expect(d.mails[0].envelope.rcptTo).toEqual(TO);
      expect(bodyBytes(d.mails[0]).toString("utf8")).toBe(safe.body);
      for (const m of d.mails) expect(m.raw.toString("latin1").toLowerCase()).not.toContain("evil@example.com");

      // Line by line: only well-formed commands; none carries any part of a refused job.
      const stream = firmwareStream(d.result.transcript);
      const lines = stream.lines.map((l) => l.text);
      expect(unexpectedLines(lines)).toEqual([]);
      expect(count(lines, "AT+CFUN")).toBe(0);
      expect(count(lines, "AT+QSMTPPUT=")).toBe(1);
      expect(lines.filter((l) => l.startsWith("AT+QSMTPDST"))).toEqual(['AT+QSMTPDST=1,1,"ops@example.com"']);
      expect(lines.filter((l) => l.startsWith("AT+QSMTPSUB"))).toEqual([`AT+QSMTPSUB=0,"${safe.subject}"`]);
      for (const x of INJECTIONS) expect(lines.some((l) => l.includes(x.carries)), x.carries).toBe(false);
      // The safe body's command-looking lines went as data of the announced length.
      expect(stream.data.map((b) => b.bytes.toString("utf8"))).toEqual([safe.body]);
      // The module never had to reject a line.
      expect(moduleOutput(d.result.transcript)).not.toMatch(/\r\nERROR\r\n/);
    });

    it(`a subject with '"' never reaches the module unencoded: refused with E_SUBJECT or sent as UTF-8 hex (${engine})`, async () => {
      // The full profile sends it as hex (DESIGN.md section 3); the compact core refuses it today
      // (regressions.test.ts, B1). Either way no command line may carry the quote.
      const subject = '","AT+QSMTPDST=1,3,"evil@example.com';
      const d = await deliver(jobs("compact-quote-subject", { to: TO, subject, body: "x" }), {}, undefined, compact(engine));
      const lines = commandLines(d.result.transcript);
      expect(lines.some((l) => l.includes("evil@example.com"))).toBe(false);
      expect(count(lines, "AT+QSMTPDST=1,3")).toBe(0);
      if (d.result.errors.length > 0) {
        expect(d.result.errors.map((e) => e.code)).toEqual([E_SUBJECT]);
        expect(d.mails).toEqual([]);
        expect(lines).toEqual([]);
      } else {
        expect(lines.filter((l) => l.startsWith("AT+QSMTPSUB"))).toEqual([`AT+QSMTPSUB=1,"${Buffer.from(subject, "utf8").toString("hex").toUpperCase()}"`]);
        expect(d.mails.map((m) => m.subject)).toEqual([subject]);
        expect(d.mails[0].envelope.rcptTo).toEqual(TO);
      }
    });
  }
});

describe.concurrent("compact e2e: what the espruino composition leaves out is refused clearly by its core", () => {
  for (const engine of ENGINES) {
    it(`a job with an attachment is refused with E_ATTACHMENTS and nothing of it is sent; the next job goes (${engine})`, async () => {
      const d = await deliver(
        undeclared("compact-attachment", { mail: { to: TO, subject: "Alarm: with a log", body: "see log", attachments: [{ name: "log.csv", size: 100 }] }, more: [{ to: TO, subject: "Alarm: plain", body: "ok" }] }),
        {},
        undefined,
        compact(engine),
      );
      expect(d.result.errors).toEqual([{ code: E_ATTACHMENTS, cause: "the espruino composition sends no attachments (it carries no attachments module: use moddable or node)" }]);
      expect(d.result.events.some((e) => e.text === `job m1 refused: ${E_ATTACHMENTS} the espruino composition sends no attachments (it carries no attachments module: use moddable or node) (attachments)`)).toBe(true);
      expect(d.mails.map((m) => m.subject)).toEqual(["Alarm: plain"]);
      const lines = commandLines(d.result.transcript);
      for (const p of ["AT+QFUPL", "AT+QSMTPATT"]) expect(count(lines, p)).toBe(0);
      expect(lines.some((l) => l.includes("with a log"))).toBe(false);
    });

    it(`a configuration that verifies the server is refused before the session runs, naming the field (${engine})`, async () => {
      const s = undeclared("compact-verify", { config: { smtp: { ssl: { type: 1, verify: true } } }, mail: MAIL });
      await expect(runSession({ scenario: s, ...compact(engine) })).rejects.toThrow(/compact core \(espruino composition\).*smtp\.ssl\.verify/);
      const t = Date.now();
      await expect(runSession({ scenario: s, ...compact(engine) })).rejects.toMatchObject({ code: 1010, field: "smtp.ssl.verify" });
      expect(Date.now() - t).toBeLessThan(5000);
    });
  }
});
