// The compact profile (firmware/compact, the Espruino core) against every bundled scenario
// that applies to it, on both engines: in this Node process (CompactFirmware) and inside
// real XS (host-sim/xs/device/compact.ts through the XS bridge). Both runs must meet the
// scenario's expectation for the compact profile (expectFor: `expectByProfile` applied),
// and the two UART transcripts must be byte-identical, as for the full profile
// (test/xs/scenarios.test.ts). Scenarios that need what the compact profile leaves out are
// marked in their file (`profiles`) and checked to be refused here.
//
// One XS bundle of the compact core serves all XS runs; each session has its own clock,
// SMTP server and worker, so scenarios run a few at a time.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appliesTo, bundledScenarios, expectFor, type Scenario } from "../../host-sim/scenarios/scenario.js";
import { runSession } from "../../host-sim/runner/session.js";
import type { RunSessionOptions, SessionResult } from "../../host-sim/runner/types.js";
import { xsFirmwareBundle } from "../../host-sim/xs/firmware.js";
import { checkEspruinoScript } from "../build/espruino-gate.js";
import { commandLines, count, firmwareStream, observable, unexpectedLines } from "../e2e/support.js";
import { KNOWN_COMPACT_BUGS } from "./known-bugs.js";

const all = bundledScenarios().map((b) => b.scenario);
const compact = all.filter((s) => appliesTo(s, "compact"));
const byName = (n: string): Scenario => all.find((s) => s.name === n)!;

let dir = "";
let started = 0;

function run(scenario: Scenario, o: Partial<RunSessionOptions> = {}): Promise<SessionResult> {
  return runSession({ scenario, profile: "compact", mailDir: dir, ...o });
}

/** Scenarios whose link loses or corrupts bytes: what the module received is not what was sent. */
function noisyLink(s: Scenario): boolean {
  const l = JSON.stringify(s.link ?? {});
  return /lossRate|corruptRate|dropAt|corruptAt/.test(l);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cellmail-compact-"));
  started = performance.now();
  await xsFirmwareBundle("compact");
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  console.log(`compact scenarios: ${compact.length} scenarios on both engines in ${Math.round(performance.now() - started)} ms`);
});

describe("compact profile: which scenarios apply", () => {
  it("every bundled scenario applies, or says in its file why not; nothing is left out silently", () => {
    expect(compact.length).toBeGreaterThanOrEqual(35);
    const excluded = all.filter((s) => !appliesTo(s, "compact"));
    expect(excluded.map((s) => s.name)).toEqual(["upload-corruption"]);
    for (const s of excluded) expect(s.profilesNote, s.name).toMatch(/attachment/);
    // What the compact profile cannot do is exactly what the excluded ones need.
    for (const s of all) {
      const fw = (s.firmware ?? {}) as { mail?: { attachments?: unknown[] }; more?: { attachments?: unknown[] }[]; config?: { smtp?: { ssl?: { verify?: boolean; cacert?: string } } } };
      const needsAttachments = [fw.mail, ...(fw.more ?? [])].some((m) => (m?.attachments ?? []).length > 0);
      const needsCa = !!fw.config?.smtp?.ssl?.verify || !!fw.config?.smtp?.ssl?.cacert;
      expect(appliesTo(s, "compact"), s.name).toBe(!needsAttachments && !needsCa);
      expect(appliesTo(s, "full"), s.name).toBe(true);
    }
  });

  it("every per-profile expectation says why; the known bugs name bundled compact scenarios", () => {
    // None: the last one (registration-denied) existed only for a split between the cores (issue 12).
    const overridden = all.filter((s) => s.expectByProfile?.compact);
    expect(overridden.map((s) => s.name)).toEqual([]);
    for (const s of overridden) expect(s.expectByProfile!.compact!.because).toBeTruthy();
    for (const name of Object.keys(KNOWN_COMPACT_BUGS)) expect(compact.map((s) => s.name)).toContain(name);
  });

  it("runSession refuses a scenario on a profile it does not apply to, with the file's reason, before any server starts", async () => {
    await expect(run(byName("upload-corruption"))).rejects.toThrow(/upload-corruption does not apply to the compact profile \(profiles: full\): needs an attachment/);
    await expect(run(byName("upload-corruption"), { engine: "xs" })).rejects.toThrow(/does not apply to the compact profile/);
  });
});

