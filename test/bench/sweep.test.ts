// The seeded UART-fault sweep (bench/sweep.ts): each seed reaches both directions of the
// link, a sweep counts what its runs did, and it refuses what it cannot seed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { seeded, sweep, sweepResults } from "../../bench/sweep.js";
import { bundledScenarios, type Scenario } from "../../host-sim/scenarios/scenario.js";
import { runSession } from "../../host-sim/runner/session.js";

const byName = (n: string): Scenario => bundledScenarios().find((f) => f.scenario.name === n)!.scenario;
const dir = mkdtempSync(join(tmpdir(), "cellmail-sweep-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the seeded sweep", () => {
  it("seeds the bytes to the module with 2k and those to the board with 2k+1, and leaves the bundled scenario as it was", () => {
    const base = byName("byte-loss");
    const before = JSON.stringify(base);
    const s = seeded(base, 5);
    expect(s.link?.toModule?.seed).toBe(10);
    expect(s.link?.toFirmware?.seed).toBe(11);
    expect(s.name).toBe("byte-loss-seed-5");
    expect(JSON.stringify(base)).toBe(before);
  });

  it("damages other bytes with another seed (the seed reaches the link)", async () => {
    const base = byName("byte-corruption");
    const [a, b] = await Promise.all([1, 2].map((k) => runSession({ scenario: seeded(base, k), composition: "espruino", mailDir: dir })));
    expect(a.transcript).not.toBe(b.transcript);
  });

  it("counts each run as its session ended: failed, duplicated, expect met", async () => {
    const o = { seeds: 3, scenarios: ["byte-loss"], compositions: ["espruino" as const], engine: "node" as const, parallel: 2 };
    const [cell] = await sweep(o);
    const direct = await Promise.all([1, 2, 3].map((k) => runSession({ scenario: seeded(byName("byte-loss"), k), composition: "espruino", mailDir: dir })));
    expect(cell).toMatchObject({ scenario: "byte-loss", composition: "espruino", runs: 3 });
    expect(cell.met).toBe(direct.filter((r) => r.ok).length);
    expect(cell.failed).toEqual([1, 2, 3].filter((k) => direct[k - 1].failed > 0));
    expect(cell.duplicated).toEqual([1, 2, 3].filter((k) => direct[k - 1].mails.length > 1));
    expect(sweepResults([cell])).toEqual({
      "sweep.byte-loss.espruino.failed": cell.failed.length,
      "sweep.byte-loss.espruino.duplicated": cell.duplicated.length,
      "sweep.byte-loss.espruino.met": cell.met,
    });
  });

  it("refuses a scenario it does not know, one whose link is not damaged, and an unknown composition", async () => {
    const o = { seeds: 1, compositions: ["node" as const], engine: "node" as const, parallel: 1 };
    await expect(sweep({ ...o, scenarios: ["no-such-scenario"] })).rejects.toThrow(/no bundled scenario "no-such-scenario"/);
    await expect(sweep({ ...o, scenarios: ["happy-path"] })).rejects.toThrow(/happy-path damages no link/);
    await expect(sweep({ ...o, scenarios: ["byte-loss"], compositions: ["esp32" as never] })).rejects.toThrow(/unknown composition "esp32"/);
  });
});
