// `cellmail flash espruino --config board.json --port PATH [--save] [board options]`:
// configure an Espruino board and load cellmail onto it over its console, from the same
// CLI as the rest (the `espruino` npm tool refuses pseudo-terminals, needs D-Bus and asks
// espruino.com for board descriptions: the console protocol is spoken here instead,
// host-sim/espruino/console.ts).
//
// 1. The configuration is checked and flattened on the host (toCompact, as
//    `cellmail config --espruino`): every problem with its field path, exit 2.
// 2. The bundle (dist/espruino/cellmail.js, built when missing) is read.
// 3. The console answers (Ctrl-C, echo(1), an acknowledged line), else exit 1.
// 4. reset(): the program in RAM stops (saved code stays in flash), so no second copy
//    of cellmail runs and nothing else writes Storage while we do.
// 5. The settings go to Storage "cellmail.json" with the very expression that
//    `cellmail config --espruino` prints (config.ts espruinoScript), checked by reading back.
// 6. The bundle goes
//      to RAM (default): as one line, as the Web IDE sends code; it runs at once and is
//        gone at the next power-up;
//      to flash (--save): written to Storage ".bootcde" in acknowledged 1 KB pieces,
//        length and CRC32 checked, then load() restarts the board from it, as every
//        power-up will. E.setBootCode(code) would need the whole bundle as one string
//        literal in one line (the line and the string in RAM at once, twice the RAM
//        upload's peak), and E.reboot() ends the Linux interpreter instead of restarting
//        it; Storage.write in pieces needs one piece of RAM and can be checked.
// 7. The board's own start line ("cellmail (compact) started") or its error report ends it;
//    an error line it logs and starts anyway (a module device that does not open) is a warning.
// Exit status: 0 loaded and started; 2 configuration, bundle or port problem (nothing was
// sent); 1 the board did not answer, ran out of memory or reported an error.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { toCompact } from "../config/compact.js";
import { ConsoleError, EspruinoConsole } from "../espruino/console.js";
import { REPO_ROOT } from "../repo.js";
import { buildTarget } from "./build-target.js";
import { parseIntArg } from "./common.js";
import { addEspruinoBoardOptions, boardSettings, espruinoScript, printProblems, readJson, type ConfigOptions } from "./config.js";

export const ESPRUINO_BUNDLE = path.join(REPO_ROOT, "dist", "espruino", "cellmail.js");
const SETTINGS_FILE = "cellmail.json";
const BOOT_FILE = ".bootcde";
/** Characters of code per Storage.write line (JSON-escaped, so a little more on the wire). */
const SAVE_PIECE = 1024;
/** The firmware's start line, or an error line it logs (before it starts, or instead). */
const START_LINE = /cellmail \(compact\) started/;
const STARTED = /cellmail \(compact\) started|(^|\n)>*error [^\n]*\n/;
/** How long the start line may follow an error line. */
const ERROR_GRACE_MS = 2000;

export interface FlashEspruinoOptions extends Omit<ConfigOptions, "compact" | "espruino"> {
  config: string;
  save?: boolean;
  bundle?: string;
  timeout: number;
}

function say(line: string): void {
  process.stdout.write(line + "\n");
}

function fail(line: string, status: number): number {
  process.stderr.write(`cellmail flash espruino: ${line}\n`);
  return status;
}

/** The board's log lines (and the interpreter's own ERROR lines) in what it printed. */
function boardLines(out: string): string[] {
  return out
    .split("\n")
    .map((l) => l.replace(/^>+/, "").trim())
    .filter((l) => /^(debug|info|warn|error) |^ERROR:/.test(l));
}

/**
 * CRC-32 (IEEE, as Espruino's E.CRC32 and zlib) of a one-byte-per-character string, bit by
 * bit: 16 KB is quick, and node:zlib's crc32 needs a newer Node than package.json names.
 */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc ^= text.charCodeAt(i) & 0xff;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A file as the user would type it from here: relative below the working directory, else absolute. */
function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith("..") ? rel : file;
}

/** The bundle to load: --bundle, or dist/espruino/cellmail.js (built when it is missing). */
async function readBundle(o: FlashEspruinoOptions): Promise<{ file: string; code: string } | { problem: string }> {
  const file = path.resolve(o.bundle ?? ESPRUINO_BUNDLE);
  if (!existsSync(file)) {
    if (o.bundle) return { problem: `${o.bundle}: no such file` };
    say(`building ${shown(file)} (missing; npm run build makes every target) ...`);
    await buildTarget("espruino");
  }
  const code = readFileSync(file, "latin1").replace(/[\r\n]+$/, ""); // the file's last line break
  // To RAM the code is one console line: a line break or control character would end or
  // edit it (Ctrl-C clears it). Saved, it travels inside JSON strings, where only
  // characters above 126 (more than one byte on the board) are a problem.
  const bad = (o.save ? /[^\x00-\x7e]/ : /[^\x20-\x7e]/).exec(code);
  if (bad) {
    const what = o.save ? "ASCII" : "one line of printable ASCII (the Espruino build is one; --save takes more)";
    return { problem: `${file}: character ${JSON.stringify(bad[0])} at ${bad.index}: the console takes ${what}` };
  }
  return { file, code };
}

