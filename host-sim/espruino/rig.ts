// A board on the real Espruino interpreter against `cellmail modem --pty`, for the tests
// (test/espruino/) and the benchmark (bench/espruino/): everything a board owner would do,
// in one temporary folder.
//
//   1. `cellmail modem --pty` serves the simulated EC800 on a pseudo-terminal (a child
//      process, exactly the command a user runs), with module timings from `module`;
//   2. `cellmail config board.json --espruino --device <pty>` prints the `espruino -e`
//      command; its expression is evaluated by the interpreter (Storage: espruino.flash);
//   3. the unmodified dist/espruino/cellmail.js (with a few lines before it, when a
//      benchmark needs them) runs in the interpreter; alarms are raised through the gpio
//      folder; mails are read back from the module's mail server (.eml files).
// Or, instead of 2 and 3, as with a board on a serial port: the interpreter's console on
// a pseudo-terminal (consoleBoard) and `cellmail flash espruino` over it (flash).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { simpleParser, type ParsedMail } from "mailparser";
import { EspruinoBoard, evaluate, setPin } from "./interpreter.js";
import { dieWithParent } from "../die-with-parent.js";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
const CLI = path.join(REPO, "bin", "cellmail.mjs");
export const BUNDLE = path.join(REPO, "dist", "espruino", "cellmail.js");

/** Module timings that keep a real-time run short (the simulated module's "typical" ones are seconds). */
export const FAST_MODULE = {
  profile: "typical",
  // No radio round trip either: a real-time run has no use for it (it only makes the sends slower).
  timing: { bootMs: 300, simBusyMs: 200, pdpActivateMs: 100, cgattMs: 100, smtpSendMs: 100, radioRttMs: 0, rebootSilenceMs: 200, powerDownMs: 200 },
};

export interface RigOptions {
  /** The interpreter binary (findEspruino). */
  binary: string;
  /** The configuration file's content (docs/configuration.md). */
  config: unknown;
  /** The scenario's `module` section for `cellmail modem --scenario` (default FAST_MODULE). */
  module?: unknown;
  /** The scenario's `faults` (docs/scenarios.md), injected by the simulated module. */
  faults?: unknown[];
  /** Pass --trace to the modem (its output then shows every command written). */
  trace?: boolean;
  /** Extra `cellmail config` options (--serial, --baud, ...). */
  configArgs?: string[];
}

export class EspruinoRig {
  readonly dir: string;
  readonly mailDir: string;
  readonly link: string;
  /** Where consoleBoard() puts the interpreter's console. */
  readonly console: string;
  board: EspruinoBoard | null = null;
  private modem: ChildProcess | null = null;
  private modemText = "";

  private constructor(readonly opts: RigOptions) {
    this.dir = mkdtempSync(path.join(tmpdir(), "cellmail-espruino-"));
    this.mailDir = path.join(this.dir, "mail");
    this.link = path.join(this.dir, "ec800");
    this.console = path.join(this.dir, "console");
  }

  /** A temporary folder with the modem serving on its pty and the configuration written. */
  static async open(opts: RigOptions): Promise<EspruinoRig> {
    const rig = new EspruinoRig(opts);
    writeFileSync(path.join(rig.dir, "board.json"), JSON.stringify(opts.config, null, 2));
    writeFileSync(
      path.join(rig.dir, "module.json"),
      JSON.stringify({ name: "espruino-real", module: opts.module ?? FAST_MODULE, faults: opts.faults ?? [], expect: { delivered: [] } }, null, 2),
    );
    const args = [CLI, "modem", "--pty", "--link", rig.link, "--mail-dir", rig.mailDir, "--scenario", path.join(rig.dir, "module.json")];
    if (opts.trace) args.push("--trace");
    const [cmd, all] = dieWithParent(process.execPath, args);
    rig.modem = spawn(cmd, all, { cwd: rig.dir, stdio: ["ignore", "pipe", "pipe"] });
    rig.modem.stdout!.on("data", (b: Buffer) => (rig.modemText += b.toString("utf8")));
    rig.modem.stderr!.on("data", (b: Buffer) => (rig.modemText += b.toString("utf8")));
    await rig.waitModem("the simulated module's device", (t) => /^baud: /m.test(t), 30_000);
    return rig;
  }

  /** What `cellmail modem` printed so far. */
  modemOutput(): string {
    return this.modemText;
  }

