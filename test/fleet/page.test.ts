// The fleet page (host-sim/fleet/report.ts) from a real small fleet against Tencent SES:
// self-contained, the summary figures, a delivery curve that climbs to every alarm, the
// refusal strip, the latency histogram with its percentiles; then the same in headless
// Chromium (drawn, visible, no request to the network).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFleet, type FleetResult } from "../../host-sim/fleet/run.js";
import { renderFleetReport } from "../../host-sim/fleet/report.js";
import { dumpDom, HAVE_CHROMIUM, launch, loadPlaywright, type Context } from "../cli/browser.js";

let result: FleetResult;
let html: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cellmail-fleet-page-"));
  result = await runFleet({
    scenario: { name: "page-storm", boards: 14, provider: "tencent", board: "alarm-demo", alarms: { pattern: "storm", withinMs: 60_000 }, durationMs: 6 * 3_600_000 },
  });
  html = renderFleetReport(result, { generatedAt: new Date(0) });
  writeFileSync(path.join(dir, "fleet.html"), html);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("the fleet page", () => {
  it("is one self-contained page with the summary", () => {
    expect(result.ok).toBe(true);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script|<link|<img/i);
    expect(html).toContain("<title>cellmail fleet: page-storm</title>");
    expect(html).toMatch(/id="f-raised">14</);
    expect(html).toMatch(/id="f-lost">0</);
    expect(html).toContain("tencent.sender-recipient-per-hour");
  });

  it("draws the delivery curve up to every alarm, the refusals, and the latency histogram", () => {
    const curve = /<path class="delivered" d="([^"]+)"/.exec(html)![1];
    // The step path ends at the top: y of 14 alarms is the plot's top (30).
    const ys = [...curve.matchAll(/V([\d.]+)/g)].map((m) => Number(m[1]));
    expect(Math.min(...ys)).toBeCloseTo(30, 0);
    expect(ys.length).toBeGreaterThanOrEqual(5);
    expect((html.match(/<rect class="refused"/g) ?? []).length).toBeGreaterThan(0);
    const bars = [...html.matchAll(/<rect class="bar"[^>]*><title>[^<]*: (\d+)<\/title>/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(bars).toBe(14);
    for (const p of ["p50", "p90", "p99"]) expect(html).toContain(`>${p} `);
  });
});

describe.skipIf(!HAVE_CHROMIUM)("the fleet page in headless Chromium", () => {
  let context: Context | null = null;
  afterAll(async () => {
    if (context) await context.close();
  });

  it("shows both charts, drawn, and asks the network for nothing", async () => {
    const url = pathToFileURL(path.join(dir, "fleet.html")).href;
    const pw = await loadPlaywright();
    if (!pw) {
      const dom = await dumpDom(url, path.join(dir, "profile-dump"));
      expect(dom).toMatch(/<svg id="delivery-curve"/);
      expect(dom).toMatch(/<svg id="latency-histogram"/);
      return;
    }
    context = await launch(pw, path.join(dir, "profile"));
    const page = await context.newPage();
    const requests: string[] = [];
    page.on("request", (req) => requests.push(req.url()));
    await page.goto(url);
    expect(await page.title()).toBe("cellmail fleet: page-storm");
    expect(await page.locator("#outcome").textContent()).toMatch(/^OK/);
    for (const id of ["#delivery-curve", "#latency-histogram"]) {
      const box = await page.locator(id).boundingBox();
      expect(box, id).not.toBeNull();
      expect(box!.width).toBeGreaterThan(400);
      expect(box!.height).toBeGreaterThan(200);
    }
    expect(await page.locator("#delivery-curve path.delivered").count()).toBe(1);
    expect(await page.locator("#latency-histogram rect.bar").count()).toBeGreaterThan(1);
    expect(await page.locator("#refusal-table tbody tr").count()).toBe(1);
    expect(await page.locator("#boards tbody tr").count()).toBe(14);
    expect(requests.filter((u) => !u.startsWith("file:"))).toEqual([]);
  });
});
