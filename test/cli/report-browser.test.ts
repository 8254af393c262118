// The report in a real headless browser: Chromium from Debian's packages (installed by
// scripts/ensure-system-deps.mjs) driven through playwright-core. The page comes from a
// real simulated session (runSession, happy path); the test checks that the rendered page
// shows the title, the outcome, a ">" and a "<" traffic row and a state change, that the
// filters work, and that the page asks for nothing from the network.
//
// playwright-core is a devDependency; when it is not installed yet, the same checks run on
// the DOM that `chromium --headless --dump-dom` prints after running the page's script.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSession } from "../../host-sim/runner/session.js";
import { loadScenario } from "../../host-sim/scenarios/scenario.js";
import { renderReport } from "../../host-sim/report/index.js";
import { ROOT } from "./support.js";
import { dumpDom, HAVE_CHROMIUM, launch, loadPlaywright, type Context, type Playwright } from "./browser.js";

describe.skipIf(!HAVE_CHROMIUM)("the session report in headless Chromium", () => {
  let dir: string;
  let url: string;
  let pw: Playwright | null;
  let context: Context | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "cellmail-report-"));
    const scenario = loadScenario(path.join(ROOT, "host-sim/scenarios/happy-path.json"));
    const result = await runSession({ scenario, mailDir: path.join(dir, "mail") });
    expect(result.ok).toBe(true);
    const file = path.join(dir, "report.html");
    writeFileSync(file, renderReport(result));
    url = pathToFileURL(file).href;
    pw = await loadPlaywright();
    if (!pw) console.warn("playwright-core is not installed: checking the report through chromium --dump-dom instead");
  });

  afterAll(async () => {
    if (context) await context.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("renders the title, the outcome, traffic in both directions and a state change", async () => {
    if (!pw) {
      const dom = await dumpDom(url, path.join(dir, "profile-dump"));
      expect(dom).toContain("<title>cellmail session: happy-path</title>");
      expect(dom).toMatch(/id="outcome" class="outcome ok">OK/);
      expect(dom).toMatch(/<tr class="row tx"[^>]*>.*?<td class="mark">&gt;<\/td>/);
      expect(dom).toMatch(/<tr class="row rx"[^>]*>.*?<td class="mark">&lt;<\/td>/);
      expect(dom).toMatch(/<tr class="row ev-state"/);
      return;
    }
    context = await launch(pw, path.join(dir, "profile"));
    const page = await context.newPage();
    const requests: string[] = [];
    page.on("request", (req) => requests.push(req.url()));
    await page.goto(url);

    expect(await page.title()).toBe("cellmail session: happy-path");
    expect(await page.locator("#outcome").textContent()).toMatch(/^OK/);
    expect(await page.locator("#delivered").textContent()).toBe("1");
    const tx = page.locator("tr.row.tx");
    const rx = page.locator("tr.row.rx");
    expect(await tx.count()).toBeGreaterThan(0);
    expect(await rx.count()).toBeGreaterThan(0);
    expect(await tx.first().locator("td.mark").textContent()).toBe(">");
    expect(await rx.first().locator("td.mark").textContent()).toBe("<");
    expect(await tx.first().isVisible()).toBe(true);
    expect(await page.locator("tr.row.ev-state").count()).toBeGreaterThan(0);
    expect(await page.locator("#states table tbody tr").count()).toBeGreaterThan(0);

    // The "> firmware to module" filter hides those rows.
    await page.locator('input[data-filter="tx"]').click();
    expect(await tx.first().isVisible()).toBe(false);
    expect(await rx.first().isVisible()).toBe(true);

    expect(requests.filter((u) => !u.startsWith("file:"))).toEqual([]);
  });

  it("draws the timeline above the table: module and firmware lanes, traffic both ways, the result", async () => {
    if (!pw) {
      const dom = await dumpDom(url, path.join(dir, "profile-dump2"));
      expect(dom).toMatch(/<svg id="timeline-chart"/);
      expect(dom).toMatch(/data-lane="module"[\s\S]*data-state="SMTP transaction"/);
      return;
    }
    context ??= await launch(pw, path.join(dir, "profile"));
    const page = await context.newPage();
    await page.goto(url);
    const chart = page.locator("svg#timeline-chart");
    expect(await chart.count()).toBe(1);
    const box = await chart.boundingBox();
    const table = await page.locator("table.timeline").boundingBox();
    expect(box!.width).toBeGreaterThan(400);
    expect(box!.y).toBeLessThan(table!.y);
    const states = async (lane: string) => {
      const spans = page.locator(`g.lane[data-lane="${lane}"] rect.span`);
      const out = new Set<string>();
      for (let i = 0; i < (await spans.count()); i++) out.add((await spans.nth(i).getAttribute("data-state")) ?? "");
      return out;
    };
    expect([...(await states("module"))]).toEqual(expect.arrayContaining(["booting", "ready", "SMTP transaction"]));
    expect([...(await states("firmware"))]).toEqual(expect.arrayContaining(["bring-up", "PDP", "SMTP config", "mail", "send wait", "clean-up"]));
    expect(await page.locator('g.density[data-dir="tx"] rect').count()).toBeGreaterThan(3);
    expect(await page.locator('g.density[data-dir="rx"] rect').count()).toBeGreaterThan(3);
    expect(await page.locator("circle.mark.result.ok").count()).toBe(1);
  });
});
