// `cellmail flash espruino` against the real Espruino interpreter (../shared/tools/espruino/,
// or $CELLMAIL_ESPRUINO) whose console is on a pseudo-terminal made by socat: a board on a
// serial port, as a board owner has it. End to end: the flash stores the settings and loads
// the unmodified bundle, then an alarm raised through the gpio folder arrives as a mail
// (read back with mailparser). Also the failures a user meets: no such port, nothing
// answering on the port, the board running out of memory, the board reporting an error.
// Skipped, with one line saying so, when the interpreter or socat is not there. Real time,
// bounded: the module's timings are shortened (rig.ts FAST_MODULE).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findEspruino } from "../../host-sim/espruino/interpreter.js";
import { PIN, boardConfig, expectAlarmMail } from "./board.js";
import { EspruinoRig } from "../../host-sim/espruino/rig.js";
import { PtyPair, SOCAT } from "../../host-sim/cli/pty.js";
import { ESPRUINO_BUNDLE } from "../../host-sim/cli/flash-espruino.js";

const resizable = findEspruino("resizable");
const k5 = findEspruino("5k");
const problem = [resizable, k5].find((f) => typeof f !== "string") as { problem: string } | undefined;
const why = problem ? problem.problem : existsSync(SOCAT) ? "" : `no socat at ${SOCAT} (npm test installs it: scripts/ensure-system-deps.mjs)`;
if (why) process.stdout.write(`test/espruino/flash: skipped: ${why}\n`);
const say = (line: string) => process.stdout.write(`test/espruino/flash: ${line}\n`);

const rigs: EspruinoRig[] = [];
async function openRig(binary = resizable as string): Promise<EspruinoRig> {
  const rig = await EspruinoRig.open({ binary, config: boardConfig() });
  rigs.push(rig);
  rig.pin(PIN, 0);
  return rig;
}
afterAll(async () => {
  await Promise.all(rigs.map((r) => r.close()));
});

/** Raise the alarm and read the one mail it makes. */
async function alarmMail(rig: EspruinoRig) {
  rig.pin(PIN, 1);
  await rig.waitMails(1, 30_000);
  const [mail] = await rig.mails();
  expectAlarmMail(mail);
}

