// A synchronous driver for the `xsnap-worker` binary (the same one XsWorker drives; see
// worker.ts for the netstring protocol). Every call blocks this thread until XS has
// answered, and the script's `issueCommand` calls are answered inline by a synchronous
// handler. The XS bridge (firmware.ts) uses it so that a call into the firmware in XS
// behaves exactly like a call into the firmware in Node: the simulator's UART link
// hands bytes to a sink and, when the call returns, the firmware has reacted (written,
// armed timers) — no promise, no event-loop turn in between, hence the same order of
// events and the same virtual timestamps as the Node run.
//
// How: fds 3 and 4 of the worker are named FIFOs that this process opens with plain
// blocking file descriptors (fs.readSync/fs.writeSync). This process holds no write end
// of the worker's output FIFO, so a dying worker shows as end-of-file, never as a hang.
// The worker's stdout and stderr (XS `print`, crash reports) go to a temporary file that
// is quoted in errors.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT_CODES, xsnapWorkerPath, type XsMeter } from "./worker.js";
import { stackArgs, stackWorkerPath } from "./stack-worker.js";

/** Answers one issueCommand synchronously; nothing means an empty answer. */
export type SyncIssueHandler = (bytes: Uint8Array) => Uint8Array | void;

export interface SyncXsWorkerOptions {
  name?: string;
  /** Compute limit per delivery; 0 (default) means unlimited. */
  meteringLimit?: number;
  /**
   * The JavaScript stack in slots, as a Moddable manifest's `creation.stack` gives it: runs
   * the small-stack worker (stack-worker.ts). Default: the package's worker, 4,096 slots.
   */
  stackSlots?: number;
  binary?: string;
}

export interface SyncXsResult {
  meter: XsMeter;
  /** The delivery's ArrayBuffer result (or `.result`), else empty. */
  reply: Uint8Array;
}

const COLON = 0x3a;
const COMMA = 0x2c;
const SEPARATOR = 0x01;
const EMPTY = new Uint8Array(0);

export class SyncXsWorker {
  readonly name: string;
  private readonly child: ChildProcess;
  private readonly toWorker: number;
  private readonly fromWorker: number;
  private readonly dir: string;
  private readonly logPath: string;
  private handler: SyncIssueHandler | null = null;
  private inbuf = Buffer.alloc(64 * 1024);
  private inStart = 0;
  private inEnd = 0;
  private dead: Error | null = null;
  private busy = false;

  private constructor(child: ChildProcess, name: string, toWorker: number, fromWorker: number, dir: string, logPath: string) {
    this.child = child;
    this.name = name;
    this.toWorker = toWorker;
    this.fromWorker = fromWorker;
    this.dir = dir;
    this.logPath = logPath;
    // The exit event can only arrive between deliveries; it is informational here.
    child.on("error", () => undefined);
  }

  static start(options: SyncXsWorkerOptions = {}): SyncXsWorker {
    const name = options.name ?? "cellmail-xs";
    if (name.startsWith("-")) throw new Error("worker name cannot start with '-'");
    const bin = options.binary ?? (options.stackSlots !== undefined ? stackWorkerPath() : xsnapWorkerPath());
    const dir = mkdtempSync(join(tmpdir(), "cellmail-xsnap-"));
    const in3 = join(dir, "to-worker");
    const out4 = join(dir, "from-worker");
    const logPath = join(dir, "output.log");
    execFileSync("mkfifo", [in3, out4]);
    // Opening a FIFO blocks until the other end is open, unless a reader opens it
    // non-blocking first. So: a non-blocking reader, then the writer, then a blocking
    // reader (a writer exists), then drop the non-blocking one.
    const pair = (path: string): { read: number; write: number } => {
      const probe = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      const write = openSync(path, constants.O_WRONLY);
      const read = openSync(path, constants.O_RDONLY);
      closeSync(probe);
      return { read, write };
    };
    const p3 = pair(in3);
    const p4 = pair(out4);
    const log = openSync(logPath, "w");
    const args = [name];
    if (options.meteringLimit) args.push("-l", String(options.meteringLimit));
    args.push(...stackArgs(options.stackSlots));
    let child: ChildProcess;
    try {
      child = spawn(bin, args, { stdio: ["ignore", log, log, p3.read, p4.write] });
    } finally {
      // The child has its own copies now; keeping the worker's write end open here would
      // hide its death (no end-of-file).
      closeSync(p3.read);
      closeSync(p4.write);
      closeSync(log);
    }
    return new SyncXsWorker(child, name, p3.write, p4.read, dir, logPath);
  }

