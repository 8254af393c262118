// A small Node driver for Moddable's XS engine as built by `@agoric/xsnap@0.15.0`
// (the `xsnap-worker` binary, XS 13.3). We deliberately do not import the package's
// Node API: it needs `@endo/init`, which locks down the whole Node realm. The worker
// is just a child process that speaks netstrings on two extra file descriptors:
//
//   fd 3 (host -> worker):  `e<script>`   evaluate a script (global, sloppy; not a module)
//                           `?<bytes>`    call the script's global `handleCommand(ArrayBuffer)`
//                           `/<bytes>`    the host's answer to one `issueCommand`
//                           `q`           quit
//   fd 4 (worker -> host):  `.<meter>\x01<bytes>`  delivery done; `<bytes>` is the result when
//                                                  it (or its `.result`) is an ArrayBuffer
//                           `!<text>`              uncaught exception in the delivery
//                           `?<bytes>`             the script called `issueCommand(ArrayBuffer)`
//                                                  and blocks until the host answers with `/`
//
// The meter is JSON: `compute` (metered steps of that delivery, deterministic),
// `currentHeapCount` (slots in use at the end of it; call `gc()` first to see live
// slots), `allocate` (bytes XS obtained from the OS, only grows), `timestamps`, and from
// the small-stack worker (stack-worker.ts) `stackPeak` (the delivery's deepest stack slot).
// Source: node_modules/@agoric/xsnap/src/xsnap.js and
// xsnap-native/xsnap/sources/xsnap-worker.c (fxWriteOkay, xs_issueCommand).
//
// Script-side globals: print, gc, issueCommand, harden, performance.now,
// setImmediate; no setTimeout, no console.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Readable, Writable } from "node:stream";
import { stackArgs, stackWorkerPath } from "./stack-worker.js";

export interface XsMeter {
  /** Metered steps (bytecodes and built-in work) of this delivery. Deterministic. */
  compute: number;
  /** Slots in use when the delivery ended (live slots if the delivery called gc() last). */
  currentHeapCount: number;
  /** Bytes XS has obtained from the OS so far (cumulative, coarse). */
  allocate: number;
  timestamps: number[];
  /**
   * The small-stack worker only (stack-worker.ts): the deepest the JavaScript stack went
   * during the delivery, in slots from its top, counted like `--stack`; -1 otherwise.
   */
  stackPeak: number;
}

export interface XsEvaluation {
  meter: XsMeter;
  /** The completion value's bytes when it is an ArrayBuffer, else empty. */
  result: Uint8Array;
}

export interface XsCommandResult {
  meter: XsMeter;
  /** What handleCommand returned (an ArrayBuffer, or `{ result: ArrayBuffer }`), else empty. */
  reply: Uint8Array;
}

/** Answers one issueCommand from the script. Returning nothing answers with no bytes. */
export type XsIssueHandler = (
  bytes: Uint8Array,
) => Uint8Array | string | void | Promise<Uint8Array | string | void>;

export interface XsWorkerOptions {
  /** Name shown in errors (and passed as argv[1]). */
  name?: string;
  /** Compute limit per delivery; 0 (default) means unlimited, meters are still reported. */
  meteringLimit?: number;
  /** XS parser buffer in KB (the worker's default is 8192). */
  parserBufferSizeKB?: number;
  /** Called with each piece of the worker's stdout (what `print` writes) and stderr. */
  onOutput?: (text: string, stream: "stdout" | "stderr") => void;
  /** The JavaScript stack in slots (the small-stack worker, stack-worker.ts); default 4,096. */
  stackSlots?: number;
  /** Override the binary (default: resolved from @agoric/xsnap, release build). */
  binary?: string;
}

const DOT = 0x2e; // '.'
const BANG = 0x21; // '!'
const QUERY = 0x3f; // '?'
const SEPARATOR = 0x01;
const COLON = 0x3a;
const COMMA = 0x2c;

export const EXIT_CODES: Record<number, string> = {
  1: "bad argument usage",
  2: "I/O error",
  11: "not enough memory",
  12: "stack overflow",
  15: "unhandled exception",
  16: "property (key) name space exhausted",
  17: "too much computation",
};