describe.skipIf(!!why)("cellmail flash espruino on the real interpreter's console (a pseudo-terminal)", { retry: 1 }, () => {
  it("to RAM: settings stored, bundle uploaded, cellmail starts; an alarm through the gpio folder arrives as a mail", { timeout: 100_000 }, async () => {
    const rig = await openRig();
    const board = await rig.consoleBoard();
    const r = await rig.flash(["--port", rig.console, "--device", rig.link]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("board.json: configuration OK (compact profile)");
    expect(r.stdout).toMatch(/^board: Espruino 2v\d+\.\d+ LINUX, \d+ variables$/m);
    expect(r.stdout).toMatch(/^settings: cellmail\.json written/m);
    expect(r.stdout).toMatch(/^upload: (\d+)\/\1 bytes$/m);
    expect(r.stdout).toContain("board: info cellmail (compact) started");
    expect(r.stdout).not.toContain("real-secret");
    await board.watchConsole(rig.console);
    await alarmMail(rig);
    expect(board.output()).not.toMatch(/Uncaught|OUT OF MEMORY/);
  });
});

describe.skipIf(!!why)("cellmail flash espruino --save, and the flash it writes on 5,100 variables (an Espruino Pico)", () => {
  // The writing is done by the resizable build: the fixed-size Linux builds (16k, 5k) stop
  // now and then with an internal assertion ("EXITING.") while they take many console lines,
  // whatever the line length or pace (docs/targets.md); a board's console is not that code.
  it("saved: .bootcde checked, load(), a mail; the 5,100-variable build powered up on that flash runs it and delivers (2 more mails); a console in use is said as such", { timeout: 90_000 }, async () => {
    const rig = await openRig();
    let board = await rig.consoleBoard();
    const saved = await rig.flash(["--port", rig.console, "--device", rig.link, "--save"]);
    expect(saved.stderr).toBe("");
    expect(saved.status).toBe(0);
    expect(saved.stdout).toMatch(/^save: 1024\/\d+ bytes$/m);
    expect(saved.stdout).toMatch(/^save: \.bootcde checked \((\d+) bytes, CRC32 \d+\); load\(\): the board restarts from flash$/m);
    expect(saved.stdout).toContain("board: info cellmail (compact) started");
    expect(saved.stdout).toContain("done: cellmail runs from flash, at every power-up");
    await board.watchConsole(rig.console);
    await alarmMail(rig);
    rig.pin(PIN, 0);

    // A power cut, and a power-up of the 5,100-variable build on the same espruino.flash:
    // cellmail boots from .bootcde, with its settings, and runs in that little memory.
    await board.kill();
    board = await rig.consoleBoard(k5 as string);
    await board.watchConsole(rig.console);
    for (const k of [2, 3]) {
      rig.pin(PIN, 1);
      await rig.waitMails(k, 30_000);
      rig.pin(PIN, 0);
      await new Promise((r) => setTimeout(r, 150)); // the debounce (10 ms) sees it idle, the interpreter busy or not
    }
    const mails = await rig.mails();
    expect(mails.map((m) => m.subject)).toEqual(Array(3).fill("[pump-house-3] ALARM Water leak"));
    await board.type(`print("usage "+process.memory().usage+" of "+process.memory().total)`);
    // The line's end too: output comes in pieces, and "usage 1486 of 5" may be all of it so far.
    await board.waitFor("the usage", (t) => /^>*usage \d+ of \d+\r?\n/m.test(t), 5000);
    const usage = /^>*usage (\d+) of (\d+)\r?\n/m.exec(board.output())!;
    say(`5k build running the saved flash: ${usage[1]} of ${usage[2]} variables in use after its second mail`);
    expect(Number(usage[2])).toBe(5100);
    expect(board.output()).not.toMatch(/Uncaught|OUT OF MEMORY/);

    // The console is ours (a terminal on it): the port is in use, said as such.
    const busy = await rig.flash(["--port", rig.console, "--device", rig.link]);
    expect(busy.status).toBe(2);
    expect(busy.stderr).toBe(`cellmail flash espruino: ${rig.console}: in use by another program (a terminal or an IDE: close it first)\n`);
  });
});

// The tests' own limits are above rig.flash's (60 s), so a flash that hangs fails with what it
// printed. One such hang was seen in three full runs on a loaded machine ("a module device that
// does not open", 60 s) and not again in five runs of it alone under load; the Linux interpreter
// builds have a documented fault under console input (docs/targets.md). So each real-console test
// here runs once more when it fails: the whole test again, none of its assertions loosened.
describe.skipIf(!!why)("cellmail flash espruino: what goes wrong is said clearly", { retry: 1 }, () => {
  // One folder (and module) for these: none of them gets as far as the module.
  let shared: Promise<EspruinoRig> | undefined;
  const openShared = () => (shared ??= openRig());

  it("a port that is not there: exit 2, nothing sent", async () => {
    const rig = await openShared();
    const port = path.join(rig.dir, "ttyUSB9");
    const r = await rig.flash(["--port", port]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`cellmail flash espruino: ${port}: no such port (is the board plugged in? ls /dev/tty*)\n`);
  });

  it("nothing answering on the port (a pseudo-terminal with no board behind it): exit 1 after --timeout", async () => {
    const rig = await openShared();
    const pair = await PtyPair.open({ clientLink: path.join(rig.dir, "silent"), moduleLink: path.join(rig.dir, "nobody") });
    try {
      const t0 = Date.now();
      const r = await rig.flash(["--port", pair.clientLink, "--timeout", "1000"]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^cellmail flash espruino: the board did not answer within 1 s \(the board's prompt\) \(is an Espruino board on .*silent, at 115200 baud\? --console-baud\)\n$/);
      expect(Date.now() - t0).toBeLessThan(20_000); // bounded by --timeout, not by the upload's
    } finally {
      await pair.close();
    }
  });

  it("to RAM on a 5,100-variable board (an Espruino Pico): the bundle loads and starts; one 4 KB larger does not fit: the board's own OUT OF MEMORY, exit 1, with the way out (--save)", { timeout: 90_000 }, async () => {
    const rig = await openShared();
    const board = await rig.consoleBoard(k5 as string);
    // The whole bundle is one console line: the line and what it makes fit this board with
    // a few hundred bytes to spare (docs/targets.md), so the failure is shown with a bundle
    // 4 KB larger than the budget allows (a string in front of the real one).
    const ram = await rig.flash(["--port", rig.console, "--device", rig.link, "--timeout", "5000"]);
    expect(ram.status, ram.stderr).toBe(0);
    expect(ram.stdout).toContain("board: info cellmail (compact) started");
    await board.kill();
    const again = await rig.consoleBoard(k5 as string);
    const large = path.join(rig.dir, "large.js");
    writeFileSync(large, `var padding="${"x".repeat(4096)}";` + readFileSync(ESPRUINO_BUNDLE, "latin1"), "latin1");
    const oom = await rig.flash(["--port", rig.console, "--device", rig.link, "--timeout", "5000", "--bundle", large]);
    expect(oom.status, oom.stderr).toBe(1);
    expect(oom.stderr).toMatch(/^cellmail flash espruino: the board ran out of memory: [^\n]*OUT OF MEMORY[^\n]* \(--save runs cellmail from flash, which needs much less RAM: docs\/targets\.md\)\n$/);
    await again.kill();
  });

  it("a module device that does not open: the board's error line and a warning; cellmail starts all the same (exit 0)", { timeout: 75_000 }, async () => {
    const rig = await openShared();
    const board = await rig.consoleBoard();
    const device = path.join(rig.dir, "ttyUSB8");
    const r = await rig.flash(["--port", rig.console, "--device", device]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`board: error lteDevice ${device} does not open`);
    expect(r.stdout).toContain("board: info cellmail (compact) started");
    expect(r.stderr).toBe("cellmail flash espruino: warning: cellmail started, but the board logged an error (above)\n");
    await board.kill();
  });

  it("the board reports an error while running the upload (Uncaught): exit 1 with the board's words", { timeout: 75_000 }, async () => {
    const rig = await openShared();
    const board = await rig.consoleBoard();
    const bad = path.join(rig.dir, "bad.js");
    writeFileSync(bad, "var wired=startModem(2);\n");
    const r = await rig.flash(["--port", rig.console, "--bundle", bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^cellmail flash espruino: the board reported an error: Uncaught ReferenceError: "startModem" is not defined\n$/);
    await board.kill();
  });
});