  async waitModem(what: string, check: (out: string) => boolean, ms: number): Promise<void> {
    const t0 = Date.now();
    while (!check(this.modemText)) {
      if (this.modem && this.modem.exitCode !== null) throw new Error(`cellmail modem exited before ${what}:\n${this.modemText.slice(-2000)}`);
      if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}; modem output:\n${this.modemText.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The line `cellmail config board.json --espruino --device <pty>` prints. */
  configCommand(): string {
    const args = [CLI, "config", path.join(this.dir, "board.json"), "--espruino", "--device", this.link, ...(this.opts.configArgs ?? [])];
    const r = spawnSync(process.execPath, args, { cwd: this.dir, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`cellmail config failed (${r.status}): ${r.stderr}`);
    return r.stdout.trim();
  }

  /** Store the settings as a board owner would: the interpreter evaluates exactly the printed `-e` expression. */
  storeSettings(): string {
    const command = this.configCommand();
    const m = /^espruino .* -e '([^']*)'$/.exec(command);
    if (!m) throw new Error(`unexpected cellmail config output: ${command}`);
    evaluate(this.opts.binary, this.dir, m[1]);
    return m[1];
  }

  /** Run `before` + the unmodified bundle + `after` in the interpreter (a fresh boot on the same espruino.flash). */
  boot(before = "", after = "", binary = this.opts.binary): EspruinoBoard {
    const script = path.join(this.dir, "app.js");
    writeFileSync(script, before + readFileSync(BUNDLE, "latin1") + after, "latin1");
    this.board = EspruinoBoard.start(binary, this.dir, script);
    return this.board;
  }

  /** The interpreter's console (the REPL) on the pseudo-terminal `this.console`: a board on a serial port. */
  async consoleBoard(binary = this.opts.binary): Promise<EspruinoBoard> {
    this.board = await EspruinoBoard.startOnPty(binary, this.dir, this.console);
    return this.board;
  }

  /** Run `cellmail flash espruino --config board.json` with `args`; its status and output. */
  flash(args: string[], ms = 60_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [CLI, "flash", "espruino", "--config", path.join(this.dir, "board.json"), ...args], {
      cwd: this.dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (b: Buffer) => (stdout += b.toString("utf8")));
    child.stderr!.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`cellmail flash espruino ran over ${ms / 1000} s:\n${stdout}\n${stderr}`));
      }, ms);
      child.once("exit", (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
    });
  }

  /** The digital input's level in the gpio folder. */
  pin(pin: number, level: 0 | 1): void {
    setPin(this.dir, pin, level);
  }

  mailFiles(): string[] {
    return existsSync(this.mailDir) ? readdirSync(this.mailDir).filter((f) => f.endsWith(".eml")).sort() : [];
  }

  async mails(): Promise<ParsedMail[]> {
    return Promise.all(this.mailFiles().map((f) => simpleParser(readFileSync(path.join(this.mailDir, f)))));
  }

  async waitMails(n: number, ms: number): Promise<void> {
    const t0 = Date.now();
    while (this.mailFiles().length < n) {
      if (this.board && !this.board.running) throw new Error(`the interpreter exited with ${this.mailFiles().length} of ${n} mails; output:\n${this.board.output().slice(-3000)}`);
      if (Date.now() - t0 > ms) {
        throw new Error(
          `timed out after ${ms / 1000} s with ${this.mailFiles().length} of ${n} mails; board:\n${this.board?.output().slice(-2000)}\nmodem:\n${this.modemText.slice(-1500)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stop the board and the modem; remove the folder unless CELLMAIL_KEEP is set. */
  async close(): Promise<void> {
    if (this.board) await this.board.kill();
    const modem = this.modem;
    if (modem && modem.exitCode === null && modem.signalCode === null && modem.pid !== undefined) {
      const gone = new Promise((r) => modem.once("exit", r));
      process.kill(modem.pid, "SIGTERM");
      const timer = setTimeout(() => modem.pid !== undefined && modem.exitCode === null && process.kill(modem.pid, "SIGKILL"), 5000);
      await gone;
      clearTimeout(timer);
    }
    if (process.env.CELLMAIL_KEEP) process.stdout.write(`kept ${this.dir}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A few lines loaded before the bundle that print "usage <mails> <variables>" after each
 * delivered mail: mails are counted from the module's "+QSMTPPUT: 0,0" line, with its line
 * end, in the received data (the serial `data` registration is wrapped; nothing is kept), and
 * process.memory() runs on a fresh turn (it collects garbage first). The line end matters:
 * a chunk may end before it, and the reading would then come before the bundle handled the
 * result. On Espruino 2v29 indexOf also matches a needle whose start ends the string
 * ("AT+QSMT".indexOf("+QSMTPPUT") is 2): checked with substr.
 */
export const USAGE_PRELUDE = `(function () {
  var PUT = "+QSMTPPUT: 0,0\\r\\n", tail = "", mails = 0;
  function report() { print("usage " + mails + " " + process.memory().usage); }
  function wrap(S) {
    var on = S.on;
    S.on = function (ev, fn) {
      if (ev !== "data") return on.call(S, ev, fn);
      on.call(S, ev, function (d) {
        fn(d);
        tail = (tail + d).substr(-40);
        var k = tail.indexOf(PUT);
        if (k >= 0 && tail.substr(k, PUT.length) === PUT) { tail = ""; mails++; setTimeout(report, 0); }
      });
    };
  }
  wrap(Serial1);
  wrap(Serial2);
})();
`;

/** The "usage <mails> <variables>" lines printed so far, by mail count. */
export function usageByMail(output: string): Map<number, number> {
  const out = new Map<number, number>();
  // Whole lines only: output comes in pieces, and a line cut after "usage 10 3" is not the figure.
  for (const m of output.matchAll(/^>*usage (\d+) (\d+)\r?\n/gm)) out.set(Number(m[1]), Number(m[2]));
  return out;
}