/** Path of the release `xsnap-worker` built by the installed @agoric/xsnap package. */
export function xsnapWorkerPath(): string {
  const platform = process.platform === "linux" ? "lin" : process.platform === "darwin" ? "mac" : null;
  if (!platform) throw new Error(`xsnap-worker is not built for platform ${process.platform}`);
  const tail = join("xsnap-native", "xsnap", "build", "bin", platform, "release", "xsnap-worker");
  const candidates: string[] = [];
  try {
    const require = createRequire(import.meta.url);
    // package.json is not exported by every package; api.js is the package's own entry too.
    let pkgDir: string;
    try {
      pkgDir = dirname(require.resolve("@agoric/xsnap/package.json"));
    } catch {
      pkgDir = dirname(dirname(require.resolve("@agoric/xsnap")));
    }
    candidates.push(join(pkgDir, tail));
  } catch {
    // fall through to the directory walk
  }
  // Walk up from this file to find node_modules/@agoric/xsnap.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    candidates.push(join(dir, "node_modules", "@agoric", "xsnap", tail));
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  for (const c of candidates) if (existsSync(c)) return c;
  throw new Error(
    `xsnap-worker not found (is @agoric/xsnap@0.15.0 installed and its postinstall build run?). Looked in:\n  ${candidates.join("\n  ")}`,
  );
}

function parseMeter(bytes: Uint8Array): XsMeter {
  const m = JSON.parse(Buffer.from(bytes).toString("utf8"));
  return {
    compute: Number(m.compute),
    currentHeapCount: Number(m.currentHeapCount),
    allocate: Number(m.allocate),
    timestamps: Array.isArray(m.timestamps) ? m.timestamps : [],
    stackPeak: m.stackPeak === undefined ? -1 : Number(m.stackPeak),
  };
}

function toBytes(data: Uint8Array | ArrayBuffer | string | void): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  if (typeof data === "string") return new Uint8Array(Buffer.from(data, "utf8"));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

interface Pending {
  resolve: (v: { meter: XsMeter; bytes: Uint8Array }) => void;
  reject: (e: Error) => void;
}

export class XsWorker {
  private readonly child: ChildProcess;
  private readonly toWorker: Writable;
  private readonly name: string;
  private inbuf: Buffer = Buffer.alloc(0);
  private pending: Pending | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private issueHandler: XsIssueHandler | null = null;
  private exitError: Error | null = null;
  private readonly exited: Promise<void>;
  private closing = false;
  private stderrText = "";

  private constructor(child: ChildProcess, name: string, onOutput?: XsWorkerOptions["onOutput"]) {
    this.child = child;
    this.name = name;
    const stdio = child.stdio as unknown as [null, Readable, Readable, Writable, Readable];
    this.toWorker = stdio[3];
    const fromWorker = stdio[4];
    fromWorker.on("data", (chunk: Buffer) => this.onData(chunk));
    stdio[1].on("data", (b: Buffer) => onOutput?.(b.toString("utf8"), "stdout"));
    stdio[2].on("data", (b: Buffer) => {
      const text = b.toString("utf8");
      this.stderrText = (this.stderrText + text).slice(-4000);
      onOutput?.(text, "stderr");
    });
    // Writes after the worker died fail with EPIPE; the exit handler reports the cause.
    this.toWorker.on("error", () => {});
    fromWorker.on("error", () => {});
    this.exited = new Promise<void>((resolve) => {
      child.once("exit", (code, signal) => {
        if (!(this.closing && (code === 0 || signal !== null))) {
          const why =
            signal !== null
              ? `signal ${signal}`
              : `code ${code}${code !== null && EXIT_CODES[code] ? ` (${EXIT_CODES[code]})` : ""}`;
          const tail = this.stderrText.trim() ? `: ${this.stderrText.trim()}` : "";
          this.exitError = new Error(`xsnap-worker ${this.name} exited with ${why}${tail}`);
        } else {
          this.exitError = new Error(`xsnap-worker ${this.name} closed`);
        }
        const p = this.pending;
        this.pending = null;
        p?.reject(this.exitError);
        resolve();
      });
    });
  }

  /** Spawn a fresh XS machine. */
  static async start(options: XsWorkerOptions = {}): Promise<XsWorker> {
    const name = options.name ?? "cellmail-xs";
    if (name.startsWith("-")) throw new Error("worker name cannot start with '-'");
    const bin = options.binary ?? (options.stackSlots !== undefined ? stackWorkerPath() : xsnapWorkerPath());
    const args = [name];
    if (options.meteringLimit) args.push("-l", String(options.meteringLimit));
    if (options.parserBufferSizeKB) args.push("-s", String(options.parserBufferSizeKB));
    if (options.stackSlots !== undefined) args.push(...stackArgs(options.stackSlots));
    const child = spawn(bin, args, {
      stdio: ["ignore", "pipe", "pipe", "pipe", "pipe"],
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", () => resolve());
      child.once("error", (e) => reject(e));
    });
    return new XsWorker(child, name, options.onOutput);
  }

  /** Answer the script's issueCommand calls (one handler; a later call replaces it). */
  onIssue(handler: XsIssueHandler | null): void {
    this.issueHandler = handler;
  }

