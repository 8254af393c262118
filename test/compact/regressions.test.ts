// Regression tests for bugs found in the compact core (firmware/compact) while putting it
// through the simulator, now fixed (wire faults B4 and B6: wire-faults.test.ts). Each states what the
// core must do (what the full profile and DESIGN.md section 3 do), with a minimal repro
// against CompactApp and the same through the simulator.
//
//   B1  an ASCII subject with '"' was refused (E_SUBJECT) instead of going as UTF-8 hex
//   B2  an address with ',', ' ' or '<>' was accepted (a comma added a recipient)
//   B3  a non-ASCII subject with CR, LF or other control characters was sent (hex-encoded)
//   B5  an alarm raised while a direct mailer.send ran was not sent when that send ended
//       (its test is in implied.test.ts: a direct mail job and an alarm at once)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { boardConfig, SIM_SMTP_HOST } from "../../host-sim/runner/config.js";
import { MemoryStore } from "../../host-sim/runner/node-firmware.js";
import { runSession } from "../../host-sim/runner/session.js";
import { bundledScenarios, type Scenario } from "../../host-sim/scenarios/scenario.js";
import { createCompactApp } from "../../firmware/compact/app.js";
import { createByteFraming } from "../../firmware/compact/frame-bytes.js";
import type { CompactMail } from "../../firmware/compact/types.js";
import { toCompact } from "../../host-sim/config/compact.js";
import { E_ADDRESS, E_SUBJECT, E_UNSAFE_CHAR } from "../../firmware/errors.js";
import type { Uart, UartSink } from "../../firmware/platform/types.js";
import { commandLines, scenario } from "../e2e/support.js";

const byName = (n: string): Scenario => bundledScenarios().find((b) => b.scenario.name === n)!.scenario;

/**
 * mailer.send of a fresh CompactApp (the runner's default board configuration) on a Uart
 * that takes every byte and never answers: what send() accepts (0) or refuses (a code).
 */
function bareApp() {
  const uart: Uart = { attach: (_sink: UartSink) => undefined, write: (_d, start, end) => end - start, close: () => undefined };
  const config = toCompact(boardConfig({ name: "x", expect: { delivered: [{}] } }, "")).config!;
  expect(config.server).toBe(SIM_SMTP_HOST);
  const send = (m: Partial<CompactMail>) => {
    const app = createCompactApp({ framing: createByteFraming(uart), clock: new VirtualClock(), store: new MemoryStore(), log: () => undefined, config });
    expect(app.error).toBe(0);
    return app.mailer!.send({ to: ["ops@example.com"], cc: [], bcc: [], subject: "s", body: "b", ...m }, () => undefined);
  };
  return { send };
}

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cellmail-compact-bugs-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A compact session (Node engine) with the runner's embedded server. */
function compactRun(s: Scenario, composition: "espruino" | "moddable" = "espruino") {
  return runSession({ scenario: s, composition, mailDir: dir });
}

describe("B1: an ASCII subject with '\"' must go as UTF-8 hex (AT+QSMTPSUB=1), not be refused", () => {
  it("repro: mailer.send with subject 'Alarm \"door 1\"' returns 0 (was 1009 E_SUBJECT)", () => {
    const { send } = bareApp();
    expect(send({ subject: 'Alarm "door 1", AT+CFUN=0' })).toBe(0);
    expect(send({ subject: '","AT+QSMTPDST=1,3,"evil@example.com' })).toBe(0);
  });

  it("through the simulator: the subject arrives intact, sent as AT+QSMTPSUB=1 with its UTF-8 hex", async () => {
    const subject = 'Alarm "door 1", AT+CFUN=0';
    const r = await compactRun(scenario("b1", { module: { urcPort: "uart1" }, firmware: { mail: { to: ["ops@example.com"], subject, body: "x" } } }));
    expect(r.errors).toEqual([]);
    expect(r.mails.map((m) => m.subject)).toEqual([subject]);
    expect(commandLines(r.transcript)).toContain(`AT+QSMTPSUB=1,"${Buffer.from(subject).toString("hex").toUpperCase()}"`);
  });
});

describe("B2: an address with ',', ' ' or '<>' must be refused (E_ADDRESS), as the full profile does", () => {
  it("repro: mailer.send refuses them (it accepted them: returned 0)", () => {
    const { send } = bareApp();
    for (const a of ["ops@example.com,evil@example.com", "a@b.com c@d.com", "Ops <ops@example.com>", "a@b@example.com"]) {
      for (const field of ["to", "cc", "bcc"] as const) {
        const mail: Partial<CompactMail> = field === "to" ? { to: [a] } : { [field]: [a] };
        expect([E_ADDRESS, E_UNSAFE_CHAR], `${field}: ${a}`).toContain(send(mail));
      }
    }
  });

  it("through the simulator: a comma in To is refused (it added a recipient: evil@example.com got the mail)", async () => {
    const r = await compactRun(scenario("b2", { module: { urcPort: "uart1" }, firmware: { mail: { to: ["ops@example.com,evil@example.com"], subject: "Alarm: comma in To", body: "x" } } }));
    expect(r.mails.flatMap((m) => m.to)).not.toContain("evil@example.com");
    expect(r.errors.map((e) => e.code)).toEqual([E_ADDRESS]);
  });
});

describe("B3: a subject with CR, LF or another control character must be refused (E_SUBJECT) even when it is not ASCII", () => {
  it("repro: mailer.send refuses '告警\\r\\nBcc: evil@example.com' (it sent it as AT+QSMTPSUB=1 with 0D0A in the hex)", () => {
    const { send } = bareApp();
    for (const subject of ["告警\r\nBcc: evil@example.com", "告警\n", "告警\r", "告警\u0000", "告警\u001b", "告警\u007f"]) {
      expect(send({ subject }), JSON.stringify(subject)).toBe(E_SUBJECT);
    }
  });
});

describe("B1 + B2 in the bundled injection-attempts scenario", () => {
  it("injection-attempts holds on the espruino composition", async () => {
    const r = await compactRun(byName("injection-attempts"));
    expect(r.expectFailures).toEqual([]);
    // Exactly the three safe mails, not the one with a comma in its address.
    expect(r.mails.map((m) => m.subject).sort()).toEqual(['","AT+QSMTPDST=1,3,"evil@example.com', 'Alarm "door 1", AT+CFUN=0', "Alarm, AT+QSMTPPUT=1; AT+CFUN=1,1"].sort());
  });
});
