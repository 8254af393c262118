// The unmodified Espruino bundle (dist/espruino/cellmail.js) on the real Espruino
// interpreter (the Linux builds in ../shared/tools/espruino/, or $CELLMAIL_ESPRUINO)
// against `cellmail modem --pty`, in real time: what a board owner does, step by step
// (host-sim/espruino/rig.ts). Skipped, with one line saying so, when the interpreter is
// not there. The simulated module's timings are shortened (rig.ts FAST_MODULE) so that
// the whole file takes well under two minutes.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EspruinoBoard, evaluate, findEspruino } from "../../host-sim/espruino/interpreter.js";
import { PIN, boardConfig, expectAlarmMail } from "./board.js";
import { BUNDLE, EspruinoRig, FAST_MODULE, USAGE_PRELUDE, usageByMail } from "../../host-sim/espruino/rig.js";

const resizable = findEspruino("resizable");
const k16 = findEspruino("16k");
const k5 = findEspruino("5k");
const present = typeof resizable === "string" && typeof k16 === "string" && typeof k5 === "string";
if (!present) {
  const why = [resizable, k16, k5].find((f) => typeof f !== "string") as { problem: string };
  process.stdout.write(`test/espruino: skipped: ${why.problem}\n`);
}
const say = (line: string) => process.stdout.write(`test/espruino: ${line}\n`);

const rigs: EspruinoRig[] = [];
async function openRig(o: Parameters<typeof EspruinoRig.open>[0]): Promise<EspruinoRig> {
  const rig = await EspruinoRig.open(o);
  rigs.push(rig);
  rig.pin(PIN, 0);
  return rig;
}
afterAll(async () => {
  await Promise.all(rigs.map((r) => r.close()));
});

/** The least-squares slope of usage over mail count: variables a mail. */
function perMail(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) * (x - mx), 0);
  return sxy / sxx;
}

