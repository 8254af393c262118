// The fleet scenario format (docs/fleet.md): how many boards, which provider and account,
// which single-board scenario each board runs (module, link, faults, configuration: the
// format of docs/scenarios.md), when alarms are raised on which boards (a storm, a rolling
// outage, a steady trickle, or a list), the senders and recipients (shared or per board),
// overlays of faults for a share of the boards, and what must hold at the end. This file
// defines the format, validates a parsed file (every problem with its path) and loads the
// bundled fleet scenarios (host-sim/fleet/scenarios/).
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadScenario, parseScenario, validateScenario, type Scenario } from "../scenarios/scenario.js";
import { COMPOSITION_NAMES, isCompositionName, type CompositionName } from "../runner/compositions.js";
import { PROVIDER_NAMES, type ProviderOptions } from "../mailserver/providers/index.js";
import type { ProviderName } from "../mailserver/providers/types.js";

/** When the alarms go off. Keys are distinct per raise (`<key>-1`, `<key>-2`, ...) unless `sameKey`. */
export type AlarmPattern =
  /** Every board raises `perBoard` alarms, the first at a random time within `withinMs`, the next `gapMs` apart. */
  | { pattern: "storm"; withinMs: number; perBoard?: number; gapMs?: number }
  /** An outage moving across the region: `groups` groups of boards (in board order), group g starting at g * `stepMs`, each board within `withinMs` of its group's start. */
  | { pattern: "rolling"; groups: number; stepMs: number; withinMs: number; perBoard?: number; gapMs?: number }
  /** Each board raises `perBoard` alarms at random times within `overMs`. */
  | { pattern: "trickle"; overMs: number; perBoard: number }
  /** Exactly these raises. */
  | { pattern: "list"; raises: { board: number; atMs: number; key?: string; title?: string }[] };

export type AddressPlan =
  /** One address for every board. */
  | "shared"
  /** One per board. */
  | "per-board"
  /** `count` addresses, boards take them in turn. */
  | { pool: number };

/** Changes laid over the board scenario for a share of the boards (bad coverage, a flaky link). */
export interface FleetOverlay {
  /** Fraction of the boards (0..1), chosen with the fleet's seed. */
  share: number;
  /** What it models, for the summary. */
  label?: string;
  module?: Scenario["module"];
  link?: Scenario["link"];
  faults?: Scenario["faults"];
}

export interface FleetExpect {
  /** Alarms neither delivered nor kept by their board: must be at most this (default 0). */
  maxLost?: number;
  /** Mails that arrived twice (the same board and mail id): at most this (default 0). */
  maxDuplicates?: number;
  /** Alarms still queued at the end: at most this (default 0: the run ends when all are out). */
  maxQueued?: number;
  /** Alarms kept as failed by their boards: at most this (default 0). */
  maxFailed?: number;
  /** Each board's mails arrive in the order it raised the alarms (default true). */
  inOrder?: boolean;
  /** Refusals per delivered mail: at most this. */
  maxRefusalsPerDelivered?: number;
  notes?: string;
}

export interface FleetScenario {
  name: string;
  description?: string;
  boards: number;
  /** Seeds every random choice of the fleet (alarm times, overlays, skews). Default 1. */
  seed?: number;
  provider: ProviderName | ({ name: ProviderName } & ProviderOptions);
  /** Which composition every board runs (host-sim/runner/compositions.ts; Node engine). Default node. */
  composition?: CompositionName;
  /** The single-board scenario each board runs: a bundled name (`alarm-demo`), a path relative to this file, or the scenario itself. */
  board: string | Scenario;
  /** Board names `<prefix>-001`... Default "board". */
  namePrefix?: string;
  senders?: AddressPlan;
  /** With per-board or pooled senders: addresses per mail domain (Tencent allows 10). Default: the provider's limit, else all in one. */
  sendersPerDomain?: number;
  recipients?: AddressPlan;
  alarms: AlarmPattern & { key?: string; title?: string; sameKey?: boolean };
  /** Boards power on at random times within this (default 0: all at once). */
  powerOnWithinMs?: number;
  /** Each board's clock (and its module's network time) is off by a random amount up to this. Default 0. */
  clockSkewMs?: number;
  overlays?: FleetOverlay[];
  /** Virtual time the fleet may take (default 24 h). */
  durationMs?: number;
  expect?: FleetExpect;
}

const HERE = dirname(fileURLToPath(import.meta.url));
export const FLEET_SCENARIO_DIR = join(HERE, "scenarios");

