// `cellmail sim`: run one scenario (default: the bundled happy path) with the firmware
// core against the simulated EC800 on the virtual clock, through the scenario runner
// (host-sim/runner/session.ts). Prints each event with its virtual time as it happens,
// then what arrived and where the transcript (and the optional HTML report) went.
// `--json`: the last line printed is one JSON object (see jsonSummary). Exit status 0
// only when the scenario's `expect` held.
import path from "node:path";
import { Command, Option } from "commander";
import type { RunSessionOptions, SessionResult } from "../runner/types.js";
import { renderReport } from "../report/render.js";
import { compositionOption, DEFAULT_SCENARIO, formatEvent, formatMail, goneProfileOption, parseHostPort, readScenario, stamp, workDir, writeOutput } from "./common.js";
import type { CompositionName } from "../runner/compositions.js";

export interface SimOptions {
  scenario?: string;
  engine: "node" | "xs";
  composition: CompositionName;
  json?: boolean;
  transcript?: string;
  report?: string;
  smtp?: { host: string; port: number };
  mailDir?: string;
}

/** The `--json` line: a stable, documented shape. */
export function jsonSummary(r: SessionResult, transcriptPath: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    scenario: r.scenario,
    engine: r.engine,
    composition: r.composition,
    ok: r.ok,
    delivered: r.delivered,
    failed: r.failed,
    mails: r.mails.map((m) => ({
      subject: m.subject,
      from: m.from,
      to: m.to,
      cc: m.cc,
      envelope: m.envelope,
      attachments: m.attachments.map((a) => a.name),
      eml: m.eml,
    })),
    errors: r.errors.map((e) => ({ code: e.code, cause: e.cause })),
    transcript: transcriptPath,
    ...extra,
  };
}

/** Print the human-readable end of a session (mails, errors, expectation). */
export function printOutcome(r: SessionResult, out: (l?: string) => void): void {
  out();
  out(`scenario ${r.scenario} (engine ${r.engine}, composition ${r.composition}) finished after ${(r.virtualMs / 1000).toFixed(3)} s of virtual time`);
  out(`delivered: ${r.delivered}, failed: ${r.failed}`);
  if (r.mails.length === 0) out("  no mail arrived");
  r.mails.forEach((m, i) => formatMail(m, i).forEach((l) => out(l)));
  for (const e of r.errors) out(`  error ${e.code}: ${e.cause}`);
  if (r.ok) out("expectation: held (ok)");
  else {
    out("expectation: NOT met");
    for (const f of r.expectFailures) out(`  - ${f}`);
  }
}

export async function runSim(opts: SimOptions): Promise<number> {
  const out = (l = "") => process.stdout.write(l + "\n");
  const { file, scenario } = readScenario(opts.scenario);
  const shown = path.relative(process.cwd(), file);
  out(`cellmail sim: scenario ${scenario.name} (${shown.startsWith("..") || !shown ? file : shown}), engine ${opts.engine}, composition ${opts.composition}`);
  if (scenario.description) out(`  ${scenario.description}`);
  const { runSession } = await import("../runner/session.js");
  const options: RunSessionOptions = {
    scenario,
    engine: opts.engine,
    composition: opts.composition,
    mailDir: opts.mailDir ? path.resolve(opts.mailDir) : workDir("mail"),
    onEvent: (e) => out(formatEvent(e)),
  };
  if (opts.smtp) options.smtp = opts.smtp;
  const result = await runSession(options);
  const transcriptPath = writeOutput(opts.transcript, `${scenario.name}-${stamp()}.transcript`, result.transcript);
  let reportPath: string | undefined;
  if (opts.report) reportPath = writeOutput(opts.report, "report.html", renderReport(result));
  if (opts.json) {
    out(JSON.stringify(jsonSummary(result, transcriptPath, reportPath ? { report: reportPath } : {})));
  } else {
    printOutcome(result, out);
    out(`transcript: ${transcriptPath}`);
    if (reportPath) out(`report:     ${reportPath}`);
  }
  return result.ok ? 0 : 1;
}

export function simCommand(): Command {
  return new Command("sim")
    .description("run a scenario: the firmware core against the simulated EC800, on the virtual clock")
    .option("-s, --scenario <file>", "scenario file, or the name of a bundled scenario", DEFAULT_SCENARIO)
    .addOption(new Option("-e, --engine <engine>", "where the core runs").choices(["node", "xs"]).default("node"))
    .addOption(compositionOption("which composition the board runs"))
    .addOption(goneProfileOption())
    .option("--json", "print one JSON summary object as the last line")
    .option("-t, --transcript <file>", "write the UART transcript here (default: .cellmail/transcripts/)")
    .option("-r, --report <file.html>", "write a self-contained HTML report of the session")
    .option("--smtp <host:port>", "deliver to this SMTP server instead of the embedded one", parseHostPort)
    .option("--mail-dir <dir>", "where the embedded server stores .eml files (default: .cellmail/mail)")
    .action(async (opts: SimOptions) => {
      process.exitCode = await runSim(opts);
    });
}
