// Scenarios: one JSON file per situation a firmware must survive (docs/scenarios.md).
// This file defines the format, validates a parsed file (every problem reported with
// its path), turns the module section into Ec800 options, and wraps the SmtpEngine so
// that scripted outcomes (DNS failure, 535, 4xx-then-success...) replace real
// deliveries send by send. The `expect` section is checked by the scenario runner.
import type { LinkOptions } from "../uart/link.js";
import type { Ec800Options, RegistrationStep, SimState } from "../ec800/modem.js";
import { FaultPlan, type FaultSpec } from "../ec800/faults.js";
import { check } from "./schema.js";
import { SCENARIO } from "./format.js";
import type { ModuleName } from "../runner/compositions.js";
import { validateConfig } from "../../firmware/ext/validate/validate.js";
import { boardConfig } from "../runner/config.js";
import { makeProfile, type TimingProfile } from "../ec800/profile.js";
import type { Refusal } from "../mailserver/server.js";
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
  /** The radio it registers on: "gsm" hides the registration from AT+CEREG? (host-sim/ec800/modem.ts `rat`). */
  rat?: "lte" | "gsm";
  echo?: boolean;
  cmee?: 0 | 1 | 2;
  /** AT+CMEE=<n> answers ERROR and the module keeps `cmee` (a module that keeps verbose, or no, error codes). */
  refuseCmee?: boolean;
  urcPort?: "usbat" | "usbmodem" | "uart1" | "all";
  baud?: number;
  operator?: string;
  networkTimeMs?: number;
  timeZoneQuarters?: number;
  csq?: [number, number];
  ip?: string;
  /** The SIM's ICCID (AT+QCCID). */
  iccid?: string;
  /** AT+QSSLSEND=<id>'s data is echoed (default true). */
  sslSendEcho?: boolean;
  smtpSupported?: boolean;
  bootGarbage?: string;
  bootUrcOrder?: "sms-pb" | "pb-sms";
  maxLineLength?: number;
}

export type ScriptedOutcome = "deliver" | { err: number; protocolError?: number; detail?: string };

export interface ScenarioSmtp {
  /**
   * For the runner's embedded server (real deliveries): AUTH on or off, the password it
   * expects, and refusals it answers at a stage of the SMTP transaction (the module model
   * maps the real reply to +QSMTPPUT: 666-682 and the reply code).
   */
  server?: { auth?: boolean; password?: string; refusals?: Refusal[] };
  /** One entry per AT+QSMTPPUT that reaches the engine, in order; later sends deliver for real. */
  outcomes?: ScriptedOutcome[];
}

export interface ExpectedMail {
  subject?: string;
  to?: string[];
  cc?: string[];
  bcc?: string[];
  attachments?: string[];
  /** The SMTP envelope's recipients (RCPT TO), exactly this set: To, Cc and Bcc each received. */
  rcptTo?: string[];
  /**
   * "given": the decoded body equals the body the firmware was given (line ends compared as
   * CRLF: the module sends the body's bytes as they are, mail text ends lines with CRLF), and
   * each attachment's decoded bytes equal the bytes given; compared by SHA-256 digest.
   */
  content?: "given";
  /** How many copies may arrive (default exactly 1; a reboot during the send may allow 2). */
  minCount?: number;
  maxCount?: number;
}

export interface ScenarioExpect {
  delivered?: ExpectedMail[];
  /** The job must fail with this module error code (e.g. 677) or CME code, and this typed cause. */
  failure?: { code?: number; protocolError?: number; cause: string; retryable?: boolean };
  /** Module-side facts the runner can check after the run (counts from Ec800.stats / link stats). */
  module?: { reboots?: number; maxRxOverflow?: number; maxPuts?: number };
  /**
   * Alarm mails as a whole: at most `maxPerRecipientPerHour` mails to any recipient in any
   * sliding hour of virtual time; `counts`: per alarm key, the sum of the counts the mails
   * report ("(x12)" in the subject, 1 without) must equal this; `failed`: alarms kept as failed.
   */
  alarms?: { maxPerRecipientPerHour?: number; counts?: Record<string, number>; failed?: number };
  notes?: string;
}

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
   * The optional modules the scenario needs (host-sim/runner/compositions.ts): a mail with
   * attachments needs "attachments", a verified server "ca-upload" (the format refuses a
   * scenario that uses one without listing it). The runner refuses to run the scenario on
   * a composition that lacks one, naming it; the suites run it on every other composition.
   */
  needs?: ModuleName[];
  expect: ScenarioExpect;
}

/**
 * Validate a parsed scenario against the format's tables (format.ts): every problem once,
 * with its path; an unknown field anywhere is one. (`firmware.config`: configProblems.)
 */
export function validateScenario(x: unknown): string[] {
  return check(SCENARIO, x);
}

/**
 * The board configuration a scenario file gives (`firmware.config` over the runner's
 * default), checked by the firmware's validator: its problems under `firmware.config`.
 * Files are checked this way when loaded (parseScenario); a scenario built in a test may
 * carry a configuration the firmware must refuse on purpose.
 */
export function configProblems(x: Scenario): string[] {
  if ((x.firmware as { config?: unknown } | undefined)?.config === undefined) return [];
  return validateConfig(boardConfig(x, PLACEHOLDER_CA)).errors.map((e) => `firmware.config.${e.cause.indexOf(e.field + ":") === 0 ? e.cause : `${e.field}: ${e.cause}`}`);
}

/** Stands in for the embedded server's CA when a board verifies it (the real one exists only at run time). */
const PLACEHOLDER_CA = "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n";

/** Parse and validate; throws with every problem listed. */
export function parseScenario(json: string, source = "scenario"): Scenario {
  let x: unknown;
  try {
    x = JSON.parse(json);
  } catch (e) {
    throw new Error(`${source}: not JSON: ${(e as Error).message}`);
  }
  let errs = validateScenario(x);
  if (errs.length === 0) errs = configProblems(x as Scenario);
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
  const copy = ["sim", "simPin", "registration", "rat", "echo", "cmee", "refuseCmee", "urcPort", "baud", "operator", "csq", "networkTimeMs", "timeZoneQuarters", "ip", "iccid", "sslSendEcho", "smtpSupported", "bootGarbage", "bootUrcOrder", "maxLineLength"] as const;
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
