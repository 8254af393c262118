// The report in a real headless browser: Chromium from Debian's packages (installed by
// scripts/ensure-system-deps.mjs) driven through playwright-core. The page comes from a
// real simulated session (runSession, happy path); the test checks that the rendered page
// shows the title, the outcome, a ">" and a "<" traffic row and a state change, that the
// filters work, and that the page asks for nothing from the network.
//
// playwright-core is a devDependency; when it is not installed yet, the same checks run on
// the DOM that `chromium --headless --dump-dom` prints after running the page's script.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSession } from "../../host-sim/runner/session.js";
import { loadScenario } from "../../host-sim/scenarios/scenario.js";
import { renderReport } from "../../host-sim/report/index.js";
import { ROOT } from "./support.js";

const CHROMIUM = "/usr/bin/chromium";
// `npm test` installs Chromium first (scripts/ensure-system-deps.mjs). A bare `vitest run` on a
// machine without it skips this file; under CI it must run, so a missing browser fails there.
const HAVE_CHROMIUM = existsSync(CHROMIUM) || !!process.env.CI;
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The few playwright-core calls we use (typed here so the test compiles before it is installed). */
interface Locator {
  count(): Promise<number>;
  first(): Locator;
  textContent(): Promise<string | null>;
  locator(selector: string): Locator;
  isVisible(): Promise<boolean>;
  click(): Promise<void>;
}
interface Page {
  goto(url: string): Promise<unknown>;
  title(): Promise<string>;
  locator(selector: string): Locator;
  on(event: "request", fn: (req: { url(): string }) => void): void;
}
interface Context {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: { launchPersistentContext(userDataDir: string, options: Record<string, unknown>): Promise<Context> };
}

async function loadPlaywright(): Promise<Playwright | null> {
  const name = "playwright-core";
  try {
    return (await import(/* @vite-ignore */ name)) as Playwright;
  } catch {
    return null;
  }
}

/** Fallback: the DOM after scripts ran, from chromium itself. */
function dumpDom(url: string, userDataDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, [...ARGS, `--user-data-dir=${userDataDir}`, "--dump-dom", url], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
    const timer = setTimeout(() => child.kill("SIGKILL"), 50_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (out.includes("</html>")) resolve(out);
      else reject(new Error(`chromium --dump-dom exited ${code} without a page`));
    });
  });
}

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
    context = await pw.chromium.launchPersistentContext(path.join(dir, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
    });
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
});
