// `cellmail flash espruino` against the real Espruino interpreter (../shared/tools/espruino/,
// or $CELLMAIL_ESPRUINO) whose console is on a pseudo-terminal made by socat: a board on a
// serial port, as a board owner has it. End to end: the flash stores the settings and loads
// the unmodified bundle, then an alarm raised through the gpio folder arrives as a mail
// (read back with mailparser). Also the failures a user meets: no such port, nothing
// answering on the port, the board running out of memory, the board reporting an error.
// Skipped, with one line saying so, when the interpreter or socat is not there. Real time,
// bounded: the module's timings are shortened (rig.ts FAST_MODULE).
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findEspruino } from "../../host-sim/espruino/interpreter.js";
import { EspruinoRig } from "../../host-sim/espruino/rig.js";
import { PtyPair, SOCAT } from "../../host-sim/cli/pty.js";

const PIN = 5;
const resizable = findEspruino("resizable");
const k5 = findEspruino("5k");
const problem = [resizable, k5].find((f) => typeof f !== "string") as { problem: string } | undefined;
const why = problem ? problem.problem : existsSync(SOCAT) ? "" : `no socat at ${SOCAT} (npm test installs it: scripts/ensure-system-deps.mjs)`;
if (why) process.stdout.write(`test/espruino/flash: skipped: ${why}\n`);
const say = (line: string) => process.stdout.write(`test/espruino/flash: ${line}\n`);

function boardConfig() {
  return {
    board: "pump-house-3",
    smtp: { provider: "generic", server: "smtp.example.com", port: 465, ssl: { type: 1 }, user: "alarm@example.com", password: "real-secret" },
    sender: { name: "Pump house 3", address: "alarm@example.com" },
    recipients: { to: ["ops@example.com"] },
    network: { apn: "internet" },
    alarm: { inputs: [{ key: "leak", title: "Water leak", pin: PIN, activeLevel: 1, debounceMs: 10 }], coalesceSeconds: 0 },
  };
}

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
  expect(mail.subject).toBe("[pump-house-3] ALARM Water leak");
  expect(mail.from?.value[0]).toMatchObject({ address: "alarm@example.com", name: "Pump house 3" });
  expect((Array.isArray(mail.to) ? mail.to[0] : mail.to)?.value.map((a) => a.address)).toEqual(["ops@example.com"]);
  expect(mail.text).toContain("Alarm: Water leak (leak)");
  expect(mail.text).toContain("Board: pump-house-3");
}

describe.skipIf(!!why)("cellmail flash espruino on the real interpreter's console (a pseudo-terminal)", () => {
  it("to RAM: settings stored, bundle uploaded, cellmail starts; an alarm through the gpio folder arrives as a mail", { timeout: 60_000 }, async () => {
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
