// Scenarios: one JSON file per situation a firmware must survive (docs/scenarios.md).
// This file defines the format, validates a parsed file (every problem reported with
// its path), turns the module section into Ec800 options, and wraps the SmtpEngine so
// that scripted outcomes (DNS failure, 535, 4xx-then-success...) replace real
// deliveries send by send. The `expect` section is checked by the scenario runner.
import type { LinkOptions } from "../uart/link.js";
import type { Ec800Options, RegistrationStep, SimState } from "../ec800/modem.js";
import { FAULT_KINDS, FaultPlan, type FaultSpec } from "../ec800/faults.js";
import { makeProfile, type TimingProfile } from "../ec800/profile.js";
import type { OutgoingMail, SmtpEngine, SmtpOutcome, SmtpSession } from "../smtp/types.js";
import { readFileSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export interface ScenarioModule {
  profile?: "typical" | "worst";
  timing?: Partial<TimingProfile>;
  sim?: SimState;
  simPin?: string;
  registration?: RegistrationStep[];
  echo?: boolean;
  cmee?: 0 | 1 | 2;
  urcPort?: "usbat" | "usbmodem" | "uart1" | "all";
  baud?: number;
  operator?: string;
  networkTimeMs?: number;
  timeZoneQuarters?: number;
  csq?: [number, number];
  ip?: string;
  smtpSupported?: boolean;
  bootGarbage?: string;
  bootUrcOrder?: "sms-pb" | "pb-sms";
  maxLineLength?: number;
}

export type ScriptedOutcome = "deliver" | { err: number; protocolError?: number; detail?: string };

export interface ScenarioSmtp {
  /** For the runner's embedded server (real deliveries). */
  server?: { auth?: boolean; tls?: boolean; user?: string; password?: string };
  /** One entry per AT+QSMTPPUT that reaches the engine, in order; later sends deliver for real. */
  outcomes?: ScriptedOutcome[];
}

export interface ExpectedMail {
  subject?: string;
  to?: string[];
  cc?: string[];
  bcc?: string[];
  attachments?: string[];
  /** How many copies may arrive (default exactly 1; a reboot during the send may allow 2). */
  minCount?: number;
  maxCount?: number;
}

export interface ScenarioExpect {
  delivered?: ExpectedMail[];
  /** The job must fail with this module error code (e.g. 677) or CME code, and this typed cause. */
  failure?: { code?: number; protocolError?: number; cause: string; retryable?: boolean };
  /** Module-side facts the runner can check after the run (counts from Ec800.stats / link stats). */
  module?: { reboots?: number; maxRxOverflow?: number };
  notes?: string;
}

/**
 * Which core a session runs: "full" (firmware/app: Moddable, Node) or "compact"
 * (firmware/compact: the Espruino profile, no attachments, no CA upload, codes only).
 */
export type ProfileName = "full" | "compact";

export const PROFILES: readonly ProfileName[] = ["full", "compact"];

export interface Scenario {
  name: string;
  description?: string;
  /** Virtual time the runner gives the firmware (ms). */
  durationMs?: number;
  module?: ScenarioModule;
  link?: LinkOptions;
  smtp?: ScenarioSmtp;
  faults?: FaultSpec[];
  /** Firmware-side configuration (server, account, recipients, the alarm to raise); runner-defined. */
  firmware?: Record<string, unknown>;
  /**
   * The profiles the scenario applies to (default: all). A scenario that needs what a
   * profile leaves out (attachments, CA upload) names the others only; the runner refuses
   * to run it on a profile not listed, and the suites skip it there.
   */
  profiles?: ProfileName[];
  /** Why `profiles` leaves a profile out (shown when a run is refused). */
  profilesNote?: string;
  /**
   * Per-profile changes to `expect` for real differences between the profiles (see
   * expectFor): each key given replaces the same key of `expect`; `delivered` and
   * `failure` are one outcome, so giving either replaces both.
   */
  expectByProfile?: Partial<Record<ProfileName, ScenarioExpect & { because?: string }>>;
  expect: ScenarioExpect;
}

/** Whether the scenario applies to the profile (`profiles` absent: every profile). */
export function appliesTo(s: Scenario, profile: ProfileName): boolean {
  return s.profiles === undefined || s.profiles.includes(profile);
}

/** The scenario's `expect` for a profile: `expectByProfile[profile]` laid over `expect`. */
export function expectFor(s: Scenario, profile: ProfileName): ScenarioExpect {
  const over = s.expectByProfile?.[profile];
  if (!over) return s.expect;
  const out: ScenarioExpect = { ...s.expect };
  if (over.delivered !== undefined || over.failure !== undefined) {
    delete out.delivered;
    delete out.failure;
  }
  for (const k of ["delivered", "failure", "module", "notes"] as const) if (over[k] !== undefined) (out as Record<string, unknown>)[k] = over[k];
  return out;
}

const SIM_STATES = ["ready", "absent", "pin", "failure"];
const URC_PORTS = ["usbat", "usbmodem", "uart1", "all"];
const CHUNK_MODES = ["byte", "fixed", "random", "all"];

/** Validate a parsed scenario. Returns a list of problems (empty when valid). */
export function validateScenario(x: unknown): string[] {
  const errs: string[] = [];
  const obj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  const num = (v: unknown, path: string, lo = 0, hi = Infinity) => {
    if (typeof v !== "number" || !(v >= lo && v <= hi)) errs.push(`${path}: expected a number in [${lo}, ${hi}]`);
  };
  const optNum = (o: Record<string, unknown>, k: string, path: string, lo = 0, hi = Infinity) => {
    if (o[k] !== undefined) num(o[k], `${path}.${k}`, lo, hi);
  };
  const oneOf = (v: unknown, list: string[], path: string) => {
    if (v !== undefined && !list.includes(v as string)) errs.push(`${path}: expected one of ${list.join(", ")}`);
  };
  if (!obj(x)) return ["scenario: expected an object"];
  if (typeof x.name !== "string" || x.name === "") errs.push("name: required string");
  const known = ["name", "description", "durationMs", "module", "link", "smtp", "faults", "firmware", "profiles", "profilesNote", "expectByProfile", "expect"];
  for (const k of Object.keys(x)) if (!known.includes(k)) errs.push(`${k}: unknown field`);
  optNum(x, "durationMs", "", 0);
  if (x.module !== undefined) {
    const m = x.module;
    if (!obj(m)) errs.push("module: expected an object");
    else {
      oneOf(m.profile, ["typical", "worst"], "module.profile");
      oneOf(m.sim, SIM_STATES, "module.sim");
      oneOf(m.urcPort, URC_PORTS, "module.urcPort");
      oneOf(m.bootUrcOrder, ["sms-pb", "pb-sms"], "module.bootUrcOrder");
      if (m.cmee !== undefined) num(m.cmee, "module.cmee", 0, 2);
      if (m.echo !== undefined && typeof m.echo !== "boolean") errs.push("module.echo: expected a boolean");
      if (m.registration !== undefined) {
        if (!Array.isArray(m.registration)) errs.push("module.registration: expected an array");
        else
          m.registration.forEach((s: unknown, i: number) => {
            if (!obj(s)) return errs.push(`module.registration[${i}]: expected an object`);
            num(s.afterMs, `module.registration[${i}].afterMs`);
            num(s.stat, `module.registration[${i}].stat`, 0, 5);
          });
      }
      if (m.timing !== undefined && !obj(m.timing)) errs.push("module.timing: expected an object");
    }
  }
  if (x.link !== undefined) {
    const l = x.link;
    if (!obj(l)) errs.push("link: expected an object");
    else {
      optNum(l, "baud", "link", 300, 4000000);
      optNum(l, "rxFifoBytes", "link", 1);
      optNum(l, "readerLatencyMs", "link");
      if (l.chunking !== undefined) {
        if (!obj(l.chunking)) errs.push("link.chunking: expected an object");
        else oneOf(l.chunking.mode, CHUNK_MODES, "link.chunking.mode");
      }
      for (const d of ["toModule", "toFirmware"]) {
        const f = l[d];
        if (f === undefined) continue;
        if (!obj(f)) errs.push(`link.${d}: expected an object`);
        else {
          optNum(f, "lossRate", `link.${d}`, 0, 1);
          optNum(f, "corruptRate", `link.${d}`, 0, 1);
        }
      }
    }
  }
  if (x.smtp !== undefined) {
    const s = x.smtp;
    if (!obj(s)) errs.push("smtp: expected an object");
    else if (s.outcomes !== undefined) {
      if (!Array.isArray(s.outcomes)) errs.push("smtp.outcomes: expected an array");
      else
        s.outcomes.forEach((o: unknown, i: number) => {
          if (o === "deliver") return;
          if (!obj(o)) return errs.push(`smtp.outcomes[${i}]: expected "deliver" or {err, protocolError}`);
          num(o.err, `smtp.outcomes[${i}].err`, 0, 999);
          if (o.protocolError !== undefined) num(o.protocolError, `smtp.outcomes[${i}].protocolError`, 0, 999);
        });
    }
  }
  if (x.faults !== undefined) {
    if (!Array.isArray(x.faults)) errs.push("faults: expected an array");
    else x.faults.forEach((f: unknown, i: number) => validateFault(f, `faults[${i}]`, errs));
  }
  const checkExpect = (e: Record<string, unknown>, path: string, partial: boolean) => {
    if (!partial && e.delivered === undefined && e.failure === undefined) errs.push(`${path}: needs \`delivered\` or \`failure\``);
    if (e.delivered !== undefined && e.failure !== undefined && partial) errs.push(`${path}: give \`delivered\` or \`failure\`, not both`);
    if (e.delivered !== undefined && !Array.isArray(e.delivered)) errs.push(`${path}.delivered: expected an array`);
    if (e.failure !== undefined && (!obj(e.failure) || typeof e.failure.cause !== "string")) errs.push(`${path}.failure: needs a \`cause\` string`);
  };
  if (!obj(x.expect)) errs.push("expect: required object");
  else checkExpect(x.expect, "expect", false);
  if (x.profiles !== undefined) {
    if (!Array.isArray(x.profiles) || x.profiles.length === 0) errs.push("profiles: expected a non-empty array");
    else x.profiles.forEach((p: unknown, i: number) => oneOf(p, PROFILES as string[], `profiles[${i}]`));
  }
  if (x.profilesNote !== undefined && typeof x.profilesNote !== "string") errs.push("profilesNote: expected a string");
  if (Array.isArray(x.profiles) && x.profiles.length < PROFILES.length && (typeof x.profilesNote !== "string" || x.profilesNote === "")) {
    errs.push("profilesNote: required string when `profiles` leaves a profile out (why it does not apply)");
  }
  if (x.expectByProfile !== undefined) {
    if (!obj(x.expectByProfile)) errs.push("expectByProfile: expected an object");
    else
      for (const [p, e] of Object.entries(x.expectByProfile)) {
        if (!(PROFILES as string[]).includes(p)) errs.push(`expectByProfile.${p}: unknown profile (expected one of ${PROFILES.join(", ")})`);
        else if (!obj(e)) errs.push(`expectByProfile.${p}: expected an object`);
        else {
          for (const k of Object.keys(e)) if (!["delivered", "failure", "module", "notes", "because"].includes(k)) errs.push(`expectByProfile.${p}.${k}: unknown field`);
          checkExpect(e, `expectByProfile.${p}`, true);
          if (typeof e.because !== "string" || e.because === "") errs.push(`expectByProfile.${p}.because: required string (why this profile differs)`);
        }
      }
  }
  return errs;
}

function validateFault(f: unknown, path: string, errs: string[]): void {
  if (typeof f !== "object" || f === null) return void errs.push(`${path}: expected an object`);
  const o = f as Record<string, unknown>;
  if (!FAULT_KINDS.includes(o.kind as (typeof FAULT_KINDS)[number])) return void errs.push(`${path}.kind: unknown fault kind "${o.kind}"`);
  const need = (k: string, type: "number" | "string") => {
    if (typeof o[k] !== type) errs.push(`${path}.${k}: required ${type} for ${o.kind}`);
  };
  switch (o.kind) {
    case "reboot":
      if (o.at === "command") need("command", "string");
      else if (o.at === "bodyData") need("afterBytes", "number");
      else if (o.at === "sendWait") need("afterMs", "number");
      else if (o.at === "time") need("atMs", "number");
      else errs.push(`${path}.at: expected command, bodyData, sendWait or time`);
      break;
    case "pdpActivationFails":
      need("times", "number");
      break;
    case "corruptUpload":
      need("byte", "number");
      break;
    case "pdpDeactDuringSend":
      need("afterMs", "number");
      break;
    case "pdpDeact":
    case "powerDown":
      need("atMs", "number");
      break;
    case "commandError":
    case "loseFinal":
      need("command", "string");
      break;
    case "lateFinal":
      need("command", "string");
      need("delayMs", "number");
      break;
    case "interleaveUrc":
      need("command", "string");
      need("text", "string");
      if (!["afterEcho", "afterInfo", "beforeFinal"].includes(o.where as string)) errs.push(`${path}.where: expected afterEcho, afterInfo or beforeFinal`);
      break;
    case "duplicateUrc":
    case "loseUrc":
      need("urc", "string");
      break;
    case "lateUrc":
      need("urc", "string");
      need("delayMs", "number");
      break;
    case "urc":
      need("atMs", "number");
      need("text", "string");
      break;
    case "readerStall":
      need("atMs", "number");
      need("forMs", "number");
      break;
  }
}

/** Parse and validate; throws with every problem listed. */
export function parseScenario(json: string, source = "scenario"): Scenario {
  const x = JSON.parse(json) as unknown;
  const errs = validateScenario(x);
  if (errs.length > 0) throw new Error(`${source}: invalid scenario:\n  ${errs.join("\n  ")}`);
  return x as Scenario;
}

export function loadScenario(path: string): Scenario {
  return parseScenario(readFileSync(path, "utf8"), path);
}

/** The example scenarios shipped in host-sim/scenarios/. */
export function bundledScenarios(): { file: string; scenario: Scenario }[] {
  const dir = dirname(fileURLToPath(import.meta.url));
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ file: join(dir, f), scenario: loadScenario(join(dir, f)) }));
}

