// The bundled scenarios that make sense on both transports (issue 14) run again on the
// socket transport: the same scenario file with `smtp.transport: "socket"` (cellmail's own
// SMTP client over the module's sockets), on the node composition, against the same
// simulated module and a real SMTP server, meeting the file's one `expect`.
//
// A scenario makes sense on both when nothing in it is the module's SMTP engine's own: no
// scripted engine outcomes (`smtp`: the engine's <err>/proto codes; on the socket path the
// real server answers), no fault aimed at an AT+QSMTP or file command or at a point only the
// engine's send has (its body data, its send wait, its PDP loss during the send). Which ones
// that leaves is computed from the files, and the count is checked, so a new scenario of
// either kind is placed without a list to keep. The socket path's own faults have their own
// files (host-sim/scenarios/socket-*.json, in the composition suite).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledScenarios, type Scenario } from "../../host-sim/scenarios/scenario.js";
import { runSession } from "../../host-sim/runner/session.js";
import { commandLines, unexpectedLines } from "../e2e/support.js";

const all = bundledScenarios().map((f) => f.scenario);

/** Why a scenario is the module engine's own, or "" when it makes sense on both transports. */
function engineOnly(s: Scenario): string {
  if (s.needs && s.needs.length > 0) return "needs " + s.needs.join(", ");
  if (s.smtp) return "scripted outcomes of the module's SMTP engine";
  for (const f of (s.faults ?? []) as Record<string, unknown>[]) {
    const text = JSON.stringify(f);
    if (/QSMTP|QFUPL|QFDEL/.test(text)) return `fault ${f.kind} at an AT+QSMTP/file command`;
    if (f.kind === "corruptUpload" || f.kind === "pdpDeactDuringSend") return `fault ${f.kind} (the engine's send)`;
    if (f.at === "bodyData" || f.at === "sendWait") return `fault ${f.kind} at the engine's ${f.at}`;
  }
  return "";
}

const both = all.filter((s) => engineOnly(s) === "");

/** The scenario on the socket transport: its firmware configuration with smtp.transport "socket". */
function onSocket(s: Scenario): Scenario {
  const fw = (s.firmware ?? {}) as { config?: { smtp?: Record<string, unknown> } };
  const config = { ...(fw.config ?? {}), smtp: { ...(fw.config?.smtp ?? {}), transport: "socket" } };
  return { ...s, name: s.name + "@socket", needs: ["socket", "smtp-client"], firmware: { ...fw, config } } as Scenario;
}

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cellmail-both-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("bundled scenarios on the socket transport too", () => {
  it("the split is computed from the files: most scenarios run on both, each left out says why", () => {
    expect(both.length).toBeGreaterThanOrEqual(25);
    const left = all.filter((s) => engineOnly(s) !== "");
    for (const s of left) expect(engineOnly(s), s.name).not.toBe("");
    expect(both.map((s) => s.name)).toContain("happy-path");
    expect(left.map((s) => s.name)).toContain("busy-652");
    // The UART's faults run on both: on the socket path a lost or changed byte must be caught
    // by the sends' echo check and the reads' framing check, never reach the server.
    expect(both.map((s) => s.name)).toEqual(expect.arrayContaining(["byte-loss", "byte-corruption"]));
  });

  it.concurrent.each(both.map((s) => [s.name, s] as const))("%s", async (_name, s) => {
    const r = await runSession({ scenario: onSocket(s), engine: "node", mailDir: dir });
    expect(r.expectFailures, r.events.slice(-12).map((e) => e.text).join("\n")).toEqual([]);
    expect(r.ok).toBe(true);
    const lines = commandLines(r.transcript);
    // The mail never went through the module's engine, and every line is in the job's vocabulary.
    expect(lines.filter((l) => /^AT\+QSMTP(?!CFG=\?)/.test(l))).toEqual([]);
    if (!/lossRate|corruptRate|dropAt|corruptAt/.test(JSON.stringify(s.link ?? {}))) expect(unexpectedLines(lines)).toEqual([]);
  });
});
