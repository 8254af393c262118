// The fleet scenario format and its expansion into boards (host-sim/fleet/scenario.ts,
// plan.ts), and the bookkeeping of every raise (account.ts): pure functions, no servers.
import { describe, expect, it } from "vitest";
import { bundledFleetScenarios, parseFleetScenario, validateFleetScenario, type FleetScenario } from "../../host-sim/fleet/scenario.js";
import { planFleet } from "../../host-sim/fleet/plan.js";
import { accountBoard, cumulative, histogram, parseAlarmMail, percentile } from "../../host-sim/fleet/account.js";

const base: FleetScenario = { name: "t", boards: 25, provider: "tencent", board: "alarm-demo", alarms: { pattern: "storm", withinMs: 60_000 } };

describe("fleet scenario format", () => {
  it("reports every problem with its path", () => {
    const errs = validateFleetScenario({
      name: "",
      boards: 0,
      provider: "gmail",
      board: 3,
      senders: "each",
      alarms: { pattern: "storm" },
      overlays: [{ share: 2, link: { baud: 1 } }],
      expect: { maxLost: -1, surprise: 1 },
      extra: true,
    });
    expect(errs).toEqual(
      expect.arrayContaining([
        "extra: unknown field",
        "name: required string",
        "boards: expected an integer in [1, 100000]",
        'provider: expected one of tencent, amazon, open (or {"name": ..., limits})',
        "board: expected a scenario name, a path or an object",
        'senders: expected "shared", "per-board" or {"pool": N}',
        "alarms.withinMs: expected a number in [0, Infinity]",
        "overlays[0].share: expected a number in [0, 1]",
        "overlays[0].link.baud: expected an integer in [300, 4000000]",
        "expect.maxLost: expected a number in [0, Infinity]",
        "expect.surprise: unknown field",
      ]),
    );
    expect(() => parseFleetScenario(JSON.stringify({ ...base, boards: -1 }))).toThrow(/boards: expected an integer/);
  });

  it("every bundled fleet scenario is valid", () => {
    const all = bundledFleetScenarios();
    expect(all.map((s) => s.scenario.name).sort()).toEqual(all.map((s) => s.file.replace(/^.*\/(.*)\.json$/, "$1")).sort());
    expect(all.length).toBeGreaterThanOrEqual(4);
  });
});

describe("planFleet", () => {
  it("is the same for the same seed and different for another", () => {
    const a = planFleet(base);
    const b = planFleet(base);
    const c = planFleet({ ...base, seed: 2 });
    expect(a.boards.map((x) => x.raises[0].atMs)).toEqual(b.boards.map((x) => x.raises[0].atMs));
    expect(a.boards.map((x) => x.raises[0].atMs)).not.toEqual(c.boards.map((x) => x.raises[0].atMs));
    for (const x of a.boards) {
      expect(x.raises[0].atMs).toBeGreaterThanOrEqual(0);
      expect(x.raises[0].atMs).toBeLessThan(60_000);
    }
  });

  it("per-board senders fill Tencent's 10 addresses a domain; the account lists them with their SMTP passwords", () => {
    const p = planFleet({ ...base, senders: "per-board" });
    const domains = new Map<string, number>();
    for (const b of p.boards) domains.set(b.sender.split("@")[1], (domains.get(b.sender.split("@")[1]) ?? 0) + 1);
    expect([...domains.values()]).toEqual([10, 10, 5]);
    expect(p.account.senders).toHaveLength(25);
    for (const b of p.boards) {
      const smtp = b.config.smtp as Record<string, unknown>;
      expect(smtp).toMatchObject({ provider: "tencent", port: 465, user: b.sender });
      expect(p.account.senders.find((s) => s.address === b.sender)!.password).toBe(smtp.password);
    }
    expect(() => planFleet({ ...base, senders: "per-board", sendersPerDomain: 11 })).not.toThrow(); // the provider refuses such an account when it starts
  });

  it("shared sender and recipient are the board scenario's; a pool is shared in turn", () => {
    const shared = planFleet(base);
    expect(new Set(shared.boards.map((b) => b.sender))).toEqual(new Set(["alarm@cellmail.test"]));
    expect(new Set(shared.boards.map((b) => b.recipient))).toEqual(new Set(["ops@example.com"]));
    const pool = planFleet({ ...base, recipients: { pool: 4 } });
    expect(new Set(pool.boards.map((b) => b.recipient)).size).toBe(4);
  });

  it("overlays fall on their share of the boards; raise patterns", () => {
    const p = planFleet({ ...base, overlays: [{ share: 0.2, label: "bad coverage", link: { toFirmware: { lossRate: 0.01 } } }] });
    const hit = p.boards.filter((b) => b.overlays.includes("bad coverage"));
    expect(hit).toHaveLength(5);
    for (const b of hit) expect(b.scenario.link?.toFirmware?.lossRate).toBe(0.01);
    expect(p.boards.filter((b) => b.overlays.length === 0).every((b) => b.scenario.link?.toFirmware === undefined)).toBe(true);

    const rolling = planFleet({ ...base, alarms: { pattern: "rolling", groups: 5, stepMs: 600_000, withinMs: 10_000 } });
    rolling.boards.forEach((b, i) => {
      const g = Math.floor((i * 5) / 25);
      expect(b.raises[0].atMs).toBeGreaterThanOrEqual(g * 600_000);
      expect(b.raises[0].atMs).toBeLessThan(g * 600_000 + 10_000);
    });
    const many = planFleet({ ...base, alarms: { pattern: "storm", withinMs: 0, perBoard: 3, gapMs: 1000 } });
    expect(many.boards[0].raises.map((r) => [r.atMs, r.key])).toEqual([[0, "leak-1"], [1000, "leak-2"], [2000, "leak-3"]]);
    const one = planFleet({ ...base, boards: 1, alarms: { pattern: "list", raises: [{ board: 0, atMs: 5 }] } });
    expect(one.boards[0]).toMatchObject({ name: "pump-house-3", raises: [{ atMs: 5, key: "leak", title: "Water leak in the pump room" }] });
  });
});

