// What arrives is what the job said: UTF-8 subjects, a maximum-size body byte for byte,
// Cc in the headers and Bcc only on the envelope, binary attachments byte for byte.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { attachmentBytes } from "../../host-sim/runner/config.js";
import { loadScenario, type Scenario } from "../../host-sim/scenarios/scenario.js";
import { E_BODY_LENGTH, KIND_CONFIG } from "../../firmware/errors.js";
import { validateMail, MAX_BODY } from "../../firmware/mail/message.js";
import { bodyBytes, commandLines, count, deliver, firmwareStream, firstDiff, scenario, unexpectedLines, type MailSpec } from "./support.js";

const SCENARIOS = join(import.meta.dirname, "../../host-sim/scenarios");

const TO = ["ops@example.com"];

/** A body of exactly `n` UTF-8 bytes: CR LF lines, Chinese, and lines that look like modem output or commands. */
function bodyOf(n: number): string {
  const pieces = ["Pump room: water level 37 cm\r\n", "OK\r\n", "ERROR\r\n", "+++\r\n", "AT+QSMTPPUT=300\r\n", "温度告警 压力过低\r\n", "\r\n"];
  let s = "";
  let i = 0;
  while (Buffer.byteLength(s, "utf8") < n - 40) s += pieces[i++ % pieces.length];
  // Ends with CR LF: SMTP ends the last line with one anyway (RFC 5321 4.1.1.4), so a body
  // without it could not arrive byte for byte through any mail server.
  while (Buffer.byteLength(s, "utf8") < n - 2) s += String.fromCharCode(0x41 + (Buffer.byteLength(s, "utf8") % 26));
  s += "\r\n";
  if (Buffer.byteLength(s, "utf8") !== n) throw new Error("bodyOf: wrong length");
  return s;
}

function run(name: string, mail: MailSpec, more: MailSpec[] = [], needs?: Scenario["needs"]) {
  return deliver(scenario(name, { module: { urcPort: "uart1" }, firmware: { mail, more }, needs }));
}

