// Runs the compact core (firmware/compact, what the Espruino target starts) in
// this Node process against the simulated module: `createCompactApp({...})` with an
// in-memory Store, exactly as firmware/targets/espruino/main.ts composes it, minus the
// Espruino adapters. The configuration is validated and flattened here on the host
// (toCompact), as `cellmail config --compact` does before it is written to a board.
//
// The compact core reports codes only (CompactOutcome); this file turns them into the
// runner's JobOutcome with a cause text from the host-side tables (describeCode), so
// expectations, events and the CLI read the same for every composition. The XS bridge's
// host half (host-sim/xs/firmware.ts) uses the same conversions, so a Node run and an
// XS run of the compact core report identically.
import type { OutboxOutcome } from "../../firmware/alarm/types.js";
import type { FailedAlarm } from "../../firmware/alarm/outbox.js";
import { createCompactApp, type CompactApp } from "../../firmware/compact/app.js";
import { createByteFraming } from "../../firmware/compact/frame-bytes.js";
import { createTextFraming } from "../../firmware/platform/espruino/frame-text.js";
import { textPort } from "../espruino/text-port.js";
import type { DeviceConfig } from "../../firmware/config/device.js";
import type { CompactMail, CompactOutcome } from "../../firmware/compact/types.js";
import { toCompact } from "../config/compact.js";
import {
  E_ADDRESS, E_ATTACHMENTS, E_BODY_LENGTH, E_CONFIG, E_FIELD_EMPTY, E_FIELD_TOO_LONG, E_RECIPIENTS, E_SUBJECT, E_UNSAFE_CHAR, KIND_CONFIG,
} from "../../firmware/errors.js";
import type { AlarmSpec, FirmwareHost, FirmwareStartOptions, JobOutcome, JobSpec } from "./firmware.js";
import type { Store } from "../../firmware/platform/types.js";
import { describeCode } from "./causes.js";

export type Refusal = { code: number; cause: string; field: string };

/** A configuration the compact core refuses: an Error that lists every problem with its field. */
export interface CompactConfigError extends Error {
  kind: number;
  code: number;
  field: string;
  errors: { field: string; cause: string }[];
}

/** The raw configuration validated and flattened for the compact core; throws a CompactConfigError. */
export function compactConfigOf(raw: unknown): DeviceConfig {
  const r = toCompact(raw);
  if (r.config !== null) return r.config;
  const e = new Error(`invalid configuration for the compact core (espruino composition): ${r.errors.map((x) => x.cause).join("; ")}`) as CompactConfigError;
  e.kind = KIND_CONFIG;
  e.code = E_CONFIG;
  e.field = r.errors[0]?.field ?? "";
  e.errors = r.errors;
  throw e;
}

/** The field a refusal code of CompactMailer.send points at (the compact core names none). */
function fieldOf(code: number): string {
  if (code === E_SUBJECT) return "subject";
  if (code === E_BODY_LENGTH) return "body";
  if (code === E_ATTACHMENTS) return "attachments";
  if (code === E_RECIPIENTS || code === E_ADDRESS || code === E_UNSAFE_CHAR || code === E_FIELD_TOO_LONG || code === E_FIELD_EMPTY) return "recipients";
  return "";
}

/** A refusal with its cause text and field, from the code alone. */
export function compactRefusal(code: number): Refusal {
  return { code, cause: describeCode(code, 0), field: fieldOf(code) };
}

/**
 * What the compact core refuses before the job reaches its core: attachments (it has
 * no file upload). Null when the job can go to CompactMailer.send.
 */
export function compactPreCheck(job: JobSpec): Refusal | null {
  if (job.attachments && job.attachments.length > 0) {
    return { code: E_ATTACHMENTS, cause: "the espruino composition sends no attachments (it carries no attachments module: use moddable or node)", field: "attachments" };
  }
  return null;
}

/** The job as the compact mailer takes it. */
export function compactMail(job: JobSpec): CompactMail {
  return { to: job.to, cc: job.cc ?? [], bcc: job.bcc ?? [], subject: job.subject, body: job.body };
}

/**
 * A CompactOutcome as the runner's JobOutcome. `attempts` counts runs of the mail's script
 * (1 + recovery steps); `startedAt` is when the host submitted the job (-1 for alarm
 * mails, whose start only the outbox knows); `firstPutAt` is not reported (-1).
 */
export function compactJobOutcome(id: string, o: OutboxOutcome & Partial<CompactOutcome>, startedAt: number, finishedAt: number): JobOutcome {
  return {
    id,
    delivered: o.delivered,
    code: o.code,
    proto: o.proto,
    kind: o.kind,
    cause: o.delivered ? "" : describeCode(o.code, o.proto),
    attempts: (o.recoveries || 0) + 1, // an outcome the outbox made (no answer within the hour) has no counts
    commands: o.commands || 0,
    startedAt,
    firstPutAt: -1,
    finishedAt,
    smtpRoundTrips: 0, // the compact core sends through the module's engine only
  };
}

/** Failed outbox entries with cause texts. */
export function compactFailed(list: FailedAlarm[]): FailedAlarm[] {
  return list.map((e) => ({ id: e.id, key: e.key, code: e.code, cause: e.cause || describeCode(e.code, 0) }));
}

export class CompactFirmware implements FirmwareHost {
  readonly engine = "node" as const;
  readonly core = "compact" as const;
  readonly app: CompactApp;
  /** The board's flash (the fleet reads what is left in the outbox from here). */
  readonly store: Store;
  private done: JobOutcome[] = [];
  private o: FirmwareStartOptions;

  constructor(o: FirmwareStartOptions) {
    this.store = o.store;
    this.o = o;
    const config = compactConfigOf(o.config);
    this.app = createCompactApp({
      framing: o.framing === "text" ? createTextFraming(textPort(o.uart)) : createByteFraming(o.uart),
      clock: o.clock,
      store: this.store,
      log: o.log,
      config,
      onSent: (id, r) => this.finished(compactJobOutcome(`a${id}`, r, -1, o.clock.now())),
    });
    if (this.app.error) throw compactRefusedError(this.app.error);
    this.app.start();
  }

  private finished(out: JobOutcome): void {
    this.done.push(out);
    this.o.onOutcome(out);
  }

  async raise(alarm: AlarmSpec): Promise<void> {
    this.app.raise(alarm.key, alarm.title, alarm.text);
  }

  async submit(job: JobSpec): Promise<Refusal | null> {
    const pre = compactPreCheck(job);
    if (pre) return pre;
    const startedAt = this.o.clock.now();
    const code = this.app.mailer!.send(compactMail(job), (r) => this.finished(compactJobOutcome(job.id, r, startedAt, this.o.clock.now())));
    return code ? compactRefusal(code) : null;
  }

  outcomes(): JobOutcome[] {
    return this.done.slice();
  }

  async failedAlarms(): Promise<{ id: number; key: string; code: number; cause: string }[]> {
    return compactFailed(this.app.outbox!.failed());
  }

  pendingAlarms(): number {
    return this.app.outbox!.queued();
  }

  async stop(): Promise<void> {
    this.app.stop();
  }

  kill(): void {}
}

/** The compact core refused a configuration that toCompact accepted (format or check mismatch). */
export function compactRefusedError(code: number): Error {
  return new Error(`the compact core refused its configuration (error ${code}: ${describeCode(code, 0)})`);
}
