// Injection: subjects, sender names and addresses carrying '"', CR, LF, commas and AT+...
// text must never reach the module as commands. Each is refused with a typed error before
// any AT command, or encoded safely (UTF-8 hex subject, text inside quotes, data mode with
// an exact length); the mails that do go out carry exactly the intended subject.
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { loadScenario } from "../../host-sim/scenarios/scenario.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { boardConfig } from "../../host-sim/runner/config.js";
import { MemoryStore, NodeFirmware } from "../../host-sim/runner/node-firmware.js";
import type { Uart, UartSink } from "../../firmware/platform/types.js";
import { E_ADDRESS, E_SUBJECT, E_UNSAFE_CHAR, KIND_CONFIG } from "../../firmware/errors.js";
import { validateMail } from "../../firmware/mail/message.js";
import { bodyBytes, commandLines, deliver, expectOk, session, firmwareStream, moduleOutput, quotedParams, scenario, unexpectedLines } from "./support.js";

const FILE = fileURLToPath(new URL("../../host-sim/scenarios/injection-attempts.json", import.meta.url));

type Job = { to: string[]; cc?: string[]; bcc?: string[]; subject: string; body: string };

function jobsOf(s: ReturnType<typeof loadScenario>): Job[] {
  const fw = s.firmware as { mail: Job; more: Job[] };
  return [fw.mail, ...fw.more];
}

/** The subject a QSMTPSUB line carries, decoded (charset 0: as is; 1: UTF-8 hex). */
function subjectOf(line: string): string {
  const m = /^AT\+QSMTPSUB=([01]),"([^"]*)"$/.exec(line);
  if (!m) throw new Error(`not a well-formed AT+QSMTPSUB line: ${JSON.stringify(line)}`);
  return m[1] === "0" ? m[2] : Buffer.from(m[2], "hex").toString("utf8");
}

