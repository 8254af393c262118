// A fleet of one board is `cellmail sim` of the same scenario: the same module, link, core,
// order of start-up and end, so the UART transcripts must be byte-identical. Checked for
// the demo on both cores and for a board scenario with faults (a chunked, lossy link and a
// module reset during the send wait).
import { describe, expect, it } from "vitest";
import { runFleet } from "../../host-sim/fleet/run.js";
import type { FleetScenario } from "../../host-sim/fleet/scenario.js";
import { runSession } from "../../host-sim/runner/session.js";
import { loadScenario, type Scenario } from "../../host-sim/scenarios/scenario.js";
import type { CompositionName } from "../../host-sim/runner/types.js";
import { ROOT } from "../cli/support.js";

const demo = loadScenario(`${ROOT}/host-sim/scenarios/alarm-demo.json`);

const faulty: Scenario = {
  ...demo,
  name: "alarm-demo-faulty",
  link: { chunking: { mode: "random", max: 9, seed: 3 }, toFirmware: { lossRate: 0.002, seed: 11 } },
  faults: [{ kind: "reboot", at: "sendWait", afterMs: 400 }],
  expect: { delivered: [{ subject: "[pump-house-3] ALARM Water leak in the pump room", minCount: 1, maxCount: 2 }] },
};

function oneBoard(board: Scenario): FleetScenario {
  return { name: `one-${board.name}`, boards: 1, provider: "open", board, alarms: { pattern: "list", raises: [{ board: 0, atMs: 0 }] }, expect: { maxDuplicates: 1 } };
}

describe("a fleet of one board gives the transcript `cellmail sim` gives", () => {
  const cases: [Scenario, CompositionName][] = [
    [demo, "node"],
    [demo, "espruino"],
    [faulty, "node"],
  ];
  for (const [scenario, composition] of cases) {
    it(`${scenario.name} on the ${composition} composition`, async () => {
      const session = await runSession({ scenario, composition });
      const fleet = await runFleet({ scenario: oneBoard(scenario), composition, transcripts: true });
      expect(session.ok, session.expectFailures.join("; ")).toBe(true);
      expect(fleet.ok, fleet.expectFailures.join("; ")).toBe(true);
      expect(fleet.delivered).toBe(1);
      expect(fleet.perBoard[0].transcript).toBe(session.transcript);
      expect(fleet.virtualSeconds).toBeCloseTo(session.virtualMs / 1000, 3);
    });
  }
});

describe("a fleet refuses a board scenario its composition cannot run", () => {
  it("names the board and the module, before any board starts", async () => {
    const upload = loadScenario(`${ROOT}/host-sim/scenarios/upload-corruption.json`);
    await expect(runFleet({ scenario: oneBoard(upload), composition: "espruino" })).rejects.toThrow(
      /^board [\w-]+: scenario upload-corruption needs the module attachments, which the espruino composition does not carry \(it carries no optional module\)$/,
    );
  });
});
