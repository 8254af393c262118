// `cellmail fleet` as a user runs it: the CLI as a child process in a temp working
// directory. The --json line's shape (the keys docs/fleet.md promises), the exit status,
// the page and the per-board transcripts; a usage error exits 2.
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAll, lastJson, runCli, tempDir } from "../cli/support.js";

describe("cellmail fleet", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(async () => {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs a bundled fleet scenario with overrides; --json ends with the summary object", async () => {
    const r = await runCli(["fleet", "--scenario", "tencent-storm", "--boards", "12", "--json", "--report", "fleet.html", "--transcripts", "tx"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = lastJson(r.stdout);
    expect(Object.keys(j)).toEqual(expect.arrayContaining(["boards", "raised", "delivered", "duplicates", "queued", "lost", "latency", "refusals"]));
    expect(j).toMatchObject({ scenario: "tencent-storm", provider: "tencent", ok: true, boards: 12, raised: 12, delivered: 12, duplicates: 0, queued: 0, lost: 0 });
    expect(Object.keys(j.latency as object).sort()).toEqual(["max", "p50", "p90", "p99"]);
    expect(Object.keys(j.refusals as object)).toEqual(["450"]);
    expect(readFileSync(path.join(dir, "fleet.html"), "utf8")).toContain("<svg id=\"delivery-curve\"");
    const tx = readdirSync(path.join(dir, "tx"));
    expect(tx).toHaveLength(12);
    expect(readFileSync(path.join(dir, "tx", tx[0]), "utf8")).toMatch(/^# cellmail transcript v1/);
    expect(existsSync(j.mailDir as string)).toBe(true);
  });

  it("prints a readable summary and exits 2 on a bad option", async () => {
    const r = await runCli(["fleet", "--boards", "3", "--provider", "open"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/alarms raised\s+3/);
    expect(r.stdout).toMatch(/lost\s+0/);
    expect(r.stdout).toContain("expectation: held (ok)");
    const bad = await runCli(["fleet", "--provider", "gmail"], dir);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/gmail/);
  });
});
