// Headless Chromium for the page tests: Debian's package (installed by
// scripts/ensure-system-deps.mjs) driven through playwright-core, or, when playwright-core
// is not installed, `chromium --headless --dump-dom` (the DOM after the page's scripts ran).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM = "/usr/bin/chromium";
// `npm test` installs Chromium first. A bare `vitest run` on a machine without it skips the
// page tests; under CI they must run, so a missing browser fails there.
export const HAVE_CHROMIUM = existsSync(CHROMIUM) || !!process.env.CI;
export const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The few playwright-core calls we use (typed here so the tests compile before it is installed). */
export interface Locator {
  count(): Promise<number>;
  first(): Locator;
  nth(i: number): Locator;
  textContent(): Promise<string | null>;
  getAttribute(name: string): Promise<string | null>;
  locator(selector: string): Locator;
  isVisible(): Promise<boolean>;
  click(): Promise<void>;
  boundingBox(): Promise<{ x: number; y: number; width: number; height: number } | null>;
}
export interface Page {
  goto(url: string): Promise<unknown>;
  title(): Promise<string>;
  locator(selector: string): Locator;
  on(event: "request", fn: (req: { url(): string }) => void): void;
}
export interface Context {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
export interface Playwright {
  chromium: { launchPersistentContext(userDataDir: string, options: Record<string, unknown>): Promise<Context> };
}

export async function loadPlaywright(): Promise<Playwright | null> {
  const name = "playwright-core";
  try {
    return (await import(/* @vite-ignore */ name)) as Playwright;
  } catch {
    return null;
  }
}

export function launch(pw: Playwright, userDataDir: string): Promise<Context> {
  return pw.chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: ARGS });
}

/** Fallback: the DOM after scripts ran, from chromium itself. */
export function dumpDom(url: string, userDataDir: string): Promise<string> {
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
