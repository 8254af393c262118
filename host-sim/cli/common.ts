// Helpers shared by the CLI commands: finding a scenario (a file or a bundled name),
// parsing HOST:PORT, default output paths under `.cellmail/` in the working directory
// (git-ignored), and printing events and arrived mails the same way everywhere.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError, Option } from "commander";
import { COMPOSITION_NAMES, COMPOSITIONS, DEFAULT_COMPOSITION } from "../runner/compositions.js";
import { loadScenario, type Scenario } from "../scenarios/scenario.js";
import type { ArrivedMail, SessionEvent } from "../runner/types.js";

export const SCENARIO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../scenarios");
export const DEFAULT_SCENARIO = "alarm-demo";

/** A scenario file path, or the name of a bundled scenario (`happy-path`, `auth-failure-535`, ...). */
export function resolveScenarioPath(arg: string | undefined): string {
  const a = arg ?? DEFAULT_SCENARIO;
  if (existsSync(a)) return path.resolve(a);
  const bundled = path.join(SCENARIO_DIR, a.endsWith(".json") ? a : `${a}.json`);
  if (existsSync(bundled)) return bundled;
  throw new Error(`scenario not found: ${a} (neither a file nor a bundled scenario in ${SCENARIO_DIR})`);
}

export function readScenario(arg: string | undefined): { file: string; scenario: Scenario } {
  const file = resolveScenarioPath(arg);
  return { file, scenario: loadScenario(file) };
}

/** commander argument parser for HOST:PORT (IPv6 as [::1]:2525). */
export function parseHostPort(value: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || m[1] === "" || !(port > 0 && port < 65536)) throw new InvalidArgumentError("expected HOST:PORT, e.g. 127.0.0.1:2525");
  return { host: m[1], port };
}

export function parseIntArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

/** commander collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return previous.concat(value);
}

/** The working directory's `.cellmail/` (created on demand). */
export function workDir(...parts: string[]): string {
  const dir = path.resolve(".cellmail", ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A file-system-safe timestamp, e.g. 20260123-101502-123. */
export function stamp(d = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}-${p(d.getMilliseconds(), 3)}`;
}

/** Write text to `file` (or a default under .cellmail/transcripts), creating directories. Returns the absolute path. */
export function writeOutput(file: string | undefined, defaultName: string, text: string, sub = "transcripts"): string {
  const out = file ? path.resolve(file) : path.join(workDir(sub), defaultName);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, text);
  return out;
}

/** Virtual (or real) ms as seconds with three decimals, right-aligned. */
export function fmtTime(ms: number): string {
  return (ms / 1000).toFixed(3).padStart(10) + "s";
}

export function formatEvent(e: SessionEvent): string {
  return `${fmtTime(e.t)}  ${e.kind.padEnd(7)} ${e.text}`;
}

export function formatMail(m: ArrivedMail, i: number): string[] {
  const lines = [
    `  mail ${i + 1}: ${JSON.stringify(m.subject)}`,
    `    From:        ${m.from}`,
    `    To:          ${m.to.join(", ")}`,
  ];
  if (m.cc.length) lines.push(`    Cc:          ${m.cc.join(", ")}`);
  lines.push(`    Envelope:    ${m.envelope.from} -> ${m.envelope.rcptTo.join(", ")}`);
  lines.push(`    Size:        ${m.size} bytes`);
  lines.push(
    `    Attachments: ${m.attachments.length ? m.attachments.map((a) => `${a.name} (${a.size} bytes)`).join(", ") : "none"}`,
  );
  lines.push(`    Saved as:    ${m.eml}`);
  return lines;
}

/** Print to stdout unless quiet. */
export function printer(quiet: boolean): (line?: string) => void {
  return (line = "") => {
    if (!quiet) process.stdout.write(line + "\n");
  };
}

/**
 * `--composition espruino|moddable|node`: which composition the simulated board runs
 * (host-sim/runner/compositions.ts). `fallback` false: no default (the fleet's scenario decides).
 */
export function compositionOption(what: string, fallback = true): Option {
  const o = new Option("--composition <name>", `${what}: ${COMPOSITION_NAMES.map((n) => `${n} (${COMPOSITIONS[n].core} core)`).join(", ")}`).choices([...COMPOSITION_NAMES]);
  return fallback ? o.default(DEFAULT_COMPOSITION) : o;
}

/** The profiles' flag is gone: a hidden `--profile` that ends the command with what replaced it (exit 2). */
export function goneProfileOption(): Option {
  return new Option("--profile <profile>").hideHelp().argParser(() => {
    throw new Error("--profile is gone: use --composition espruino|moddable|node (the compact profile is espruino; the full one is moddable or node)");
  });
}