describe("e2e: injection through subjects, addresses and the sender name", () => {
  it("the bundled injection-attempts scenario: refusals are typed, safe jobs arrive intact, no foreign command is sent", async () => {
    const s = loadScenario(FILE);
    const jobs = jobsOf(s);
    const d = await deliver(s);

    // Which jobs may be sent at all is decided by validation alone; the run must agree with it.
    const verdicts = jobs.map((j, i) => validateMail({ id: `m${i + 1}`, ...j }));
    const accepted = jobs.filter((_, i) => verdicts[i] === null);
    const refused = verdicts.filter((v) => v !== null);
    expect(accepted.map((j) => j.subject)).toEqual([
      'Alarm "door 1", AT+CFUN=0',
      "Alarm, AT+QSMTPPUT=1; AT+CFUN=1,1",
      '","AT+QSMTPDST=1,3,"evil@example.com',
    ]);
    for (const v of refused) expect(v!.kind).toBe(KIND_CONFIG);
    expect(refused.map((v) => v!.code)).toEqual([E_SUBJECT, E_SUBJECT, E_SUBJECT, E_UNSAFE_CHAR, E_ADDRESS, E_UNSAFE_CHAR, E_UNSAFE_CHAR]);
    expect(d.result.errors.map((e) => e.code)).toEqual(refused.map((v) => v!.code));

    // The server got exactly the accepted mails, each once, with the intended subject, sender and recipients.
    expect(d.mails.map((m) => m.subject)).toEqual(accepted.map((j) => j.subject));
    d.mails.forEach((m, i) => {
      expect(m.envelope.rcptTo).toEqual(accepted[i].to);
      expect(m.from).toEqual({ name: "Alarm board, AT+QSMTPPUT=1", address: "alarm@cellmail.test" });
      expect(bodyBytes(m).toString("utf8")).toBe(accepted[i].body.endsWith("\r\n") ? accepted[i].body : accepted[i].body + "\r\n");
    });
    expect(d.mails.some((m) => m.raw.toString("latin1").toLowerCase().includes("evil@example.com") && !m.subject.includes("evil"))).toBe(false);
    for (const m of d.mails) expect(m.envelope.rcptTo.map((a) => a.toLowerCase())).not.toContain("evil@example.com");

    // Line by line: every line the firmware sent is one well-formed command of the job's vocabulary.
    const stream = firmwareStream(d.result.transcript);
    const lines = stream.lines.map((l) => l.text);
    expect(unexpectedLines(lines)).toEqual([]);
    expect(lines.filter((l) => l.startsWith("AT+QSMTPPUT="))).toHaveLength(accepted.length);
    expect(lines.filter((l) => l.startsWith("AT+CFUN"))).toEqual([]);
    expect(lines.filter((l) => l.startsWith("AT+QSMTPSUB")).map(subjectOf)).toEqual(accepted.map((j) => j.subject));
    expect(lines.filter((l) => l.startsWith("AT+QSMTPDST")).map((l) => quotedParams(l))).toEqual(accepted.map((j) => j.to));
    expect(lines.filter((l) => l.startsWith('AT+QSMTPCFG="sender"'))).toEqual(['AT+QSMTPCFG="sender","Alarm board, AT+QSMTPPUT=1","alarm@cellmail.test"']);
    // Nothing of a refused job reached the module, not even its subject inside a command.
    for (const j of jobs.filter((_, i) => verdicts[i] !== null)) {
      expect(lines.some((l) => l.includes(j.subject.replace(/[\r\n]/g, "")))).toBe(false);
    }
    // The body's "AT+CFUN=0", "+++" and "OK" lines went as data of the announced length.
    const bodies = stream.data.filter((x) => x.command.startsWith("AT+QSMTPBODY"));
    expect(bodies.map((b) => b.bytes.toString("utf8"))).toEqual(accepted.map((j) => j.body));
    // The module never had to reject a line (no parse error, no unknown command).
    const out = moduleOutput(d.result.transcript);
    expect(out).not.toMatch(/\r\nERROR\r\n/);
    expect(out.match(/\+CME ERROR: (\d+)/g) ?? []).toEqual(["+CME ERROR: 14"]); // SIM busy after boot only (polled every 2 s: modem/timing.ts POLL_MS)
  });

  it("the same scenario through the runner's own server meets its expect", async () => {
    const r = await session(loadScenario(FILE));
    expectOk(r);
    expect(r.delivered).toBe(3);
    expect(r.failed).toBe(7);
  });

  it("subjects with CR, LF or control bytes are refused (E_SUBJECT); '\"' and non-ASCII go as hex, commas and AT text stay in quotes", () => {
    const base = { id: "x", to: ["ops@example.com"], body: "b" };
    for (const subject of ["a\r\nAT+CFUN=0", "a\nAT+QSMTPPUT=1", "a\rAT+QSMTPPUT=1", "a\u0000b", "a\u001bb", "a\u007fb", "a\tb"]) {
      expect(validateMail({ ...base, subject }), JSON.stringify(subject)).toMatchObject({ kind: KIND_CONFIG, code: E_SUBJECT, field: "subject" });
    }
    for (const subject of ['","AT+CFUN=0', "a, b, AT+QSMTPPUT=1", "告警 \"x\"", ""]) {
      expect(validateMail({ ...base, subject }), JSON.stringify(subject)).toBeNull();
    }
  });

  it("addresses with '\"', CR, LF, commas, spaces or angle brackets are refused in To, Cc and Bcc", () => {
    const bad = ['ops@example.com"', "ops@example.com\r\nAT+CFUN=0", "ops@example.com\nx", "a@b.com,c@d.com", "a@b.com c@d.com", "Ops <ops@example.com>", "ops@example.com\u0000", '"AT"@example.com'];
    for (const field of ["to", "cc", "bcc"] as const) {
      for (const a of bad) {
        const job = { id: "x", to: ["ops@example.com"], subject: "s", body: "b", [field]: [a] };
        const e = validateMail(job);
        expect(e, `${field}: ${JSON.stringify(a)}`).not.toBeNull();
        expect(e!.kind).toBe(KIND_CONFIG);
        expect([E_UNSAFE_CHAR, E_ADDRESS]).toContain(e!.code);
        expect(e!.field).toBe(`${field}[0]`);
      }
    }
  });

  it("a sender name or address with '\"', CR or LF is refused at start-up: the firmware writes no byte to the module", async () => {
    const cases: Record<string, unknown>[] = [
      { sender: { name: 'Ops "board"' } },
      { sender: { name: "Ops\r\nAT+CFUN=0" } },
      { sender: { name: "Ops\nAT+QSMTPPUT=1" } },
      { sender: { address: 'alarm@cellmail.test"\r\nAT+CFUN=0' } },
      { sender: { address: "alarm@cellmail.test,evil@example.com" } },
      { smtp: { user: 'u"\rAT+CFUN=0' } },
    ];
    for (const config of cases) {
      const s = scenario("e2e-bad-sender", { firmware: { config, mail: { to: ["ops@example.com"], subject: "s", body: "b" } } });
      let written = 0;
      const uart: Uart = {
        attach(_sink: UartSink) {},
        write(_d: Uint8Array, start: number, end: number) {
          written += end - start;
          return end - start;
        },
        close() {},
      };
      let err: unknown = null;
      try {
        new NodeFirmware({ uart, clock: new VirtualClock(), store: new MemoryStore(), config: boardConfig(s, ""), log: () => {}, onOutcome: () => {} });
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(config)).toMatchObject({ kind: KIND_CONFIG });
      expect([E_UNSAFE_CHAR, E_ADDRESS]).toContain((err as { code: number }).code);
      expect(written).toBe(0);
      // Through the whole runner: the session refuses to start (and does not leave its server open).
      await expect(session(s)).rejects.toMatchObject({ kind: KIND_CONFIG });
    }
  });

  it("a sender name with commas and AT text (no quotes or line ends) is sent inside quotes and arrives as the From name", async () => {
    const name = "Plant 7, AT+CFUN=0, AT+QSMTPPUT=1";
    const s = scenario("e2e-sender-name", {
      module: { urcPort: "uart1" },
      firmware: { config: { sender: { name } }, mail: { to: ["ops@example.com"], subject: "Alarm: sender name", body: "b" } },
    });
    const d = await deliver(s);
    expect(d.mails).toHaveLength(1);
    expect(d.mails[0].from).toEqual({ name, address: "alarm@cellmail.test" });
    const lines = commandLines(d.result.transcript);
    expect(unexpectedLines(lines)).toEqual([]);
    expect(lines).toContain(`AT+QSMTPCFG="sender","${name}","alarm@cellmail.test"`);
    expect(lines.filter((l) => l.startsWith("AT+QSMTPPUT"))).toEqual(["AT+QSMTPPUT=300"]);
  });
});
