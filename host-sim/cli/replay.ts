// `cellmail replay TRANSCRIPT`: the module's side plays a recorded transcript (from the
// field or an earlier run) and the firmware core runs against it, through the runner:
// runSession({ scenario, replay: transcriptText }). The scenario supplies the firmware's
// configuration and the mail to send: --scenario, else the transcript's "# scenario:"
// header when that names a bundled scenario, else the happy path. Prints the outcome and
// whether the firmware sent the same command lines as the recording.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { parseTranscript, type Transcript } from "../transcript/format.js";
import type { RunSessionOptions } from "../runner/types.js";
import { renderReport } from "../report/render.js";
import { DEFAULT_SCENARIO, formatEvent, readScenario, resolveScenarioPath, stamp, writeOutput } from "./common.js";
import { jsonSummary, printOutcome } from "./sim.js";

interface ReplayOptions {
  scenario?: string;
  json?: boolean;
  transcript?: string;
  report?: string;
}

/** The command lines the firmware sent (">" records split at CR; data-mode bytes before a command dropped). */
export function commandLines(t: Transcript): string[] {
  let all = "";
  for (const r of t.records) if (r.dir === ">" && r.bytes) all += Buffer.from(r.bytes).toString("latin1");
  const lines: string[] = [];
  for (const seg of all.split("\r")) {
    const i = seg.indexOf("AT");
    const j = seg.indexOf("at");
    const k = i < 0 ? j : j < 0 ? i : Math.min(i, j);
    if (k >= 0) lines.push(seg.slice(k));
  }
  return lines;
}

export interface CommandComparison {
  recorded: number;
  sent: number;
  matched: boolean;
  /** First difference (index into the command lists), when not matched. */
  firstDifference?: { index: number; recorded?: string; sent?: string };
}

export function compareCommands(recorded: string[], sent: string[]): CommandComparison {
  const n = Math.max(recorded.length, sent.length);
  for (let i = 0; i < n; i++) {
    if (recorded[i] !== sent[i]) {
      return { recorded: recorded.length, sent: sent.length, matched: false, firstDifference: { index: i, recorded: recorded[i], sent: sent[i] } };
    }
  }
  return { recorded: recorded.length, sent: sent.length, matched: true };
}

function pickScenario(opt: string | undefined, recorded: Transcript): string {
  if (opt) return opt;
  const named = recorded.header.scenario?.replace(/^replay of /, "");
  if (named) {
    try {
      resolveScenarioPath(named);
      return named;
    } catch {
      /* not bundled */
    }
  }
  return DEFAULT_SCENARIO;
}

export async function runReplay(file: string, opts: ReplayOptions): Promise<number> {
  const out = (l = "") => process.stdout.write(l + "\n");
  const text = readFileSync(path.resolve(file), "utf8");
  const recorded = parseTranscript(text);
  const { scenario } = readScenario(pickScenario(opts.scenario, recorded));
  out(`cellmail replay: ${file} (${recorded.records.length} records) with the firmware configuration of scenario ${scenario.name}`);
  const { runSession } = await import("../runner/session.js");
  const options: RunSessionOptions & { replay: string } = {
    scenario,
    replay: text,
    onEvent: (e) => out(formatEvent(e)),
  };
  const result = await runSession(options);
  const cmp = compareCommands(commandLines(recorded), commandLines(parseTranscript(result.transcript)));
  const transcriptPath = writeOutput(opts.transcript, `replay-${stamp()}.transcript`, result.transcript);
  let reportPath: string | undefined;
  if (opts.report) reportPath = writeOutput(opts.report, "report.html", renderReport(result, { title: `cellmail replay: ${path.basename(file)}` }));
  if (opts.json) {
    out(JSON.stringify(jsonSummary(result, transcriptPath, { commandsMatched: cmp.matched, commands: cmp, ...(reportPath ? { report: reportPath } : {}) })));
  } else {
    printOutcome(result, out);
    if (cmp.matched) out(`commands: the firmware sent the same ${cmp.sent} command lines as the recording`);
    else {
      const d = cmp.firstDifference!;
      out(`commands: DIFFERENT from the recording (${cmp.recorded} recorded, ${cmp.sent} sent); first difference at command ${d.index + 1}:`);
      out(`  recorded: ${d.recorded === undefined ? "(none)" : JSON.stringify(d.recorded)}`);
      out(`  sent:     ${d.sent === undefined ? "(none)" : JSON.stringify(d.sent)}`);
    }
    out(`transcript: ${transcriptPath}`);
    if (reportPath) out(`report:     ${reportPath}`);
  }
  return result.ok && cmp.matched ? 0 : 1;
}

export function replayCommand(): Command {
  return new Command("replay")
    .description("play a recorded transcript as the module and run the firmware core against it")
    .argument("<transcript>", "a transcript file (cellmail transcript v1)")
    .option("-s, --scenario <file>", "scenario for the firmware's configuration (default: the transcript's, else happy-path)")
    .option("--json", "print one JSON summary object as the last line")
    .option("-t, --transcript <file>", "write the new run's transcript here (default: .cellmail/transcripts/)")
    .option("-r, --report <file.html>", "write a self-contained HTML report of the replayed session")
    .action(async (file: string, opts: ReplayOptions) => {
      process.exitCode = await runReplay(file, opts);
    });
}
