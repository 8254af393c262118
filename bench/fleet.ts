// Fleet figures: `cellmail fleet` with the open-1000 scenario (every board its own sender,
// one alarm each within 60 virtual seconds, open profile, run until every mail is
// delivered) for 100, 1,000 and 5,000 boards, each in a fresh process so its peak RSS is its
// own. Wall time is real time and depends on the machine and what else runs on it: the
// figures come with the load average seen before each run.
//
//   fleet.boards100.wallSeconds, fleet.boards1000.wallSeconds, fleet.boards5000.wallSeconds
//   fleet.boards100.peakRssMB, fleet.boards1000.peakRssMB, fleet.boards5000.peakRssMB
//
//   npx tsx bench/fleet.ts [N ...]     run these fleet sizes (default 100 1000 5000); merge into results.json
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { REPO_ROOT } from "../host-sim/xs/bundle.js";
import { mergeResults } from "./results.js";

export const FLEET_TARGETS = { boards1000WallSeconds: 60, boards1000PeakRssMB: 2048 };
export const FLEET_SIZES = [100, 1000, 5000];

export interface FleetRun {
  boards: number;
  wallSeconds: number;
  peakRssMB: number;
  delivered: number;
  virtualSeconds: number;
  load1: number;
  ok: boolean;
}

/** One `cellmail fleet --json` run in a child process. */
export function runFleetProcess(boards: number): Promise<FleetRun> {
  const mailDir = mkdtempSync(join(tmpdir(), "cellmail-bench-fleet-"));
  const load1 = loadavg()[0];
  return new Promise((resolve, reject) => {
    const args = [join(REPO_ROOT, "bin/cellmail.mjs"), "fleet", "--scenario", "open-1000", "--boards", String(boards), "--json", "--mail-dir", mailDir];
    const child = spawn(process.execPath, args, { cwd: tmpdir(), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
    child.once("error", reject);
    child.once("exit", () => {
      rmSync(mailDir, { recursive: true, force: true });
      const last = out.trim().split("\n").pop() ?? "";
      try {
        const j = JSON.parse(last) as Record<string, number | boolean>;
        resolve({
          boards,
          wallSeconds: j.wallSeconds as number,
          peakRssMB: j.peakRssMB as number,
          delivered: j.delivered as number,
          virtualSeconds: j.virtualSeconds as number,
          load1,
          ok: j.ok as boolean,
        });
      } catch {
        reject(new Error(`cellmail fleet --boards ${boards} gave no JSON line:\n${out.slice(-2000)}\n${err.slice(-2000)}`));
      }
    });
  });
}

export async function fleetFigures(sizes = FLEET_SIZES, onRun?: (r: FleetRun) => void): Promise<{ results: Record<string, number>; runs: FleetRun[]; met: boolean }> {
  const runs: FleetRun[] = [];
  const results: Record<string, number> = {};
  for (const n of sizes) {
    const r = await runFleetProcess(n);
    runs.push(r);
    onRun?.(r);
    results[`fleet.boards${n}.wallSeconds`] = r.wallSeconds;
    results[`fleet.boards${n}.peakRssMB`] = r.peakRssMB;
  }
  const k = runs.find((r) => r.boards === 1000);
  const met = runs.every((r) => r.ok && r.delivered === r.boards) && (!k || (k.wallSeconds <= FLEET_TARGETS.boards1000WallSeconds && k.peakRssMB <= FLEET_TARGETS.boards1000PeakRssMB));
  return { results, runs, met };
}

export function describeRun(r: FleetRun): string {
  return `fleet.boards${r.boards}: ${r.wallSeconds} s wall, peak RSS ${r.peakRssMB} MB, ${r.delivered}/${r.boards} delivered in ${r.virtualSeconds} virtual s (load ${r.load1.toFixed(2)} on ${cpus().length} cores before it)`;
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const { results } = await fleetFigures(sizes.length ? sizes : FLEET_SIZES, (r) => console.log(describeRun(r)));
  mergeResults(results);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