describe("bookkeeping", () => {
  const raises = [
    { atMs: 0, key: "a", title: "A", text: "" },
    { atMs: 10, key: "b", title: "B", text: "" },
    { atMs: 20, key: "b", title: "B", text: "" },
    { atMs: 30, key: "c", title: "C", text: "" },
  ];

  it("assigns mails to raises, counts duplicates, and finds what is queued, failed or lost", () => {
    const a = accountBoard(raises, 4, [
      { id: 1, keys: ["a"], count: 1, at: 100 },
      { id: 2, keys: ["b"], count: 2, at: 200 },
      { id: 2, keys: ["b"], count: 2, at: 300 },
    ], { queued: [], failed: [{ keys: ["c"], count: 1 }] });
    expect(a).toMatchObject({ raised: 4, delivered: 3, mails: 2, duplicates: 1, queued: 0, failed: 1, lost: 0, inOrder: true, latencies: [100, 190, 180] });
    const lost = accountBoard(raises, 4, [{ id: 1, keys: ["a"], count: 1, at: 100 }], { queued: [{ keys: ["b"], count: 1 }], failed: [] });
    expect([lost.queued, lost.lost]).toEqual([1, 2]);
  });

  it("notices mails that arrive out of raise order", () => {
    const a = accountBoard(raises, 4, [
      { id: 2, keys: ["b"], count: 2, at: 100 },
      { id: 1, keys: ["a"], count: 1, at: 200 },
      { id: 3, keys: ["c"], count: 1, at: 300 },
    ], { queued: [], failed: [] });
    expect(a.inOrder).toBe(false);
    expect(a.delivered).toBe(4);
  });

  it("reads the alarm mails (one outbox on every board), the outbox-full one included", () => {
    expect(parseAlarmMail("Board: b\r\nAlarm: Leak (leak-2)\r\nRaised: 3 s before this mail\r\nMail id: 7, attempt 1 (a repeated id is a resend after a power cut)\r\n")).toEqual({ id: 7, keys: ["leak-2"], count: 1 });
    expect(parseAlarmMail("Board: b\r\nAlarm: Level (level)\r\nOccurrences: 5, first 60 s before this mail, last 2 s before this mail\r\nMail id: 3, attempt 2 (...)\r\n")).toEqual({ id: 3, keys: ["level"], count: 5 });
    expect(parseAlarmMail("Board: b\r\nAlarm: several alarms (outbox full) (~overflow)\r\nDetail: k1, k2\r\nOccurrences: 4, first ...\r\nMail id: 9, attempt 1\r\n")).toEqual({ id: 9, keys: ["k1", "k2"], count: 4 });
    expect(parseAlarmMail("Board: b\r\nHeartbeat: the board is running.\r\nMail id: 4, attempt 1\r\n")).toBeNull();
  });

  it("percentiles, histogram and the cumulative curve", () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect([percentile(v, 50), percentile(v, 90), percentile(v, 99), percentile([], 50)]).toEqual([5, 9, 10, NaN]);
    expect(histogram([0, 1, 9, 10], 2).map((b) => b.count)).toEqual([2, 2]);
    expect(cumulative([5, 1, 5, 9])).toEqual([[1, 1], [5, 3], [9, 4]]);
  });
});
