// The real Espruino interpreter (the Linux build in ../shared/tools/espruino/, README there)
// as a board for tests and benchmarks: found on disk, run in a working folder of its own
// (it writes `espruino.flash` into its working directory, and reads its pins from a
// `gpio` folder there), its console output collected with the ANSI escapes taken out.
//
// Its console input (stdin) is a pipe that this side never writes and never closes while
// the board should run: once stdin ends the interpreter exits as soon as no timer is
// pending, and the Linux console reads stdin on a thread of its own, which races with the
// script (keystrokes arriving while the script runs). The board is stopped with SIGKILL
// by its pid (a power cut: it may ignore SIGTERM).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SerialPort } from "serialport";
import { SOCAT } from "../cli/pty.js";
import { dieWithParent } from "../die-with-parent.js";

/** The three builds: variables resizable (a large board), 16,383 (an ESP32), 5,100 (an Espruino Pico). */
export type EspruinoSize = "resizable" | "16k" | "5k";
const FILES: Record<EspruinoSize, string> = { resizable: "espruino", "16k": "espruino-16k", "5k": "espruino-5k" };

/** Where the interpreters are looked for when $CELLMAIL_ESPRUINO does not say. */
export const ESPRUINO_TOOLS = fileURLToPath(new URL("../../../shared/tools/espruino/", import.meta.url)).replace(/\/$/, "");

/**
 * The interpreter binary of `size`: $CELLMAIL_ESPRUINO (the resizable binary, or the folder
 * that holds the three; the sized ones sit next to it), else ../shared/tools/espruino/.
 */
export function findEspruino(size: EspruinoSize = "resizable", env: NodeJS.ProcessEnv = process.env): string | { problem: string } {
  const given = env.CELLMAIL_ESPRUINO;
  let file: string;
  if (!given) file = path.join(ESPRUINO_TOOLS, FILES[size]);
  else if (isDir(given)) file = path.join(given, FILES[size]);
  else file = size === "resizable" ? given : path.join(path.dirname(given), FILES[size]);
  if (existsSync(file) && !isDir(file)) return file;
  return { problem: `no Espruino interpreter at ${file} (${given ? "from $CELLMAIL_ESPRUINO" : "set CELLMAIL_ESPRUINO to the binary or its folder"})` };
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Console output as text: no ANSI escapes, no CRs. */
export function plainText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");
}

/** The folder of digital inputs the interpreter polls: gpio/gpioN/value ("1\n" / "0\n"). */
export function setPin(dir: string, pin: number, level: 0 | 1): void {
  const p = path.join(dir, "gpio", `gpio${pin}`);
  if (!existsSync(p)) {
    mkdirSync(p, { recursive: true });
    for (const f of ["export", "unexport"]) if (!existsSync(path.join(dir, "gpio", f))) writeFileSync(path.join(dir, "gpio", f), "");
    writeFileSync(path.join(p, "direction"), "in\n");
  }
  // Written aside and renamed: the interpreter reads the file every millisecond and must
  // never see it empty (half written), which would be a glitch on the pin.
  writeFileSync(path.join(p, "value.tmp"), `${level}\n`);
  renameSync(path.join(p, "value.tmp"), path.join(p, "value"));
}

/** Evaluate `expr` with the interpreter in `dir` and wait for it to end (stdin closed: it exits when idle). */
export function evaluate(binary: string, dir: string, expr: string, timeoutMs = 20_000): string {
  const r = spawnSync(binary, ["-e", expr], { cwd: dir, input: "", encoding: "utf8", timeout: timeoutMs });
  if (r.error) throw r.error;
  const out = plainText((r.stdout ?? "") + (r.stderr ?? ""));
  if (r.status !== 0 || /Uncaught|OUT OF MEMORY/.test(out)) throw new Error(`espruino -e failed (${r.status ?? r.signal}):\n${out.slice(-2000)}`);
  return out;
}

/** One run of the interpreter on a script file: a board from power-on to power cut. */
export class EspruinoBoard {
  private raw = "";
  private plain = "";
  private plainAt = -1;
  private readonly waiters = new Set<() => void>();
  private console: SerialPort | null = null;
  readonly exited: Promise<void>;

  /** `child` is the interpreter, or socat with the interpreter (`interpreterPid`) behind it. */
  private constructor(
    private readonly child: ChildProcess,
    private readonly interpreterPid = child.pid,
  ) {
    child.stdout?.on("data", (b: Buffer) => this.take(b));
    child.stderr?.on("data", (b: Buffer) => this.take(b));
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    void this.exited.then(() => {
      for (const w of this.waiters) w();
    });
  }

  private take(b: Buffer): void {
    this.raw += b.toString("latin1");
    for (const w of this.waiters) w();
  }