/** Raise the input `n` times, one mail after the other (the input goes back to idle between). */
async function alarms(rig: EspruinoRig, n: number, after: (k: number) => Promise<void> = async () => {}): Promise<void> {
  for (let k = rig.mailFiles().length + 1, end = k + n; k < end; k++) {
    rig.pin(PIN, 1);
    await rig.waitMails(k, 30_000);
    await after(k);
    rig.pin(PIN, 0);
    // The input idles long enough for the debounce (10 ms) to see it even while the interpreter is busy
    // ending a mail (on the 5,100-variable build under a loaded machine, 40 ms once went unseen).
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe.skipIf(!present)("the Espruino bundle on the real Espruino interpreter", () => {
  it("is stored by the printed -e expression, delivers an alarm raised through the gpio folder; mailparser reads it", { timeout: 60_000 }, async () => {
    const rig = await openRig({ binary: resizable as string, config: boardConfig() });
    const expr = rig.storeSettings();
    // The expression is the one `cellmail config --espruino --device` printed, and it stored the device.
    expect(rig.configCommand()).toBe(`espruino -p /dev/ttyUSB0 -b 115200 -e '${expr}'`);
    expect(evaluate(resizable as string, rig.dir, `print(require("Storage").readJSON("cellmail.json").lteDevice)`)).toContain(rig.link);
    const board = rig.boot();
    await board.waitFor("the bundle's start", (t) => t.includes("cellmail (compact) started"), 20_000);
    await alarms(rig, 1);
    const [mail] = await rig.mails();
    expectAlarmMail(mail);
    expect(board.output()).not.toMatch(/Uncaught|OUT OF MEMORY/);
    expect(board.output()).not.toContain("real-secret");
    expect(readFileSync(BUNDLE, "latin1")).not.toContain("prototype.");
    await board.kill();
  });

  it("16,383 variables (an ESP32): 30 alarms become 30 mails; usage flat between mails 10 and 30 but for the rate window", { timeout: 90_000 }, async () => {
    // 30 mails in well under an hour: the hourly limit is raised to 100, so every send time
    // stays in the limiter's window (one number each) and nothing is held back.
    const rig = await openRig({ binary: k16 as string, config: boardConfig({ perRecipientPerHour: 100 }) });
    rig.storeSettings();
    const board = rig.boot(USAGE_PRELUDE);
    await board.waitFor("the bundle's start", (t) => t.includes("cellmail (compact) started"), 20_000);
    await alarms(rig, 30, (k) => board.waitFor(`usage after mail ${k}`, (t) => usageByMail(t).has(k), 10_000));
    expect(rig.mailFiles().length).toBe(30);
    const usage = usageByMail(board.output());
    const at = [1, 10, 20, 30].map((k) => usage.get(k)!);
    const slope = perMail([...usage].filter(([k]) => k >= 10));
    say(`16k build: process.memory().usage after mails 1, 10, 20, 30: ${at.join(", ")} variables of 16,383 (${slope.toFixed(2)} a mail from mail 10)`);
    // What the configuration explains: one send time per mail in the hour's window (a float in
    // an array: at most 2 variables on Espruino). The growth is the fitted slope over mails 10
    // to 30, not the difference of two readings: one reading once came a variable low in CI
    // (2,620 at mail 10 against 2,621 in every other run), which a two-point bound with no
    // room failed on. A leak of one variable a mail makes the slope 3.
    expect(slope).toBeLessThanOrEqual(2.1);
    expect(board.output()).not.toMatch(/Uncaught|OUT OF MEMORY/);
    await board.kill();
  });

  it("5,100 variables (an Espruino Pico), the bundle sent to RAM: it loads and 3 alarms become 3 mails, without LOW_MEMORY", { timeout: 90_000 }, async () => {
    // Loading the source holds the 16 KB script as text while it is parsed; with the start at
    // the script's top level (firmware/targets/espruino/main.ts) that peak fits 5,100
    // variables. docs/targets.md gives the figures; the saved bundle (next test) leaves more room.
    const rig = await openRig({ binary: k5 as string, config: boardConfig() });
    rig.storeSettings();
    const board = rig.boot("", 'setTimeout(function(){print("usage="+process.memory().usage)},300);');
    await board.waitFor("the usage line", (t) => /OUT OF MEMORY|usage=\d+/.test(t), 20_000);
    expect(board.output()).not.toContain("OUT OF MEMORY");
    say(`5k build from RAM: ${/usage=(\d+)/.exec(board.output())![1]} variables in use after load`);
    await alarms(rig, 3);
    expect(rig.mailFiles().length).toBe(3);
    expect(board.output()).not.toMatch(/Uncaught|OUT OF MEMORY|LOW_MEMORY/);
    await board.kill();
  });

  it("5,100 variables, the bundle run from Storage (as a board runs its saved code): it loads and 3 alarms become 3 mails", { timeout: 90_000 }, async () => {
    // Run from flash, functions keep their code there instead of in variables: measured
    // 1,434 variables in use after load (2,855 from RAM on the 16k build).
    const rig = await openRig({ binary: k5 as string, config: boardConfig() });
    rig.storeSettings();
    writeFileSync(path.join(rig.dir, "store.js"), `require("Storage").write("cm.js", ${JSON.stringify(readFileSync(BUNDLE, "latin1"))});`, "latin1");
    evaluate(k5 as string, rig.dir, 'eval(require("fs").readFileSync("store.js"))');
    const script = path.join(rig.dir, "boot.js");
    writeFileSync(script, 'eval(require("Storage").read("cm.js"));\nsetTimeout(function(){print("usage="+process.memory().usage)},300);', "latin1");
    const board = EspruinoBoard.start(k5 as string, rig.dir, script);
    rig.board = board;
    await board.waitFor("the usage line", (t) => /usage=\d+/.test(t), 20_000);
    say(`5k build from Storage: ${/usage=(\d+)/.exec(board.output())![1]} variables in use after load`);
    await alarms(rig, 3);
    expect(rig.mailFiles().length).toBe(3);
    expect(board.output()).not.toMatch(/Uncaught|OUT OF MEMORY|LOW_MEMORY/);
    await board.kill();
  });

  it("a configuration row answered the third time, after two lost answers: written three times in place, the configuration once (issue 12)", { timeout: 60_000 }, async () => {
    // The echoes of the two unanswered tries end in CR and come glued in front of the third's:
    // the text framing's echo check (endsWith on Espruino) must find it at the line's end.
    const faults = [{ kind: "loseFinal", command: "+QSMTPCFG", match: '"account"', times: 2 }];
    const rig = await openRig({ binary: resizable as string, config: boardConfig(), faults, trace: true });
    rig.storeSettings();
    const board = rig.boot();
    await board.waitFor("the bundle's start", (t) => t.includes("cellmail (compact) started"), 20_000);
    await alarms(rig, 1);
    const written = (p: string) => rig.modemOutput().split("\n").filter((l) => l.includes("> " + p)).length;
    expect(written('AT+QSMTPCFG="account"')).toBe(3);
    expect(written('AT+QSMTPCFG="contextid"')).toBe(1);
    expect(written("AT+QSMTPPUT=")).toBe(1);
    expect(board.output()).not.toMatch(/Uncaught|failed: 1038/);
    await board.kill();
  });

  it("a power cut after AT+QSMTPPUT was written and before its result: after the restart the alarm arrives (once or twice)", { timeout: 60_000 }, async () => {
    // The module takes 2 s for the SMTP transaction: time to cut the power in between.
    const module = { ...FAST_MODULE, timing: { ...FAST_MODULE.timing, smtpSendMs: 2000 } };
    const rig = await openRig({ binary: resizable as string, config: boardConfig(), module, trace: true });
    rig.storeSettings();
    const first = rig.boot();
    await first.waitFor("the bundle's start", (t) => t.includes("cellmail (compact) started"), 20_000);
    rig.pin(PIN, 1);
    await rig.waitModem("AT+QSMTPPUT written", (t) => /> AT\+QSMTPPUT=/.test(t), 30_000);
    expect(rig.modemOutput()).not.toMatch(/< [^\n]*\+QSMTPPUT: /);
    await first.kill();
    expect(rig.modemOutput()).not.toMatch(/< [^\n]*\+QSMTPPUT: /); // cut before the result reached it
    rig.pin(PIN, 0); // the leak is over by the restart (raiseAtStart would raise it again, a new alarm)
    const second = rig.boot(); // the same espruino.flash: the outbox entry is there
    await second.waitFor("the bundle's start", (t) => t.includes("cellmail (compact) started"), 20_000);
    // The restarted board sends the stored alarm again (at least once: it cannot know the first send ended).
    await second.waitFor("the resend", (t) => t.includes("mail delivered"), 30_000);
    await rig.waitMails(1, 10_000);
    await new Promise((r) => setTimeout(r, 500)); // the module's mail server writes what it has
    const n = rig.mailFiles().length;
    say(`power cut during the send: ${n} mail(s) arrived (the module finished its send; the restarted board sent it again)`);
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThanOrEqual(2);
    for (const m of await rig.mails()) expect(m.subject).toBe("[pump-house-3] ALARM Water leak");
    await second.kill();
    expect(existsSync(path.join(rig.dir, "espruino.flash"))).toBe(true);
  });
});
