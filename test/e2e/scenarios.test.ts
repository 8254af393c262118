// Every bundled scenario (host-sim/scenarios/*.json), run end to end with the firmware
// core on Node against the EC800 model and the runner's real SMTP server, ends as its
// `expect` says: delivered (exactly once unless it allows a duplicate), or failed with the
// typed cause and no mail. The XS engine's run of the same files is another suite.
import { describe, expect, it } from "vitest";
import { appliesTo, bundledScenarios } from "../../host-sim/scenarios/scenario.js";
import { expectOk, session } from "./support.js";

const all = bundledScenarios();

describe("e2e: every bundled scenario on the Node engine", () => {
  it("the set is the one we expect to cover (no file silently dropped)", () => {
    expect(all.length).toBeGreaterThanOrEqual(36);
    for (const f of all) expect(`${f.scenario.name}.json`).toBe(f.file.split("/").pop());
  });

  it.each(all.filter((f) => appliesTo(f.scenario, "full")).map((f) => [f.scenario.name, f.scenario] as const))("%s", async (_name, scenario) => {
    const r = await session(scenario);
    expectOk(r);
    // The work ended by itself, not by running out of virtual time.
    expect(r.events.filter((e) => e.text.includes("did not end"))).toEqual([]);
    const exp = scenario.expect;
    if (exp.failure) {
      expect(r.mails).toEqual([]);
      expect(r.errors.length).toBeGreaterThanOrEqual(1);
    }
    if (exp.delivered) {
      expect(r.delivered).toBeGreaterThanOrEqual(exp.delivered.length);
    }
  });
});