/** Ec800 options from a scenario's module section (clock, link and smtp added by the caller). */
export function moduleOptions(s: Scenario | undefined): Partial<Ec800Options> {
  const m = s?.module ?? {};
  const out: Partial<Ec800Options> = {
    profile: makeProfile(m.profile, m.timing),
    faults: new FaultPlan(s?.faults ?? []),
  };
  const copy = ["sim", "simPin", "registration", "echo", "cmee", "urcPort", "baud", "operator", "csq", "networkTimeMs", "timeZoneQuarters", "ip", "smtpSupported", "bootGarbage", "bootUrcOrder", "maxLineLength"] as const;
  for (const k of copy) if (m[k] !== undefined) (out as Record<string, unknown>)[k] = m[k];
  return out;
}

/** An SmtpEngine that answers the first sends from a script and passes the rest on. */
export class ScriptedSmtpEngine implements SmtpEngine {
  private n = 0;
  constructor(
    private inner: SmtpEngine,
    private script: ScriptedOutcome[] = [],
  ) {}

  async deliver(session: SmtpSession, mail: OutgoingMail, timeoutMs: number): Promise<SmtpOutcome> {
    const step = this.script[this.n++];
    if (step === undefined || step === "deliver") return this.inner.deliver(session, mail, timeoutMs);
    return { err: step.err, protocolError: step.protocolError ?? 0, detail: step.detail ?? `scripted outcome ${step.err},${step.protocolError ?? 0}` };
  }
}
