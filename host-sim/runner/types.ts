// The scenario runner's contract: what one simulated session takes and what it
// reports. The CLI (`cellmail sim`, `replay`), the report page and the scenario test
// suite all speak this.
import type { Scenario } from "../scenarios/scenario.js";
import type { CompositionName, ModuleName } from "./compositions.js";

export type EngineName = "node" | "xs";
export type { CompositionName };

export interface SessionEvent {
  /** Virtual ms since the session started. */
  t: number;
  kind: "state" | "command" | "retry" | "result" | "note" | "mail";
  text: string;
}

export interface RunSessionOptions {
  scenario: Scenario;
  /** Where the firmware core runs: in this Node process, or inside real XS (xsnap-worker). */
  engine?: EngineName;
  /**
   * Which composition runs (host-sim/runner/compositions.ts): "node" (default), "moddable"
   * or "espruino"; its core runs on the engine. A scenario that needs a module the
   * composition does not carry is refused, naming the module, before anything starts.
   */
  composition?: CompositionName;
  /**
   * Tests: run the composition's core without these of its modules (the full core without the
   * command queue, say). A scenario that needs one of them is refused, as for a composition.
   */
  without?: readonly ModuleName[];
  /**
   * The compact core (espruino) on Node only: how received data becomes lines. "bytes" (default: what
   * XS and Node boards run, firmware/compact/frame-bytes.ts) or "text" (what Espruino runs,
   * firmware/platform/espruino/frame-text.ts, fed the module's bytes as strings as
   * Espruino's serial port delivers them: host-sim/espruino/text-port.ts).
   */
  framing?: "bytes" | "text";
  /**
   * XS only: the JavaScript stack in slots, as a Moddable manifest's `creation.stack` gives
   * it (the small-stack worker, host-sim/xs/stack-worker.ts). A deeper chain of calls ends
   * the worker ("stack overflow") and the session with it. Default: 4,096 slots.
   */
  xsStackSlots?: number;
  /** Deliver to this outside SMTP server instead of starting the embedded one. */
  smtp?: { host: string; port: number };
  /** Where the embedded server stores .eml files (default: a temp dir that is kept). */
  mailDir?: string;
  /** Progress, as it happens. */
  onEvent?: (event: SessionEvent) => void;
}

export interface ArrivedMail {
  subject: string;
  from: string;
  to: string[];
  cc: string[];
  attachments: { name: string; size: number }[];
  /** The SMTP envelope as the server received it (RCPT TO holds To, Cc and Bcc alike). */
  envelope: { from: string; rcptTo: string[] };
  size: number;
  eml: string;
}

export interface SessionResult {
  scenario: string;
  engine: EngineName;
  composition: CompositionName;
  /** Whether the scenario's `expect` held. */
  ok: boolean;
  /** Why `ok` is false (empty when ok). */
  expectFailures: string[];
  delivered: number;
  failed: number;
  mails: ArrivedMail[];
  errors: { code: number; cause: string }[];
  /** The UART transcript in the documented text format. */
  transcript: string;
  events: SessionEvent[];
  /** Virtual ms the session took. */
  virtualMs: number;
  /**
   * XS runs with `xsStackSlots` only: the deepest the firmware's JavaScript stack went in
   * any delivery, counted as the stack size counts (host-sim/xs/stack-worker.ts).
   */
  xsStackPeak?: number;
}