describe.concurrent("every compact scenario on Node and in XS", () => {
  for (const scenario of compact) {
    const bug = KNOWN_COMPACT_BUGS[scenario.name];
    it(`${scenario.name}${bug ? " (expectation: see wire-faults.test.ts)" : ""}`, async () => {
      const [node, xs] = await Promise.all([run(scenario, { engine: "node" }), run(scenario, { engine: "xs" })]);
      expect([node.engine, xs.engine, node.profile, xs.profile]).toEqual(["node", "xs", "compact", "compact"]);
      // Byte-identical UART transcripts (compared whole, nothing stripped).
      if (xs.transcript !== node.transcript) {
        const a = node.transcript.split("\n");
        const b = xs.transcript.split("\n");
        let i = 0;
        while (i < a.length && a[i] === b[i]) i++;
        expect.fail(`transcripts differ at line ${i + 1}:\n node: ${a[i]}\n xs:   ${b[i]}`);
      }
      expect(observable(xs)).toEqual(observable(node));

      // The compact core never sends what it leaves out (attachments, CA upload).
      const lines = commandLines(node.transcript);
      for (const p of ["AT+QFUPL", "AT+QSMTPATT", "AT+QFDEL", 'AT+QSSLCFG="cacert"']) expect(count(lines, p), p).toBe(0);
      expect(lines.filter((l) => l.startsWith('AT+QSSLCFG="seclevel"') && !l.endsWith(",0"))).toEqual([]);
      // Every line it sent is one well-formed command of the job's vocabulary (where the link kept the bytes).
      if (!noisyLink(scenario)) expect(unexpectedLines(lines)).toEqual([]);

      if (bug) {
        // Asserted in wire-faults.test.ts. Once it holds here, the line in known-bugs.ts must go.
        expect(node.ok || xs.ok, `${scenario.name} now meets its expectation: remove it from test/compact/known-bugs.ts`).toBe(false);
        return;
      }
      expect(node.expectFailures, `node: ${node.expectFailures.join("; ")}`).toEqual([]);
      expect(xs.expectFailures, `xs: ${xs.expectFailures.join("; ")}`).toEqual([]);
      expect(node.ok && xs.ok).toBe(true);
      // The work ended by itself, not by running out of virtual time.
      expect(node.events.filter((e) => e.text.includes("did not end"))).toEqual([]);
      const exp = expectFor(scenario, "compact");
      if (exp.failure) {
        expect(node.mails).toEqual([]);
        expect(node.errors.length).toBeGreaterThanOrEqual(1);
        // Cause texts come from the host tables: never empty, never a bare number.
        for (const e of node.errors) expect(e.cause).toMatch(/[a-z]{3}/);
      }
      if (exp.delivered) expect(node.delivered).toBeGreaterThanOrEqual(exp.delivered.length);
    });
  }
});

describe("compact profile: what the scenarios imply beyond `expect`", () => {
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

  it("the XS bundle of the compact core is ES2015 within the core's rules and reaches only the worker's globals", async () => {
    const code = await xsFirmwareBundle("compact");
    expect(code).toContain("CompactApp");
    const problems = checkEspruinoScript(code)
      .filter((v) => !(v.rule === "unknown-global" && /^(issueCommand|gc) is/.test(v.message)))
      .filter((v) => v.rule !== "fromCharCode-apply");
    expect(problems.map((v) => `${v.rule} @${v.at}: ${v.message}`)).toEqual([]);
  });
});