/** Every problem of a parsed fleet scenario, with its path (empty when valid). */
export function validateFleetScenario(x: unknown): string[] {
  const errs: string[] = [];
  const obj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  const num = (v: unknown, path: string, lo = 0, hi = Infinity, int = false) => {
    if (typeof v !== "number" || !(v >= lo && v <= hi) || (int && !Number.isInteger(v))) errs.push(`${path}: expected ${int ? "an integer" : "a number"} in [${lo}, ${hi}]`);
  };
  const opt = (o: Record<string, unknown>, k: string, path: string, lo = 0, hi = Infinity, int = false) => {
    if (o[k] !== undefined) num(o[k], `${path}${path ? "." : ""}${k}`, lo, hi, int);
  };
  if (!obj(x)) return ["fleet scenario: expected an object"];
  const known = ["name", "description", "boards", "seed", "provider", "composition", "board", "namePrefix", "senders", "sendersPerDomain", "recipients", "alarms", "powerOnWithinMs", "clockSkewMs", "overlays", "durationMs", "expect"];
  for (const k of Object.keys(x)) if (!known.includes(k)) errs.push(`${k}: unknown field`);
  if (typeof x.name !== "string" || x.name === "") errs.push("name: required string");
  num(x.boards, "boards", 1, 100_000, true);
  opt(x, "seed", "", 0, 2 ** 32, true);
  const p = x.provider;
  const pname = obj(p) ? p.name : p;
  if (!PROVIDER_NAMES.includes(pname as ProviderName)) errs.push(`provider: expected one of ${PROVIDER_NAMES.join(", ")} (or {"name": ..., limits})`);
  if (obj(p)) {
    for (const k of Object.keys(p)) if (!["name", "callsPerSecond", "perSenderRecipientPerHour", "maxSendRate", "dailyQuota"].includes(k)) errs.push(`provider.${k}: unknown field`);
    for (const k of ["callsPerSecond", "perSenderRecipientPerHour", "maxSendRate", "dailyQuota"]) opt(p, k, "provider", 1, 1e9, true);
  }
  if (x.composition !== undefined && !isCompositionName(x.composition)) errs.push(`composition: expected one of ${COMPOSITION_NAMES.join(", ")}`);
  if (x.profile !== undefined) errs.push(`profile: profiles are gone: give "composition" (${COMPOSITION_NAMES.join(", ")})`);
  if (typeof x.board === "string") {
    if (x.board === "") errs.push("board: expected a scenario name, a path or an object");
  } else if (obj(x.board)) {
    for (const e of validateScenario(x.board)) errs.push(`board.${e}`);
  } else errs.push("board: expected a scenario name, a path or an object");
  if (x.namePrefix !== undefined && (typeof x.namePrefix !== "string" || !/^[A-Za-z0-9-]{1,30}$/.test(x.namePrefix))) errs.push("namePrefix: 1-30 letters, digits or '-'");
  const plan = (v: unknown, path: string) => {
    if (v === undefined || v === "shared" || v === "per-board") return;
    if (obj(v) && Object.keys(v).length === 1) return num(v.pool, `${path}.pool`, 1, 100_000, true);
    errs.push(`${path}: expected "shared", "per-board" or {"pool": N}`);
  };
  plan(x.senders, "senders");
  plan(x.recipients, "recipients");
  opt(x, "sendersPerDomain", "", 1, 100_000, true);
  const a = x.alarms;
  if (!obj(a)) errs.push("alarms: required object");
  else {
    if (a.key !== undefined && (typeof a.key !== "string" || !/^[\x21-\x7e]{1,24}$/.test(a.key) || a.key.includes("/"))) errs.push("alarms.key: 1-24 printable ASCII characters, no '/'");
    if (a.title !== undefined && (typeof a.title !== "string" || a.title === "")) errs.push("alarms.title: expected a non-empty string");
    if (a.sameKey !== undefined && typeof a.sameKey !== "boolean") errs.push("alarms.sameKey: expected a boolean");
    const repeats = () => {
      opt(a, "perBoard", "alarms", 1, 100, true);
      opt(a, "gapMs", "alarms", 0);
    };
    switch (a.pattern) {
      case "storm":
        num(a.withinMs, "alarms.withinMs", 0);
        repeats();
        break;
      case "rolling":
        num(a.groups, "alarms.groups", 1, 100_000, true);
        num(a.stepMs, "alarms.stepMs", 0);
        num(a.withinMs, "alarms.withinMs", 0);
        repeats();
        break;
      case "trickle":
        num(a.overMs, "alarms.overMs", 1);
        num(a.perBoard, "alarms.perBoard", 1, 100, true);
        break;
      case "list":
        if (!Array.isArray(a.raises) || a.raises.length === 0) errs.push("alarms.raises: expected a non-empty array");
        else
          a.raises.forEach((r: unknown, i: number) => {
            if (!obj(r)) return errs.push(`alarms.raises[${i}]: expected an object`);
            num(r.board, `alarms.raises[${i}].board`, 0, typeof x.boards === "number" ? x.boards - 1 : Infinity, true);
            num(r.atMs, `alarms.raises[${i}].atMs`, 0);
          });
        break;
      default:
        errs.push("alarms.pattern: expected storm, rolling, trickle or list");
    }
  }
  opt(x, "powerOnWithinMs", "", 0);
  opt(x, "clockSkewMs", "", 0);
  opt(x, "durationMs", "", 1);
  if (x.overlays !== undefined) {
    if (!Array.isArray(x.overlays)) errs.push("overlays: expected an array");
    else
      x.overlays.forEach((o: unknown, i: number) => {
        const path = `overlays[${i}]`;
        if (!obj(o)) return errs.push(`${path}: expected an object`);
        for (const k of Object.keys(o)) if (!["share", "label", "module", "link", "faults"].includes(k)) errs.push(`${path}.${k}: unknown field`);
        num(o.share, `${path}.share`, 0, 1);
        // The overlay is checked as a scenario of its own (same sections, same rules).
        const asScenario = { name: "overlay", expect: { delivered: [] }, module: o.module, link: o.link, faults: o.faults };
        for (const e of validateScenario(asScenario)) errs.push(`${path}.${e}`);
      });
  }
  if (x.expect !== undefined) {
    const e = x.expect;
    if (!obj(e)) errs.push("expect: expected an object");
    else {
      for (const k of Object.keys(e)) if (!["maxLost", "maxDuplicates", "maxQueued", "maxFailed", "inOrder", "maxRefusalsPerDelivered", "notes"].includes(k)) errs.push(`expect.${k}: unknown field`);
      for (const k of ["maxLost", "maxDuplicates", "maxQueued", "maxFailed", "maxRefusalsPerDelivered"]) opt(e, k, "expect", 0);
      if (e.inOrder !== undefined && typeof e.inOrder !== "boolean") errs.push("expect.inOrder: expected a boolean");
    }
  }
  return errs;
}