describe("e2e: mail content arrives intact", () => {
  it("a UTF-8 subject with Chinese and emoji goes hex-encoded (charset 1) and mailparser decodes it intact", async () => {
    const subject = "告警：水泵房漏水 🚨💧 (Pump room)";
    const d = await run("e2e-utf8-subject", { to: TO, subject, body: "Leak sensor 1 is wet." });
    expect(d.result.errors).toEqual([]);
    expect(d.mails).toHaveLength(1);
    expect(d.mails[0].subject).toBe(subject);
    const lines = commandLines(d.result.transcript);
    const sub = lines.map((l) => /^AT\+QSMTPSUB=1,"([0-9A-Fa-f]+)"$/.exec(l)).filter((m) => m !== null);
    expect(sub).toHaveLength(1);
    expect(Buffer.from(sub[0]![1], "hex").toString("utf8")).toBe(subject);
  });

  it("a 10240-byte body (the maximum) arrives byte-exact, sent in one data phase of exactly that length", async () => {
    const body = bodyOf(MAX_BODY);
    const d = await run("e2e-body-max", { to: TO, subject: "Alarm: big body", body });
    expect(d.result.errors).toEqual([]);
    expect(d.mails).toHaveLength(1);
    expect(firstDiff(bodyBytes(d.mails[0]), Buffer.from(body, "utf8"))).toBeNull();
    const s = firmwareStream(d.result.transcript);
    expect(s.lines.map((l) => l.text)).toContain(`AT+QSMTPBODY=1,${MAX_BODY},60`);
    const data = s.data.filter((x) => x.command.startsWith("AT+QSMTPBODY"));
    expect(data).toHaveLength(1);
    expect(data[0].bytes.equals(Buffer.from(body, "utf8"))).toBe(true);
    // The body's "OK", "+++" and "AT+QSMTPPUT" lines were data, never commands.
    expect(count(s.lines.map((l) => l.text), "AT+QSMTPPUT")).toBe(1);
    expect(d.result.transcript).toContain(`body ended by length (${MAX_BODY} bytes)`);
  });

  it("a 10241-byte body is refused with a typed error before any AT command of the job", async () => {
    const body = bodyOf(MAX_BODY + 1);
    const e = validateMail({ id: "x", to: TO, subject: "too big", body });
    expect(e).toMatchObject({ kind: KIND_CONFIG, code: E_BODY_LENGTH, field: "body" });
    // Through the whole stack: refused at submit, no SMTP command at all; the next job still goes.
    const d = await run("e2e-body-too-big", { to: TO, subject: "Alarm: too big", body }, [{ to: TO, subject: "Alarm: after the refusal", body: "ok" }]);
    expect(d.result.errors).toHaveLength(1);
    expect(d.result.errors[0].code).toBe(E_BODY_LENGTH);
    // Refused synchronously at submit: before the first byte the firmware ever wrote to the module.
    const refusedAt = d.result.events.find((e) => e.kind === "result" && e.text.startsWith("job m1 refused: " + E_BODY_LENGTH))!.t;
    expect(refusedAt).toBeLessThan(firmwareStream(d.result.transcript).lines[0].t);
    expect(d.result.events.some((e) => e.text.includes("did not end"))).toBe(false);
    expect(d.mails.map((m) => m.subject)).toEqual(["Alarm: after the refusal"]);
    const lines = commandLines(d.result.transcript);
    expect(lines.filter((l) => l.startsWith("AT+QSMTPBODY"))).toEqual(["AT+QSMTPBODY=0,2,60"]);
    expect(count(lines, "AT+QSMTPSUB")).toBe(1);
    expect(lines.some((l) => l.indexOf("too big") >= 0)).toBe(false);
  });

  it("Cc is in the headers; Bcc is delivered (envelope) but absent from the headers", async () => {
    const mail = { to: TO, cc: ["shift-lead@example.com", "facility@example.org"], bcc: ["audit@example.net"], subject: "Alarm: Cc and Bcc", body: "Door 3 forced." };
    const d = await run("e2e-cc-bcc", mail);
    expect(d.result.errors).toEqual([]);
    expect(d.mails).toHaveLength(1);
    const m = d.mails[0];
    expect(m.to.map((a) => a.address)).toEqual(TO);
    expect(m.cc.map((a) => a.address).sort()).toEqual(mail.cc.slice().sort());
    expect(m.envelope.rcptTo.slice().sort()).toEqual([...TO, ...mail.cc, ...mail.bcc].sort());
    expect(m.rawHeaders).toMatch(/^Cc: /im);
    expect(m.rawHeaders.toLowerCase()).not.toContain("audit@example.net");
    expect(m.rawHeaders).not.toMatch(/^Bcc:/im);
    expect(m.raw.toString("latin1").toLowerCase()).not.toContain("audit@example.net");
    const lines = commandLines(d.result.transcript);
    expect(lines).toContain('AT+QSMTPDST=1,2,"shift-lead@example.com"');
    expect(lines).toContain('AT+QSMTPDST=1,3,"audit@example.net"');
  });

  it("two binary attachments (all byte values) arrive byte-exact, uploaded with a verified checksum", async () => {
    const atts = [
      { name: "trace.bin", size: 5000 },
      { name: "snapshot.dat", size: 2049 },
    ];
    const d = await run("e2e-attachments", { to: TO, subject: "Alarm: with logs", body: "Two files attached.", attachments: atts }, [], ["attachments"]);
    expect(d.result.errors).toEqual([]);
    expect(d.mails).toHaveLength(1);
    const got = d.mails[0].attachments;
    expect(got.map((a) => a.filename).sort()).toEqual(["snapshot.dat", "trace.bin"]);
    for (const a of atts) {
      const want = attachmentBytes(a.name, a.size);
      const arrived = got.find((x) => x.filename === a.name)!;
      expect(arrived.content.length).toBe(a.size);
      expect(arrived.content.equals(want)).toBe(true);
    }
    const s = firmwareStream(d.result.transcript);
    expect(unexpectedLines(s.lines.map((l) => l.text))).toEqual([]);
    const uploads = s.data.filter((x) => x.command.startsWith("AT+QFUPL="));
    expect(uploads).toHaveLength(2);
    // Both files were deleted from UFS after the mail (clean-up).
    const lines = s.lines.map((l) => l.text);
    expect(lines).toContain('AT+QFDEL="UFS:trace.bin"');
    expect(lines).toContain('AT+QFDEL="UFS:snapshot.dat"');
  });

  it("a corrupted upload is caught by the XOR-16 checksum, deleted and sent again; the attachment arrives byte-exact", async () => {
    const d = await deliver(loadScenario(join(SCENARIOS, "upload-corruption.json")));
    expect(d.result.errors).toEqual([]);
    expect(d.mails).toHaveLength(1);
    const arrived = d.mails[0].attachments.find((x) => x.filename === "log.csv")!;
    expect(arrived.content.equals(attachmentBytes("log.csv", 4096))).toBe(true);
    const s = firmwareStream(d.result.transcript);
    // Two corrupted uploads (the fault flips one bit each time), each deleted, then a clean third one.
    expect(d.result.transcript.match(/fault: upload of UFS:log\.csv corrupted/g)).toHaveLength(2);
    expect(s.data.filter((x) => x.command.startsWith('AT+QFUPL="UFS:log.csv"'))).toHaveLength(3);
    expect(s.lines.filter((l) => l.text === 'AT+QFDEL="UFS:log.csv"').length).toBeGreaterThanOrEqual(3);
  });
});