  /** Answer the script's issueCommand calls (synchronously). */
  onIssue(handler: SyncIssueHandler | null): void {
    this.handler = handler;
  }

  /** Evaluate a classic script in the global scope. */
  evaluate(script: string): SyncXsResult {
    return this.deliver(Buffer.concat([Buffer.from("e"), Buffer.from(script, "utf8")]));
  }

  /** Call the script's global handleCommand with these bytes (as an ArrayBuffer). */
  command(bytes: Uint8Array): SyncXsResult {
    const msg = Buffer.allocUnsafe(bytes.length + 1);
    msg[0] = 0x3f; // '?'
    msg.set(bytes, 1);
    return this.deliver(msg);
  }

  /** The worker's output so far (XS print, crash reports). */
  output(): string {
    try {
      return readFileSync(this.logPath, "utf8");
    } catch {
      return "";
    }
  }

  /** Quit the worker and remove its FIFOs and log. */
  close(): void {
    if (this.dead === null) {
      try {
        this.writeNetstring(Buffer.from("q"));
      } catch {
        // already gone
      }
      this.dead = new Error(`xsnap-worker ${this.name} closed`);
    }
    try {
      closeSync(this.toWorker);
    } catch {
      // closed
    }
    try {
      closeSync(this.fromWorker);
    } catch {
      // closed
    }
    if (this.child.exitCode === null && this.child.signalCode === null) {
      // Gives the worker a moment to leave by itself after `q`, then makes sure.
      const t = setTimeout(() => this.child.kill("SIGKILL"), 2000);
      t.unref();
      this.child.once("exit", () => clearTimeout(t));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private deliver(message: Buffer): SyncXsResult {
    if (this.dead) throw this.dead;
    if (this.busy) throw new Error(`xsnap-worker ${this.name}: re-entrant delivery (an issueCommand handler called into XS)`);
    this.busy = true;
    try {
      this.writeNetstring(message);
      for (;;) {
        const msg = this.readNetstring();
        const kind = msg[0];
        if (kind === 0x3f) {
          // '?': the script called issueCommand and waits for '/'.
          let answer: Uint8Array | void;
          try {
            answer = this.handler ? this.handler(msg.subarray(1)) : undefined;
          } catch (e) {
            this.fail(e instanceof Error ? e : new Error(String(e)));
            throw e;
          }
          const a = answer ?? EMPTY;
          const out = Buffer.allocUnsafe(a.length + 1);
          out[0] = 0x2f; // '/'
          out.set(a, 1);
          this.writeNetstring(out);
          continue;
        }
        if (kind === 0x2e) {
          // '.': done; `{meter}\x01<result>`.
          const sep = msg.indexOf(SEPARATOR, 1);
          if (sep < 0) return { meter: { compute: 0, currentHeapCount: 0, allocate: 0, timestamps: [], stackPeak: -1 }, reply: new Uint8Array(msg.subarray(1)) };
          const m = JSON.parse(msg.subarray(1, sep).toString("utf8"));
          return {
            meter: {
              compute: Number(m.compute),
              currentHeapCount: Number(m.currentHeapCount),
              allocate: Number(m.allocate),
              timestamps: [],
              stackPeak: m.stackPeak === undefined ? -1 : Number(m.stackPeak),
            },
            reply: new Uint8Array(msg.subarray(sep + 1)),
          };
        }
        if (kind === 0x21) throw new Error(`Uncaught exception in XS (${this.name}): ${msg.subarray(1).toString("utf8")}`);
        this.fail(new Error(`xsnap-worker ${this.name} protocol error: unknown message kind ${kind}`));
        throw this.dead;
      }
    } finally {
      this.busy = false;
    }
  }

  private fail(e: Error): void {
    this.dead = e;
    this.child.kill("SIGKILL");
  }

  private writeNetstring(payload: Uint8Array): void {
    const head = Buffer.from(`${payload.length}:`, "latin1");
    const all = Buffer.concat([head, payload, Buffer.from(",")]);
    let off = 0;
    try {
      while (off < all.length) off += writeSync(this.toWorker, all, off, all.length - off);
    } catch (e) {
      this.fail(this.died(`write failed (${(e as Error).message})`));
      throw this.dead;
    }
  }

  private died(why: string): Error {
    const out = this.output().trim();
    const status = this.exitStatus();
    return new Error(`xsnap-worker ${this.name}: ${why}${status}${out ? `; its output:\n${out.slice(-4000)}` : ""}`);
  }

  /**
   * How the worker ended, read synchronously: the event loop cannot run here, so Node has
   * not reaped the child yet, and a zombie's exit status is in /proc/<pid>/stat (field 52).
   * An XS abort says why (12: stack overflow). Empty when it cannot be told within 500 ms.
   */
  private exitStatus(): string {
    const pid = this.child.pid;
    if (pid === undefined) return "";
    const until = Date.now() + 500;
    for (;;) {
      let stat = "";
      try {
        stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      } catch {
        return "";
      }
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z" && fields.length >= 50) {
        const status = Number(fields[49]);
        if (status & 0x7f) return ` (signal ${status & 0x7f})`;
        const code = (status >> 8) & 0xff;
        return ` with code ${code}${EXIT_CODES[code] ? ` (${EXIT_CODES[code]})` : ""}`;
      }
      if (Date.now() > until) return "";
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }

  /** Make sure `n` bytes are buffered (blocking). */
  private fill(n: number): void {
    if (this.inEnd - this.inStart >= n) return;
    if (this.inStart > 0) {
      this.inbuf.copy(this.inbuf, 0, this.inStart, this.inEnd);
      this.inEnd -= this.inStart;
      this.inStart = 0;
    }
    if (n > this.inbuf.length) {
      const bigger = Buffer.alloc(Math.max(n, this.inbuf.length * 2));
      this.inbuf.copy(bigger, 0, 0, this.inEnd);
      this.inbuf = bigger;
    }
    while (this.inEnd < n) {
      let got: number;
      try {
        got = readSync(this.fromWorker, this.inbuf, this.inEnd, this.inbuf.length - this.inEnd, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN" || code === "EINTR") continue;
        this.fail(this.died(`read failed (${(e as Error).message})`));
        throw this.dead;
      }
      if (got === 0) {
        this.fail(this.died("the worker exited"));
        throw this.dead;
      }
      this.inEnd += got;
    }
  }

  private readNetstring(): Buffer {
    // Length prefix: digits up to ':' (at most 20).
    let i = 0;
    for (;;) {
      this.fill(i + 1);
      const c = this.inbuf[this.inStart + i];
      if (c === COLON) break;
      if (c < 0x30 || c > 0x39 || i > 20) {
        this.fail(new Error(`xsnap-worker ${this.name} protocol error: bad netstring length`));
        throw this.dead;
      }
      i++;
    }
    const len = Number(this.inbuf.toString("latin1", this.inStart, this.inStart + i));
    const need = i + 1 + len + 1;
    this.fill(need);
    const start = this.inStart + i + 1;
    if (this.inbuf[start + len] !== COMMA) {
      this.fail(new Error(`xsnap-worker ${this.name} protocol error: netstring without trailing comma`));
      throw this.dead;
    }
    // Copy out: the buffer is reused by the next read.
    const msg = Buffer.from(this.inbuf.subarray(start, start + len));
    this.inStart += need;
    return msg;
  }
}