/** Parse and validate; throws with every problem listed. */
export function parseFleetScenario(json: string, source = "fleet scenario"): FleetScenario {
  const x = JSON.parse(json) as unknown;
  const errs = validateFleetScenario(x);
  if (errs.length > 0) throw new Error(`${source}: invalid fleet scenario:\n  ${errs.join("\n  ")}`);
  return x as FleetScenario;
}

export function loadFleetScenario(path: string): FleetScenario {
  return parseFleetScenario(readFileSync(path, "utf8"), path);
}

/** A fleet scenario file, or the name of a bundled one (`tencent-storm`, ...). */
export function resolveFleetScenario(arg: string): string {
  if (existsSync(arg)) return resolve(arg);
  const bundled = join(FLEET_SCENARIO_DIR, arg.endsWith(".json") ? arg : `${arg}.json`);
  if (existsSync(bundled)) return bundled;
  throw new Error(`fleet scenario not found: ${arg} (neither a file nor a bundled fleet scenario in ${FLEET_SCENARIO_DIR})`);
}

/** The bundled fleet scenarios. */
export function bundledFleetScenarios(): { file: string; scenario: FleetScenario }[] {
  return readdirSync(FLEET_SCENARIO_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ file: join(FLEET_SCENARIO_DIR, f), scenario: loadFleetScenario(join(FLEET_SCENARIO_DIR, f)) }));
}

/** The single-board scenario the boards run: inline, a bundled name, or a file (relative to `from`). */
export function boardScenario(f: FleetScenario, from = FLEET_SCENARIO_DIR): Scenario {
  if (typeof f.board !== "string") return parseScenario(JSON.stringify(f.board), `${f.name}: board`);
  const local = resolve(from, f.board);
  if (existsSync(local) && local.endsWith(".json")) return loadScenario(local);
  const bundled = join(HERE, "..", "scenarios", f.board.endsWith(".json") ? f.board : `${f.board}.json`);
  if (existsSync(bundled)) return loadScenario(bundled);
  throw new Error(`${f.name}: board scenario not found: ${f.board}`);
}

export function providerOf(f: FleetScenario): { name: ProviderName; options: ProviderOptions } {
  if (typeof f.provider === "string") return { name: f.provider, options: {} };
  const { name, ...options } = f.provider;
  return { name, options };
}
