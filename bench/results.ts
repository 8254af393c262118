// bench/results.json: one flat object of figures shared by every benchmark. Each writer merges
// its own keys (the others are kept), and keys stay sorted so diffs stay readable.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { REPO_ROOT } from "../host-sim/xs/bundle.js";

export const RESULTS_FILE = resolve(REPO_ROOT, "bench/results.json");

export function mergeResults(values: Record<string, number | string>, file = RESULTS_FILE): void {
  let current: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      const parsed = JSON.parse(readFileSync(file, "utf8"));
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) current = parsed;
    } catch {
      console.warn(`bench/results.json was not valid JSON; rewriting it`);
    }
  }
  const merged: Record<string, unknown> = { ...current, ...values };
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(merged).sort()) sorted[k] = merged[k];
  writeFileSync(file, JSON.stringify(sorted, null, 2) + "\n");
}
