// The firmware under test, seen from the runner: whichever engine runs the core (this
// Node process, or real XS through the bridge), the runner raises alarms, submits mail
// jobs and reads finished job results through this one interface.
import type { Clock, Store, Uart } from "../../firmware/platform/types.js";

/** A mail job in plain data (crosses into XS as JSON). */
export interface JobSpec {
  id: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  subject: string;
  body: string;
  /** Attachment bytes as base64 so the spec stays plain JSON. */
  attachments?: { name: string; base64: string }[];
}

export interface AlarmSpec {
  key: string;
  title: string;
  text?: string;
}

/** A finished mail job, flattened from the core's MailResult (firmware/mail/outcome.ts). */
export type { JobOutcome } from "../../firmware/mail/outcome.js";
import type { JobOutcome } from "../../firmware/mail/outcome.js";

import type { CoreName } from "./compositions.js";

export interface FirmwareHost {
  readonly engine: "node" | "xs";
  /** Which core runs (host-sim/runner/cores.ts). */
  readonly core: CoreName;
  /** Raise an alarm through the alarm layer (outbox, template, limits). */
  raise(alarm: AlarmSpec): Promise<void>;
  /** Submit a job to the mailer directly. Resolves to null when accepted, else the refusal. */
  submit(job: JobSpec): Promise<{ code: number; cause: string; field: string } | null>;
  /** Jobs finished so far, in order. */
  outcomes(): JobOutcome[];
  /** Alarm outbox entries that failed for good (kept and reported, never dropped). */
  failedAlarms(): Promise<{ id: number; key: string; code: number; cause: string }[]>;
  /** Alarm mails still to send (queued, held back or in flight); failed ones are not counted. */
  pendingAlarms(): number;
  /** An orderly stop of the core (timers, engine, UART). */
  stop(): Promise<void>;
  /** The board lost power: release what runs it (a worker) without telling the core anything. */
  kill(): void;
}

export interface FirmwareStartOptions {
  uart: Uart;
  clock: Clock;
  /** The board's persistent Store (it outlives a power cut: the next core starts on it). */
  store: Store;
  /**
   * Raw configuration. The full core validates it inside the firmware, as on a board (the
   * module validate); for the compact core the host validates and flattens it
   * first (toCompact, as `cellmail config --compact` does for an Espruino board).
   */
  config: unknown;
  /** Firmware log lines (already redacted by the firmware). */
  log: (level: number, message: string) => void;
  /** Told when a job finishes (progress output). */
  onOutcome: (outcome: JobOutcome) => void;
  /**
   * The optional modules the full core composes (the composition's, compositions.ts); default:
   * every module the engine's entry holds. The compact core carries none and ignores it.
   */
  modules?: readonly string[];
  /** Compact core on Node: the framing (RunSessionOptions.framing). */
  framing?: "bytes" | "text";
}
