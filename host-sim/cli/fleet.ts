// `cellmail fleet`: N simulated boards on one virtual clock against one provider account
// (host-sim/fleet/, docs/fleet.md). Prints progress every virtual hour, then the summary:
// alarms raised, delivered, duplicates, still queued, kept as failed, lost (must be 0), the
// alarm-to-inbox latency, the provider's refusals by code and rule, how long the fleet
// took to drain. `--json`: the last line is one object (fleetJson). `--report FILE.html`:
// the delivery curve and the latency histogram. Exit 0 only when the scenario's `expect` held.
import path from "node:path";
import { Command, Option } from "commander";
import { compositionOption, goneProfileOption, parseIntArg, stamp, workDir, writeOutput } from "./common.js";
import { DEFAULT_COMPOSITION, type CompositionName } from "../runner/compositions.js";
import { PROVIDER_NAMES } from "../mailserver/providers/index.js";
import type { ProviderName } from "../mailserver/providers/types.js";
import type { FleetResult } from "../fleet/run.js";

export const DEFAULT_FLEET = "tencent-storm";

export interface FleetOptions {
  scenario: string;
  boards?: number;
  provider?: ProviderName;
  composition?: CompositionName;
  json?: boolean;
  report?: string;
  mailDir?: string;
  transcripts?: string;
}

/** The `--json` line: a stable, documented shape (docs/fleet.md). */
export function fleetJson(r: FleetResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    scenario: r.scenario,
    provider: r.provider,
    composition: r.composition,
    ok: r.ok,
    boards: r.boards,
    raised: r.raised,
    delivered: r.delivered,
    mails: r.mails,
    duplicates: r.duplicates,
    queued: r.queued,
    failed: r.failed,
    lost: r.lost,
    outOfOrder: r.outOfOrder,
    latency: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    refusals: r.refusals,
    refusalsByRule: r.refusalsByRule,
    refusalsPerDelivered: r.refusalsPerDelivered,
    drainSeconds: r.drainSeconds,
    virtualSeconds: r.virtualSeconds,
    wallSeconds: r.wallSeconds,
    peakRssMB: r.peakRssMB,
    timedOut: r.timedOut,
    expectFailures: r.expectFailures,
    ...extra,
  };
}

/** Seconds as the summary shows them: "42.1 s", "12.3 min", "31.2 h". */
export function human(s: number): string {
  if (!Number.isFinite(s)) return "-";
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function printFleet(r: FleetResult, out: (l?: string) => void): void {
  const row = (k: string, v: string | number) => out(`  ${k.padEnd(22)} ${v}`);
  out();
  out(`fleet ${r.scenario}: ${r.boards} boards, provider ${r.provider}, composition ${r.composition}`);
  row("alarms raised", r.raised);
  row("delivered", `${r.delivered} (in ${r.mails} mails, ${r.duplicates} duplicate${r.duplicates === 1 ? "" : "s"})`);
  row("still queued", r.queued);
  row("kept as failed", r.failed);
  row("lost", r.lost);
  row("in raise order", r.outOfOrder === 0 ? "every board" : `${r.outOfOrder} board(s) out of order`);
  row("latency (alarm->inbox)", `p50 ${human(r.latency.p50)}, p90 ${human(r.latency.p90)}, p99 ${human(r.latency.p99)}, max ${human(r.latency.max)}`);
  row("drain", `${human(r.drainSeconds)} from the first alarm to the last delivery`);
  const codes = Object.entries(r.refusals);
  row("provider refusals", codes.length ? `${codes.map(([c, n]) => `${c} x${n}`).join(", ")}; ${r.refusalsPerDelivered} per delivered mail` : "none");
  for (const [rule, n] of Object.entries(r.refusalsByRule)) out(`  ${"".padEnd(22)}   ${rule}: ${n}`);
  row("run", `${human(r.virtualSeconds)} of virtual time in ${r.wallSeconds} s, peak RSS ${r.peakRssMB} MB${r.timedOut ? " (time was up before every alarm was out)" : ""}`);
  if (r.ok) out("expectation: held (ok)");
  else {
    out("expectation: NOT met");
    for (const f of r.expectFailures) out(`  - ${f}`);
  }
}

export async function runFleetCommand(opts: FleetOptions): Promise<number> {
  const out = (l = "") => process.stdout.write(l + "\n");
  const { loadFleetScenario, resolveFleetScenario } = await import("../fleet/scenario.js");
  const { runFleet } = await import("../fleet/run.js");
  const file = resolveFleetScenario(opts.scenario);
  const scenario = loadFleetScenario(file);
  const boards = opts.boards ?? scenario.boards;
  const provider = opts.provider ?? (typeof scenario.provider === "string" ? scenario.provider : scenario.provider.name);
  out(`cellmail fleet: scenario ${scenario.name} (${path.relative(process.cwd(), file) || file}), ${boards} boards, provider ${provider}, composition ${opts.composition ?? scenario.composition ?? DEFAULT_COMPOSITION}`);
  if (scenario.description) out(`  ${scenario.description}`);
  const mailDir = opts.mailDir ? path.resolve(opts.mailDir) : workDir("fleet-mail", `${scenario.name}-${stamp()}`);
  const result = await runFleet({
    scenario,
    scenarioDir: path.dirname(file),
    boards: opts.boards,
    provider: opts.provider,
    composition: opts.composition,
    mailDir,
    transcripts: opts.transcripts !== undefined,
    progressEveryMs: 3_600_000,
    onProgress: opts.json
      ? undefined
      : (p) => out(`  ${human(p.virtualMs / 1000).padStart(9)}  raised ${p.raised}, mails in ${p.delivered}, refusals ${p.refusals}`),
  });
  const extra: Record<string, unknown> = { mailDir };
  if (opts.transcripts) {
    const dir = path.resolve(opts.transcripts);
    for (const b of result.perBoard) if (b.transcript) writeOutput(path.join(dir, `${b.name}.transcript`), "", b.transcript);
    extra.transcripts = dir;
  }
  if (opts.report) {
    const { renderFleetReport } = await import("../fleet/report.js");
    extra.report = writeOutput(opts.report, "fleet.html", renderFleetReport(result));
  }
  if (opts.json) out(JSON.stringify(fleetJson(result, extra)));
  else {
    printFleet(result, out);
    out(`mail:       ${mailDir}`);
    if (extra.transcripts) out(`transcripts: ${extra.transcripts}`);
    if (extra.report) out(`report:     ${extra.report}`);
  }
  return result.ok ? 0 : 1;
}

export function fleetCommand(): Command {
  return new Command("fleet")
    .description("run a fleet of simulated boards on one virtual clock against one provider account")
    .option("-s, --scenario <file>", "fleet scenario file, or the name of a bundled one", DEFAULT_FLEET)
    .option("-n, --boards <n>", "number of boards (overrides the scenario)", parseIntArg)
    .addOption(new Option("-p, --provider <name>", "provider profile (overrides the scenario)").choices(PROVIDER_NAMES as string[]))
    .addOption(compositionOption("which composition every board runs (overrides the scenario; default node)", false))
    .addOption(goneProfileOption())
    .option("--json", "print one JSON summary object as the last line")
    .option("-r, --report <file.html>", "write the fleet page: delivery curve and latency histogram")
    .option("--mail-dir <dir>", "where the provider stores .eml files (default: .cellmail/fleet-mail/)")
    .option("--transcripts <dir>", "write every board's UART transcript into this directory")
    .action(async (opts: FleetOptions) => {
      process.exitCode = await runFleetCommand(opts);
    });
}
