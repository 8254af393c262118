// Fleets against providers that enforce their rules (small fleets, virtual time): a storm on
// one Tencent SES sender and recipient drains at 10 mails an hour, never drops or reorders an
// alarm, and the boards back off instead of storming; per-board senders remove the
// contention; a district's power coming back within one second meets Tencent's 20 calls a
// second, whose 554 the boards take as "not now"; Amazon's sandbox rate answers 454.
import { describe, expect, it } from "vitest";
import { runFleet, type FleetResult } from "../../host-sim/fleet/run.js";
import type { FleetScenario } from "../../host-sim/fleet/scenario.js";

const HOUR = 3600;

function storm(over: Partial<FleetScenario>): FleetScenario {
  return {
    name: "test-storm",
    boards: 20,
    provider: "tencent",
    board: "alarm-demo",
    namePrefix: "pump",
    alarms: { pattern: "storm", withinMs: 60_000, key: "power", title: "Mains power lost" },
    durationMs: 12 * HOUR * 1000,
    ...over,
  };
}

function nothingLost(r: FleetResult): void {
  expect(r.expectFailures).toEqual([]);
  expect(r.ok).toBe(true);
  expect([r.raised, r.delivered, r.queued, r.failed, r.lost, r.duplicates, r.outOfOrder]).toEqual([r.raised, r.raised, 0, 0, 0, 0, 0]);
  expect(r.timedOut).toBe(false);
}

describe("a storm against Tencent SES with one sender and one recipient", () => {
  it("delivers 10 an hour, every alarm in the end, in order, with few refusals per mail (full core)", async () => {
    const r = await runFleet({ scenario: storm({ boards: 24, alarms: { pattern: "storm", withinMs: 60_000, perBoard: 2, gapMs: 20_000 } }) });
    nothingLost(r);
    expect(r.raised).toBe(48);
    // 48 mails at 10 an hour: the last goes in the fifth hour at the earliest.
    expect(r.drainSeconds).toBeGreaterThan(4 * HOUR);
    expect(r.drainSeconds).toBeLessThan(8 * HOUR);
    for (const [t, n] of r.series.delivered) expect(n, `at ${t} ms`).toBeLessThanOrEqual(10 * (Math.floor(t / 3_600_000) + 1));
    expect(Object.keys(r.refusals)).toEqual(["450"]);
    expect(r.refusalsByRule).toEqual({ "tencent.sender-recipient-per-hour": r.refusals["450"] });
    // Backoff with jitter: a refused board comes back in 30-60 s, then at most every half hour to an hour.
    expect(r.refusalsPerDelivered).toBeLessThan(12);
    expect(r.latency.p50).toBeGreaterThan(HOUR);
  });

  it("the compact core holds the same line", async () => {
    const r = await runFleet({ scenario: storm({ boards: 16, composition: "espruino" }) });
    nothingLost(r);
    expect(r.drainSeconds).toBeGreaterThan(HOUR);
    expect(r.refusalsPerDelivered).toBeLessThan(12);
  });

  it("with a sender address per board (10 per domain) nothing waits", async () => {
    const r = await runFleet({ scenario: storm({ boards: 24, senders: "per-board" }) });
    nothingLost(r);
    expect(r.refusals).toEqual({});
    expect(r.drainSeconds).toBeLessThan(120);
    expect(new Set(r.perBoard.map((b) => b.sender.split("@")[1])).size).toBe(3);
  });

  it("repeats of one alarm while it is held back ride along in the queued mail (a digest): one mail per board", async () => {
    const r = await runFleet({ scenario: storm({ boards: 12, alarms: { pattern: "storm", withinMs: 60_000, perBoard: 5, gapMs: 60_000, sameKey: true, key: "level", title: "Level high" } }) });
    nothingLost(r);
    expect(r.raised).toBe(60);
    expect(r.mails).toBeLessThanOrEqual(24);
    expect(r.mails).toBeLessThan(r.raised / 2);
  });
});

describe("the call rate and the sending rate", () => {
  it("power back within one second: Tencent's 20 calls/s answers 554, which the boards retry (both cores)", async () => {
    for (const composition of ["node", "espruino"] as const) {
      const r = await runFleet({
        scenario: storm({ boards: 40, senders: "per-board", composition, alarms: { pattern: "storm", withinMs: 100, key: "power", title: "Mains power restored" } }),
      });
      nothingLost(r);
      expect(r.refusals, composition).toEqual({ "554": 20 });
      expect(r.refusalsByRule).toEqual({ "tencent.calls-per-second": 20 });
      expect(r.drainSeconds).toBeLessThan(300);
    }
  });

  it("Amazon SES in the sandbox (1 a second): 454 Throttling failure, every alarm delivered", async () => {
    const r = await runFleet({ scenario: storm({ boards: 10, provider: "amazon", senders: "per-board", alarms: { pattern: "storm", withinMs: 2_000 } }) });
    nothingLost(r);
    expect(Object.keys(r.refusals)).toEqual(["454"]);
    expect(r.refusalsByRule["amazon.max-send-rate"]).toBeGreaterThan(0);
  });
});

describe("boards with bad coverage, a rolling outage, a trickle", () => {
  it("a quarter of the boards on a lossy link with slow registration still deliver everything, in order", async () => {
    const r = await runFleet({
      scenario: storm({
        boards: 16,
        provider: "open",
        senders: "per-board",
        alarms: { pattern: "rolling", groups: 4, stepMs: 120_000, withinMs: 30_000, perBoard: 2, gapMs: 5_000 },
        overlays: [{ share: 0.25, label: "bad coverage", module: { csq: [6, 99], registration: [{ afterMs: 0, stat: 2 }, { afterMs: 20_000, stat: 1 }] }, link: { toFirmware: { lossRate: 0.003, seed: 5 } } }],
      }),
    });
    nothingLost(r);
    const bad = r.perBoard.filter((b) => b.overlays.includes("bad coverage"));
    expect(bad).toHaveLength(4);
    const worst = Math.max(...bad.map((b) => b.maxLatency));
    const best = Math.max(...r.perBoard.filter((b) => b.overlays.length === 0).map((b) => b.maxLatency));
    expect(worst).toBeGreaterThan(best);
  });

  it("a trickle over an hour on the open profile", async () => {
    const r = await runFleet({ scenario: storm({ boards: 8, provider: "open", alarms: { pattern: "trickle", overMs: 3_600_000, perBoard: 3 } }) });
    nothingLost(r);
    expect(r.raised).toBe(24);
    expect(r.latency.max).toBeLessThan(60);
  });
});