  /** Evaluate a script in the global scope (indirect eval). */
  async evaluate(script: string): Promise<XsEvaluation> {
    const r = await this.deliver(Buffer.concat([Buffer.from("e"), Buffer.from(script, "utf8")]));
    return { meter: r.meter, result: r.bytes };
  }

  /** Call the script's global handleCommand with these bytes (as an ArrayBuffer). */
  async command(bytes: Uint8Array | string): Promise<XsCommandResult> {
    const r = await this.deliver(Buffer.concat([Buffer.from("?"), toBytes(bytes)]));
    return { meter: r.meter, reply: r.bytes };
  }

  /** Ask the worker to quit and wait for it; kills it if it does not go within 2 s. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.closing = true;
    try {
      this.toWorker.write(netstring(Buffer.from("q")));
      this.toWorker.end();
    } catch {
      // already gone
    }
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 2000);
    await this.exited;
    clearTimeout(timer);
  }

  /** The child's process id (for diagnostics). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  private deliver(message: Buffer): Promise<{ meter: XsMeter; bytes: Uint8Array }> {
    const run = () =>
      new Promise<{ meter: XsMeter; bytes: Uint8Array }>((resolve, reject) => {
        if (this.exitError) {
          reject(this.exitError);
          return;
        }
        this.pending = { resolve, reject };
        this.toWorker.write(netstring(message));
      });
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => undefined);
    return result;
  }

  private onData(chunk: Buffer): void {
    this.inbuf = this.inbuf.length ? Buffer.concat([this.inbuf, chunk]) : chunk;
    for (;;) {
      const colon = this.inbuf.indexOf(COLON);
      if (colon < 0) return;
      const len = Number(this.inbuf.subarray(0, colon).toString("latin1"));
      if (!Number.isInteger(len) || len < 0) {
        this.protocolError(`bad netstring length ${JSON.stringify(this.inbuf.subarray(0, colon).toString("latin1"))}`);
        return;
      }
      const end = colon + 1 + len;
      if (this.inbuf.length < end + 1) return;
      if (this.inbuf[end] !== COMMA) {
        this.protocolError("netstring without trailing comma");
        return;
      }
      const msg = this.inbuf.subarray(colon + 1, end);
      this.inbuf = this.inbuf.subarray(end + 1);
      this.onMessage(msg);
    }
  }

  private onMessage(msg: Buffer): void {
    if (msg.length === 0) {
      this.protocolError("empty message");
      return;
    }
    const kind = msg[0];
    if (kind === QUERY) {
      void this.answerIssue(new Uint8Array(msg.subarray(1)));
      return;
    }
    const p = this.pending;
    this.pending = null;
    if (!p) {
      this.protocolError(`unexpected message ${String.fromCharCode(kind)} with nothing pending`);
      return;
    }
    if (kind === DOT) {
      const sep = msg.indexOf(SEPARATOR, 1);
      if (sep < 0) {
        // isReady-style reply without meters.
        p.resolve({ meter: { compute: 0, currentHeapCount: 0, allocate: 0, timestamps: [], stackPeak: -1 }, bytes: new Uint8Array(msg.subarray(1)) });
        return;
      }
      try {
        p.resolve({ meter: parseMeter(msg.subarray(1, sep)), bytes: new Uint8Array(msg.subarray(sep + 1)) });
      } catch (e) {
        p.reject(new Error(`xsnap-worker ${this.name}: unreadable meter: ${(e as Error).message}`));
      }
    } else if (kind === BANG) {
      p.reject(new Error(`Uncaught exception in XS (${this.name}): ${msg.subarray(1).toString("utf8")}`));
    } else {
      this.protocolError(`unknown message kind ${JSON.stringify(String.fromCharCode(kind))}`);
    }
  }

  private async answerIssue(bytes: Uint8Array): Promise<void> {
    let answer: Uint8Array;
    try {
      answer = toBytes(this.issueHandler ? await this.issueHandler(bytes) : undefined);
    } catch (e) {
      // The script is blocked waiting for an answer; an empty one keeps the protocol alive,
      // and the failure is reported through the delivery in flight.
      const p = this.pending;
      this.pending = null;
      p?.reject(e instanceof Error ? e : new Error(String(e)));
      this.child.kill("SIGKILL");
      return;
    }
    this.toWorker.write(netstring(Buffer.concat([Buffer.from("/"), answer])));
  }

  private protocolError(what: string): void {
    const err = new Error(`xsnap-worker ${this.name} protocol error: ${what}`);
    const p = this.pending;
    this.pending = null;
    this.exitError = err;
    p?.reject(err);
    this.child.kill("SIGKILL");
  }
}

function netstring(payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${payload.length}:`, "latin1"), payload, Buffer.from(",")]);
}
