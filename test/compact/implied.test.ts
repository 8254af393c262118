// What some bundled scenarios imply for the espruino composition (the compact core,
// firmware/compact) beyond their `expect`, which test/scenarios/compositions.test.ts checks
// on every composition: how many commands a second mail costs, that the configuration is
// applied again after an unexpected restart, the alarm mail's subject and radio facts, and
// a direct job and an alarm at once, on both engines.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledScenarios, type Scenario } from "../../host-sim/scenarios/scenario.js";
import { runSession } from "../../host-sim/runner/session.js";
import type { RunSessionOptions, SessionResult } from "../../host-sim/runner/types.js";
import { commandLines, count, firmwareStream } from "../e2e/support.js";

const all = bundledScenarios().map((b) => b.scenario);
const byName = (n: string): Scenario => all.find((s) => s.name === n)!;

let dir = "";

function run(scenario: Scenario, o: Partial<RunSessionOptions> = {}): Promise<SessionResult> {
  return runSession({ scenario, composition: "espruino", mailDir: dir, ...o });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cellmail-espruino-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("espruino (the compact core): what the scenarios imply beyond `expect`", () => {
  it("two mails in a row: the second sends no configuration and at most 6 commands", async () => {
    const r = await run(byName("two-mails-in-a-row"));
    expect(r.ok).toBe(true);
    expect(r.mails.map((m) => m.subject)).toEqual(["Alarm: door 1 open", "Alarm: door 1 closed"]);
    const t2 = r.events.find((e) => e.kind === "command" && e.text.startsWith("submit mail job m2:"))!.t;
    const lines = firmwareStream(r.transcript).lines;
    const first = lines.filter((l) => l.t < t2).map((l) => l.text);
    const second = lines.filter((l) => l.t >= t2).map((l) => l.text);
    expect(count(first, "AT+QSMTPCFG")).toBe(6);
    for (const p of ["AT+QSMTPCFG", "AT+QSSLCFG", "AT+QICSGP", "AT+QIACT", "ATE1", "AT+CMEE", "AT+QURCCFG", "AT+CPIN"]) expect(count(second, p), p).toBe(0);
    expect(second.length).toBeLessThanOrEqual(6);
    const m2 = r.events.find((e) => e.kind === "result" && e.text.startsWith("job m2 delivered"))!;
    expect(m2.text).toMatch(new RegExp(` ${second.length} AT commands$`));
  });

  for (const name of ["reboot-mid-job", "reboot-in-body"]) {
    it(`${name}: after the unexpected RDY the configuration is applied again, the mail goes once`, async () => {
      const r = await run(byName(name));
      expect(r.ok).toBe(true);
      expect(r.mails).toHaveLength(1);
      const lines = commandLines(r.transcript);
      const accounts = lines.filter((l) => l.startsWith('AT+QSMTPCFG="account"'));
      expect(accounts).toHaveLength(2);
      expect(count(lines, "ATE1")).toBe(2); // echo on, explicitly: it is compared with every command
      expect(count(lines, "AT+QSMTPPUT")).toBe(1);
    });
  }

  it("alarm-demo: the outbox's alarm mail arrives with the compact subject and the radio facts in the body", async () => {
    const r = await run(byName("alarm-demo"), { engine: "xs" });
    expect(r.ok).toBe(true);
    expect(r.mails.map((m) => m.subject)).toEqual(["[pump-house-3] ALARM Water leak in the pump room"]);
    expect(r.events.some((e) => e.kind === "result" && /^job a1 delivered after 1 run\(s\), \d+ AT commands$/.test(e.text))).toBe(true);
    const lines = commandLines(r.transcript);
    for (const c of ["AT+CSQ", "AT+CCLK?"]) expect(lines).toContain(c);
  });

  it("a direct mail job and an alarm at once: both go, the alarm when the mailer is free (was B5), on both engines", async () => {
    const s: Scenario = {
      name: "compact-mail-and-alarm",
      durationMs: 600_000,
      module: { urcPort: "uart1" },
      firmware: { mail: { to: ["ops@example.com"], subject: "direct", body: "x" }, alarm: { key: "leak", title: "Leak" } },
      expect: { delivered: [{ subject: "direct" }, { subject: "[sim-board] ALARM Leak" }] },
    };
    const [node, xs] = await Promise.all([run(s, { engine: "node" }), run(s, { engine: "xs" })]);
    expect(xs.transcript).toBe(node.transcript);
    for (const r of [node, xs]) {
      expect(r.expectFailures).toEqual([]);
      expect(r.events.filter((e) => e.text.includes("did not end"))).toEqual([]);
      expect(r.virtualMs).toBeLessThan(60_000);
    }
  });
});
