// The seeded UART-fault sweep: the bundled scenarios whose link loses or corrupts bytes at a
// rate (`byte-loss`, `byte-corruption`), each run with many seeds on each composition, and what
// came of every run: a job failed (the outbox keeps the alarm and reports it), a mail arrived
// twice (the at-least-once rule of the README), or the scenario's `expect` held. One seeded run
// is one sample of where the damage falls; the sweep is the distribution that docs/profiles.md
// ("Under seeded UART faults") tabulates, and the seeds to read when a figure moves.
//
// Seed k damages the bytes to the module with seed 2k and those to the board with seed 2k+1.
// The compositions write different byte streams, so one seed damages other commands on each:
// compare a composition with itself across a change, not two compositions seed by seed.
//
//   npm run sweep [-- --seeds 64] [--scenarios byte-loss,byte-corruption] [--compositions node,espruino]
//                 [--engine node|xs] [--parallel 4] [--json FILE]
// prints a table and the seeds of every failed or duplicated run; merges sweep.* keys into
// bench/results.json only for the default set (64 seeds, both scenarios, node and espruino,
// on Node), so the file's figures always mean the same sweep.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { bundledScenarios, type Scenario } from "../host-sim/scenarios/scenario.js";
import { runSession } from "../host-sim/runner/session.js";
import { composition as compositionNamed, type CompositionName } from "../host-sim/runner/compositions.js";
import type { EngineName } from "../host-sim/runner/types.js";
import { mergeResults } from "./results.js";

/** The scenarios the sweep runs by default: a rate of damage in both directions, seeded. */
export const SWEEP_SCENARIOS = ["byte-loss", "byte-corruption"];
export const SWEEP_COMPOSITIONS: CompositionName[] = ["node", "espruino"];
export const SWEEP_SEEDS = 64;

export interface SweepOptions {
  scenarios: string[];
  compositions: CompositionName[];
  seeds: number;
  engine: EngineName;
  /** Sessions run at once (each has its own virtual clock, SMTP server and, in XS, worker). */
  parallel: number;
}

/** What came of one scenario on one composition over every seed. */
export interface SweepCell {
  scenario: string;
  composition: CompositionName;
  runs: number;
  /** Runs in which a job failed (a run whose job failed after its mail went counts here and in `duplicated`). */
  failed: number[];
  /** Runs in which the mail arrived more than once. */
  duplicated: number[];
  /** Runs in which the scenario's `expect` held. */
  met: number;
  /** The failed jobs' codes, and how often each came. */
  codes: Record<string, number>;
}

/** The scenario with seed `k` on both directions of its link (2k to the module, 2k+1 to the board). */
export function seeded(base: Scenario, k: number): Scenario {
  const s = JSON.parse(JSON.stringify(base)) as Scenario;
  s.name = `${base.name}-seed-${k}`;
  const link = s.link as { toModule?: { seed?: number }; toFirmware?: { seed?: number } } | undefined;
  if (link?.toModule) link.toModule.seed = 2 * k;
  if (link?.toFirmware) link.toFirmware.seed = 2 * k + 1;
  return s;
}

/** Run `jobs` with at most `limit` of them at once; results in order. */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, worker));
  return out;
}

export async function sweep(o: SweepOptions): Promise<SweepCell[]> {
  const all = bundledScenarios().map((f) => f.scenario);
  const bases = o.scenarios.map((name) => {
    const s = all.find((x) => x.name === name);
    if (!s) throw new Error(`no bundled scenario ${JSON.stringify(name)}`);
    if (!s.link?.toModule && !s.link?.toFirmware) throw new Error(`scenario ${name} damages no link: nothing to seed`);
    return s;
  });
  for (const c of o.compositions) compositionNamed(c); // an unknown name fails before any run
  const dir = mkdtempSync(join(tmpdir(), "cellmail-sweep-"));
  try {
    const cells: SweepCell[] = [];
    for (const base of bases) {
      for (const composition of o.compositions) {
        const cell: SweepCell = { scenario: base.name, composition, runs: o.seeds, failed: [], duplicated: [], met: 0, codes: {} };
        const jobs = Array.from({ length: o.seeds }, (_, i) => () =>
          runSession({ scenario: seeded(base, i + 1), composition, engine: o.engine, mailDir: dir }));
        const results = await pool(jobs, o.parallel);
        results.forEach((r, i) => {
          const k = i + 1;
          if (r.failed > 0) cell.failed.push(k);
          if (r.mails.length > 1) cell.duplicated.push(k);
          if (r.ok) cell.met++;
          for (const e of r.errors) cell.codes[e.code] = (cell.codes[e.code] ?? 0) + 1;
        });
        cells.push(cell);
      }
    }
    return cells;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The results.json keys of a sweep: sweep.<scenario>.<composition>.failed, .duplicated, .met. */
export function sweepResults(cells: SweepCell[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of cells) {
    const key = `sweep.${c.scenario}.${c.composition}`;
    out[`${key}.failed`] = c.failed.length;
    out[`${key}.duplicated`] = c.duplicated.length;
    out[`${key}.met`] = c.met;
  }
  return out;
}

export function printSweep(cells: SweepCell[], o: SweepOptions): void {
  console.log(`seeded UART faults: ${o.seeds} seeds each, engine ${o.engine} (failed / duplicated / expect met)`);
  for (const c of cells) {
    const codes = Object.entries(c.codes).map(([code, n]) => `${code} x${n}`).join(", ");
    console.log(
      `  ${c.scenario.padEnd(16)} ${c.composition.padEnd(9)} ${c.failed.length} / ${c.duplicated.length} / ${c.met} of ${c.runs}` +
        (c.failed.length ? `; failed: seeds ${c.failed.join(", ")} (${codes})` : "") +
        (c.duplicated.length ? `; duplicated: seeds ${c.duplicated.join(", ")}` : ""),
    );
  }
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seeds: { type: "string", default: String(SWEEP_SEEDS) },
      scenarios: { type: "string", default: SWEEP_SCENARIOS.join(",") },
      compositions: { type: "string", default: SWEEP_COMPOSITIONS.join(",") },
      engine: { type: "string", default: "node" },
      parallel: { type: "string", default: "4" },
      json: { type: "string" },
    },
  });
  const seeds = Number(values.seeds);
  const parallel = Number(values.parallel);
  if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds must be a whole number from 1, not ${values.seeds}`);
  if (!Number.isInteger(parallel) || parallel < 1) throw new Error(`--parallel must be a whole number from 1, not ${values.parallel}`);
  if (values.engine !== "node" && values.engine !== "xs") throw new Error(`--engine must be node or xs, not ${values.engine}`);
  const o: SweepOptions = {
    seeds,
    parallel,
    engine: values.engine,
    scenarios: values.scenarios.split(",").filter(Boolean),
    compositions: values.compositions.split(",").filter(Boolean) as CompositionName[],
  };
  const started = Date.now();
  const cells = await sweep(o);
  printSweep(cells, o);
  console.log(`  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  if (values.json) writeFileSync(resolve(values.json), JSON.stringify({ options: o, cells }, null, 2) + "\n");
  const standard =
    seeds === SWEEP_SEEDS && o.engine === "node" && o.scenarios.join() === SWEEP_SCENARIOS.join() && o.compositions.join() === SWEEP_COMPOSITIONS.join();
  if (standard) mergeResults(sweepResults(cells));
  else console.log("  not the default sweep: bench/results.json left as it was");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
