// The command table's vocabulary: a CommandSpec names a command and gives one handler
// per form (test "=?", read "?", write "=...", exec). A handler gets a Ctx, adds
// information lines, and ends with exactly one final result (ok/error/cme), possibly
// later (ctx.wait) or after a data phase (ctx.connect). Handlers never write to the
// UART themselves; the model frames and times their output.
import type { Ec800 } from "./modem.js";
import type { Arg, Form } from "./parse.js";
import type { FaultSpec } from "./faults.js";
import type { PersistentState, SessionState } from "./state.js";

export type Final =
  | { kind: "ok" }
  | { kind: "error" }
  | { kind: "cme"; code: number; numeric: boolean }
  /** The handler already produced all output itself (e.g. AT+QFUPL's numeric 421). */
  | { kind: "none" };

/** A data phase after CONNECT. Bytes are given one by one, after +++ detection. */
export interface DataMode {
  /** Recognise `+++` with its guard times as an escape. */
  plusEscape: boolean;
  /** Bytes still expected (used to decide whether held '+' bytes complete the data). */
  remaining(): number;
  /** One payload byte. */
  onByte(b: number): void;
  /** `+++` was recognised with both guard times. */
  onEscape(): void;
}

export type Handler = (ctx: Ctx) => void;

export interface CommandSpec {
  /** "+QSMTPCFG", "E", "&F", "" (bare AT). */
  name: string;
  test?: Handler;
  read?: Handler;
  write?: Handler;
  exec?: Handler;
  /** Needs a ready SIM: "cme" answers +CME ERROR 10/11/13/14; "error" answers plain ERROR (the SMTP commands, seed 4.1). */
  sim?: "cme" | "error";
}

export class Ctx {
  readonly lines: string[] = [];
  final: Final | null = null;
  /** The faults that fired for this command line (a handler may act on its own kinds, e.g. sendFail). */
  faults: FaultSpec[] = [];
  private onDone: (() => void) | null = null;

  constructor(
    readonly m: Ec800,
    readonly name: string,
    readonly form: Form,
    readonly args: Arg[],
  ) {}

  get s(): SessionState {
    return this.m.session;
  }

  get p(): PersistentState {
    return this.m.persistent;
  }

  info(...lines: string[]): void {
    this.lines.push(...lines);
  }

  ok(): void {
    this.finish({ kind: "ok" });
  }

  error(): void {
    this.finish({ kind: "error" });
  }

  /** +CME ERROR: <code>, text under CMEE=2 unless `numeric`; plain ERROR under CMEE=0. */
  cme(code: number, numeric = false): void {
    this.finish({ kind: "cme", code, numeric });
  }

  /** Output already written by the handler; just end the command. */
  none(): void {
    this.finish({ kind: "none" });
  }

  /** Run `fn` after `ms` of virtual time (cancelled if the module reboots). */
  wait(ms: number, fn: () => void): void {
    this.m.later(ms, fn);
  }

  /** Send CONNECT and enter the data phase. */
  connect(mode: DataMode): void {
    this.m.enterDataMode(mode);
  }

  whenDone(fn: () => void): void {
    this.onDone = fn;
    if (this.final) fn();
  }

  private finish(f: Final): void {
    if (this.final) throw new Error(`command ${this.name} finished twice`);
    this.final = f;
    if (this.onDone) this.onDone();
  }
}