export async function runFlashEspruino(o: FlashEspruinoOptions): Promise<number> {
  const compact = toCompact(readJson(o.config));
  if (compact.config === null) {
    printProblems(o.config, compact.errors);
    return 2;
  }
  say(`${o.config}: configuration OK (compact profile)`);
  const settings = espruinoScript(compact.config, boardSettings(o));
  const bundle = await readBundle(o);
  if ("problem" in bundle) return fail(bundle.problem, 2);
  say(`bundle: ${shown(bundle.file)} (${bundle.code.length} bytes)`);

  let board: EspruinoConsole;
  try {
    board = await EspruinoConsole.open({ path: o.port, baud: o.consoleBaud });
  } catch (e) {
    return fail((e as Error).message, 2);
  }
  const ms = o.timeout;
  const uploadMs = ms * 6; // parsing 16 KB on a board takes seconds
  try {
    say(`console: ${o.port} at ${o.consoleBaud} baud`);
    const about = await board.hello(ms).catch((e: unknown) => {
      if (e instanceof ConsoleError && e.kind === "no-answer") {
        throw new ConsoleError("no-answer", `${e.message} (is an Espruino board on ${o.port}, at ${o.consoleBaud} baud? --console-baud)`);
      }
      throw e;
    });
    say(`board: Espruino ${about}`);
    await board.reset(ms);
    const saved = await board.run("", `(require("Storage").read("${BOOT_FILE}")||"").length`, ms, "the board's saved code");
    say(`reset: the program in RAM stopped${Number(saved) > 0 && !o.save ? ` (the board also has ${saved} bytes of saved code, which runs at its next power-up; --save replaces it)` : ""}`);
    const stored = await board.run(settings, `typeof require("Storage").readJSON("${SETTINGS_FILE}",1).cellmail`, ms, `writing ${SETTINGS_FILE}`);
    if (stored !== "object") throw new ConsoleError("check", `${SETTINGS_FILE} did not read back after writing it (got ${stored})`);
    const hw = boardSettings(o);
    const wiring = [`lteSerial ${hw.serial}`, hw.rx !== undefined ? `lteRx ${hw.rx}` : "", hw.tx !== undefined ? `lteTx ${hw.tx}` : "", `lteBaud ${hw.baud}`, hw.device ? `lteDevice ${hw.device}` : ""];
    say(`settings: ${SETTINGS_FILE} written (${wiring.filter(Boolean).join(", ")}, and the configuration)`);

    let from: number;
    if (o.save) {
      const code = bundle.code;
      for (let at = 0; at < code.length; at += SAVE_PIECE) {
        const piece = JSON.stringify(code.slice(at, at + SAVE_PIECE));
        // The first write gives the whole size: Storage makes the file, the rest fill it.
        await board.run(`require("Storage").write("${BOOT_FILE}",${piece},${at}${at === 0 ? `,${code.length}` : ""})`, "", ms, `writing ${BOOT_FILE} at ${at}`);
        say(`save: ${Math.min(at + SAVE_PIECE, code.length)}/${code.length} bytes`);
      }
      const check = await board.run("", `(function(f){return f.length+" "+E.CRC32(f)})(require("Storage").read("${BOOT_FILE}"))`, ms, `checking ${BOOT_FILE}`);
      const want = `${code.length} ${crc32(code)}`;
      if (check !== want) throw new ConsoleError("check", `${BOOT_FILE} on the board is "${check}" (length CRC32), not "${want}": the upload was damaged`);
      say(`save: ${BOOT_FILE} checked (${code.length} bytes, CRC32 ${crc32(code)}); load(): the board restarts from flash`);
      from = await board.send("load()", ms);
    } else {
      let reported = 0;
      from = board.output().length;
      await board.run(bundle.code, "", uploadMs, "the uploaded code", (sent, total) => {
        if (sent - reported >= 4096 || sent === total) {
          reported = sent;
          say(`upload: ${Math.min(sent, bundle.code.length)}/${bundle.code.length} bytes`);
        }
      });
    }
    let out = await board.expect(from, "cellmail's start line", uploadMs, STARTED);
    if (!START_LINE.test(out)) {
      // An error line came first; cellmail logs some (a module device that does not open)
      // and starts all the same, its alarms waiting in the outbox.
      out = await board.expect(from, "cellmail's start line", ERROR_GRACE_MS, START_LINE).catch((e: unknown) => {
        if (e instanceof ConsoleError && e.kind === "no-answer") return board.output().slice(from);
        throw e;
      });
    }
    const lines = boardLines(out);
    for (const l of lines) say(`board: ${l}`);
    if (!START_LINE.test(out)) return fail("cellmail did not start on the board (its log above says why)", 1);
    if (lines.some((l) => /^(error |ERROR:)/.test(l))) process.stderr.write("cellmail flash espruino: warning: cellmail started, but the board logged an error (above)\n");
    say(o.save ? "done: cellmail runs from flash, at every power-up" : "done: cellmail runs from RAM until the board restarts (--save keeps it)");
    return 0;
  } catch (e) {
    if (e instanceof ConsoleError) {
      const hint = e.kind === "out-of-memory" && !o.save ? " (--save runs cellmail from flash, which needs much less RAM: docs/targets.md)" : "";
      return fail(e.message + hint, e.kind === "port" ? 2 : 1);
    }
    throw e;
  } finally {
    await board.close();
  }
}

export function flashEspruinoCommand(): Command {
  const command = new Command("espruino")
    .description("check a board's configuration, store its settings and load cellmail onto an Espruino board over its console")
    .requiredOption("-c, --config <file>", "the board's configuration (JSON, docs/configuration.md)")
    .requiredOption("-p, --port <path>", "the board's console port, e.g. /dev/ttyUSB0 or /dev/ttyACM0")
    .option("--save", "save cellmail to flash (Storage .bootcde): it runs at every power-up (default: RAM, until the next restart)")
    .option("--bundle <file>", "the code to load (default dist/espruino/cellmail.js, built when missing)")
    .option("--timeout <ms>", "how long the board may take to answer a line (the upload waits 6 times as long)", parseIntArg, 10_000);
  return addEspruinoBoardOptions(command).action(async (opts: FlashEspruinoOptions) => {
    process.exitCode = await runFlashEspruino(opts);
  });
}