  /** Start `binary script` in `dir`; stdin stays open (and unwritten) until kill(). */
  static start(binary: string, dir: string, script: string): EspruinoBoard {
    const [cmd, args] = dieWithParent(binary, [script]); // setpriv execs the interpreter: the pid is the interpreter's
    const child = spawn(cmd, args, { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
    return new EspruinoBoard(child);
  }

  /**
   * Start the interpreter's console in `dir` on a pseudo-terminal at `link` (socat: the
   * interpreter runs under `sh`, which writes its pid and execs it, so kill() can reach it).
   */
  static async startOnPty(binary: string, dir: string, link: string, ms = 10_000): Promise<EspruinoBoard> {
    const pidFile = path.join(dir, "espruino.pid");
    rmSync(pidFile, { force: true });
    rmSync(link, { force: true });
    for (const p of [binary, dir, link]) if (/[,:!'"$\\ ]/.test(p)) throw new Error(`startOnPty: ${p} has a character socat's address would split on`);
    // socat dies with this process, the interpreter with socat (its parent).
    const system = `SYSTEM:echo $$ > ${pidFile}; exec ${dieWithParent(binary, []).flat().join(" ")},pty,raw,echo=0`;
    const socatArgs = [`pty,raw,echo=0,link=${link}`, system];
    const [cmd, args] = existsSync(SOCAT) ? dieWithParent(SOCAT, socatArgs) : ["socat", socatArgs];
    const socat = spawn(cmd, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    const t0 = Date.now();
    while (!existsSync(link) || !existsSync(pidFile) || readFileSync(pidFile, "utf8").trim() === "") {
      if (socat.exitCode !== null) throw new Error(`socat exited (${socat.exitCode}) before the console was up`);
      if (Date.now() - t0 > ms) throw new Error(`no console on ${link} within ${ms / 1000} s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const board = new EspruinoBoard(socat, Number(readFileSync(pidFile, "utf8")));
    await new Promise((r) => setTimeout(r, 300)); // socat's copy loop starts after the link appears
    return board;
  }

  /** Read the console on the board's pseudo-terminal from now on (startOnPty boards). */
  async watchConsole(link: string): Promise<void> {
    const port = new SerialPort({ path: link, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    port.on("data", (b: Buffer) => this.take(b));
    port.on("error", () => {}); // the board's power cut closes it
    this.console = port;
  }

  /** Stop reading the console (it is free for another program, such as `cellmail flash`). */
  async closeConsole(): Promise<void> {
    const port = this.console;
    this.console = null;
    if (port?.isOpen) await new Promise((r) => port.close(r));
  }

  /** Type a line at the console (watchConsole boards), its echo suppressed (\x10). */
  type(line: string): Promise<void> {
    const port = this.console;
    if (!port) return Promise.reject(new Error("type(): watchConsole() first"));
    return new Promise((resolve, reject) => port.write(`\x10${line}\n`, (err) => (err ? reject(err) : port.drain(() => resolve()))));
  }

  get pid(): number | undefined {
    return this.interpreterPid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything printed so far (console text, escapes removed: an escape may span two reads). */
  output(): string {
    if (this.plainAt !== this.raw.length) {
      this.plain = plainText(this.raw);
      this.plainAt = this.raw.length;
    }
    return this.plain;
  }

  /** The firmware's log lines ("info ...", "error ...") in order. */
  logLines(): string[] {
    return this.output()
      .split("\n")
      .map((l) => l.replace(/^>+/, ""))
      .filter((l) => /^(debug|info|warn|error) /.test(l));
  }

  /** Resolves once `check(output)` holds; rejects after `ms` or when the interpreter exits first. */
  waitFor(what: string, check: (out: string) => boolean, ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(test);
      };
      const test = () => {
        if (check(this.output())) {
          done();
          resolve();
        } else if (!this.running) {
          done();
          reject(new Error(`the interpreter exited before ${what}; output:\n${this.output().slice(-3000)}`));
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(test);
        reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}; output:\n${this.output().slice(-3000)}`));
      }, ms);
      this.waiters.add(test);
      test();
    });
  }

  /** Cut the power: SIGKILL to this interpreter's pid, then wait for it to be gone. */
  async kill(): Promise<void> {
    if (this.console?.isOpen) await new Promise((r) => this.console!.close(r));
    for (const pid of new Set([this.interpreterPid, this.child.pid])) {
      if (!this.running || pid === undefined) continue;
      try {
        process.kill(pid, pid === this.child.pid && pid !== this.interpreterPid ? "SIGTERM" : "SIGKILL");
      } catch {
        // already gone
      }
    }
    await this.exited;
  }
}
