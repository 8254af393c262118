// `npm run test:moddable` (not part of `npm test`: it needs the Moddable SDK and takes a
// minute or two of real time): the project's own Moddable build on the real Moddable
// runtime, the SDK's `lin` platform, against the simulated EC800 on a pseudo-terminal.
//
//  1. Build manifests/moddable/manifest.json unmodified for lin (mcconfig -d, then make's
//     `build` target), with flat overrides only: the module's device (lteDevice), a folder
//     for the GPIO sysfs layout (gpioRoot) and one for the Store (storeRoot). The flattened
//     manifest must carry the library's creation.stack: the app runs with that stack.
//  2. Run it in mcsim (under xvfb-run), raise the alarm of input 0 by writing 0 to
//     <gpioRoot>/gpio0/value, and read the mail back from the module's SMTP server with
//     mailparser.
//  3. Write 1: the input clears, a second alarm (the example input has notifyClear). Cut
//     the power (SIGKILL to mcsim) once its mail job has started: the alarm is in the
//     Store (write-ahead) and the send has not ended.
//  4. Start again: the stored alarm is sent, and its mail arrives.
// The debug build reports its stack use every second (instrumentation): the deepest is
// printed against creation.stack.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";
import { afterAll, describe, expect, it } from "vitest";
import { buildModdableModules, findModdableSdk, flashPlan, mcsimCommand, runFlashModdable, type ModdableSdk } from "../../host-sim/cli/flash-moddable.js";
import { manifestStackSlots } from "../../host-sim/xs/device-stack.js";
import { REPO_ROOT } from "../../host-sim/xs/bundle.js";

const say = (line: string) => process.stdout.write(`test:moddable: ${line}\n`);
const work = mkdtempSync(path.join(tmpdir(), "cellmail-moddable-"));
const dirs = { gpio: path.join(work, "gpio"), store: path.join(work, "store"), mail: path.join(work, "mail"), build: path.join(work, "build") };
const link = path.join(work, "ec800");
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const c of children) stop(c, "SIGKILL");
  if (!process.env.CELLMAIL_KEEP) rmSync(work, { recursive: true, force: true });
  else say(`kept ${work}`);
});

/** A child in its own process group (xvfb-run starts Xvfb and mcsim under it), with its output collected. */
function start(command: string[], env: NodeJS.ProcessEnv, cwd = REPO_ROOT): { child: ChildProcess; out: () => string } {
  let text = "";
  const child = spawn(command[0], command.slice(1), { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (b: Buffer) => (text += b.toString("utf8")));
  child.stderr!.on("data", (b: Buffer) => (text += b.toString("utf8")));
  children.add(child);
  child.once("exit", () => children.delete(child));
  return { child, out: () => text };
}

/** Signal the child's whole process group (the ids are our children's; nothing else is touched). */
function stop(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", () => r()));
}

async function waitFor(what: string, check: () => boolean, ms: number, output?: () => string): Promise<number> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}${output ? `; output so far:\n${output().slice(-3000)}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - t0;
}

const firmwareLines = (out: string) => out.split("\n").filter((l) => /^(debug|info|warn|error) /.test(l));

/** The deepest "Stack used" the instrumentation reported, in slots, and the stack's size in slots. */
function stackUse(out: string): { peak: number; size: number } {
  const key = /instruments key: (.*)/.exec(out)?.[1].split(",") ?? [];
  const used = key.indexOf("Stack used");
  const avail = key.indexOf("Stack available");
  let peak = 0;
  let size = 0;
  for (const m of out.matchAll(/^instruments: (.*)$/gm)) {
    const v = m[1].split(",").map(Number);
    if (v[used] > peak) peak = v[used];
    size = v[avail];
  }
  const slot = size > 0 ? size / manifestStackSlots() : 1;
  return { peak: Math.round(peak / slot), size: Math.round(size / slot) };
}

async function mails(): Promise<ParsedMail[]> {
  const files = existsSync(dirs.mail) ? readdirSync(dirs.mail).filter((f) => f.endsWith(".eml")).sort() : [];
  return Promise.all(files.map((f) => simpleParser(readFileSync(path.join(dirs.mail, f)))));
}

const emlCount = () => (existsSync(dirs.mail) ? readdirSync(dirs.mail).filter((f) => f.endsWith(".eml")).length : 0);

function setInput(level: 0 | 1): void {
  writeFileSync(path.join(dirs.gpio, "gpio0", "value"), `${level}\n`);
}

describe("the Moddable build on the real Moddable runtime (lin)", () => {
  const found = findModdableSdk();
  let sdk: ModdableSdk;
  let app = "";
  let env: NodeJS.ProcessEnv = process.env;
  let stackPeak = 0;
  let run1: ReturnType<typeof start> | null = null;

  it("finds the Moddable SDK and the tools mcsim needs", () => {
    if ("problem" in found) throw new Error(`no Moddable SDK: ${found.problem}`);
    sdk = found;
    for (const tool of ["xvfb-run", "stdbuf", "make", "socat"]) {
      expect(spawnSync("sh", ["-c", `command -v ${tool}`]).status, `${tool} is needed (xvfb-run: Debian package xvfb)`).toBe(0);
    }
    env = { ...process.env, MODDABLE: sdk.root, PATH: `${sdk.bin}:${process.env.PATH ?? ""}` };
    say(`Moddable SDK at ${sdk.root}; work folder ${work}`);
  });

  it("builds the unmodified manifest for lin, with the library's creation.stack", { timeout: 600_000 }, async () => {
    mkdirSync(path.join(dirs.gpio, "gpio0"), { recursive: true });
    mkdirSync(dirs.build, { recursive: true });
    setInput(1); // input 0 is active low (the manifest's example configuration): idle
    const t0 = Date.now();
    await buildModdableModules();
    const manifest = path.join(REPO_ROOT, "manifests", "moddable", "manifest.json");
    const args = ["-d", "-p", "lin", "-o", dirs.build, manifest, `lteDevice=${link}`, `gpioRoot=${dirs.gpio}/`, `storeRoot=${dirs.store}/`];
    const mc = spawnSync(path.join(sdk.bin, "mcconfig"), args, { env, encoding: "utf8" });
    expect(mc.status, mc.stdout + mc.stderr).toBe(0);
    const tmp = path.join(dirs.build, "tmp", "lin", "mc", "debug", "moddable");
    const make = spawnSync("make", ["-f", path.join(tmp, "makefile"), "build"], { env, cwd: tmp, encoding: "utf8", maxBuffer: 64 << 20 });
    const log = make.stdout + make.stderr;
    expect(make.status, log.slice(-3000)).toBe(0);
    expect(log).not.toMatch(/no modules match/);
    const flat = JSON.parse(readFileSync(path.join(tmp, "manifest_flat.json"), "utf8")) as { creation: { stack: number } };
    expect(flat.creation.stack).toBe(manifestStackSlots());
    app = path.join(dirs.build, "bin", "lin", "mc", "debug", "moddable", "mc.so");
    expect(existsSync(app)).toBe(true);
    say(`built manifests/moddable/manifest.json for lin in ${Math.round((Date.now() - t0) / 1000)} s: mcconfig ${args.join(" ")}`);
    say(`creation.stack ${flat.creation.stack} slots (manifest_flat.json, from manifests/moddable/cellmail.json)`);
  });

  let modem: ReturnType<typeof start> | null = null;

  it("delivers an alarm raised through the GPIO folder; the mail reads back with mailparser", { timeout: 180_000 }, async () => {
    modem = start(["node", "bin/cellmail.mjs", "modem", "--pty", "--link", link, "--mail-dir", dirs.mail], env);
    await waitFor("the simulated module's device", () => /^device: /m.test(modem!.out()), 30_000, modem.out);
    say(`module: ${/^device: (.*)$/m.exec(modem.out())![1]} (cellmail modem --pty)`);

    run1 = start(mcsimCommand(sdk, app, env), env);
    await waitFor("cellmail to start", () => /info cellmail started on moddable/.test(run1!.out()), 60_000, run1.out);
    setInput(0);
    say(`run 1: started; alarm raised: wrote 0 to ${path.join(dirs.gpio, "gpio0", "value")}`);
    const took = await waitFor("the mail", () => /mail a\d+: delivered/.test(run1!.out()) && emlCount() >= 1, 120_000, run1.out);
    const [mail] = await mails();
    expect(mail.subject).toBe("[cellmail-esp32] ALARM Alarm input");
    expect(mail.from?.value[0].address).toBe("alarm@example.com");
    expect((mail.to as { value: { address?: string }[] }).value.map((a) => a.address)).toEqual(["ops@example.com"]);
    expect(mail.text).toMatch(/^Alarm: Alarm input \(input0\)\r?$/m);
    say(`run 1: mail "${mail.subject}" from ${mail.from?.text} to ${(mail.to as { text: string }).text} arrived ${(took / 1000).toFixed(1)} s after the alarm`);
  });

  it("keeps an alarm across a power cut during its send, and delivers it after the restart", { timeout: 240_000 }, async () => {
    // The input clears (notifyClear): a second alarm, "input0/clear". Cut the power once its
    // mail job has started: the entry is stored (write-ahead, as sending), the send not ended.
    const r1 = run1!;
    setInput(1);
    await waitFor("the second mail job to start", () => (r1.out().match(/mail a\d+: start/g) ?? []).length >= 2, 120_000, r1.out);
    stop(r1.child, "SIGKILL");
    await exited(r1.child);
    stackPeak = Math.max(stackPeak, stackUse(r1.out()).peak);
    for (const l of firmwareLines(r1.out())) say(`  ${l}`);
    expect((r1.out().match(/mail a\d+: delivered/g) ?? []).length).toBe(1);
    const stored = readdirSync(dirs.store).filter((f) => /^o\d+$/.test(f));
    say(`run 1: power cut (SIGKILL to mcsim) after the second "mail a..: start"; the Store holds ${stored.join(", ")}; mails so far: ${emlCount()}`);
    expect(stored.length).toBeGreaterThan(0);
    expect(emlCount()).toBe(1);

    // Run 2: the restart sends what the Store kept.
    const run2 = start(mcsimCommand(sdk, app, env), env);
    await waitFor("the stored alarm's mail", () => /mail a\d+: delivered/.test(run2.out()) && emlCount() >= 2, 120_000, run2.out);
    stackPeak = Math.max(stackPeak, stackUse(run2.out()).peak);
    stop(run2.child, "SIGTERM");
    await exited(run2.child);
    for (const l of firmwareLines(run2.out())) say(`  ${l}`);
    expect(run2.out()).toMatch(/resending 1 mail\(s\) interrupted by a restart/);
    const all = await mails();
    expect(all).toHaveLength(2);
    expect(all[1].subject).toBe("[cellmail-esp32] ALARM Alarm input cleared");
    expect(all[1].text).toMatch(/attempt 2/);
    say(`run 2: restarted; "${all[1].subject}" arrived (attempt 2: it was stored before the cut)`);
    const size = manifestStackSlots();
    say(`stack: deepest use ${stackPeak} of ${size} slots (the debug build's instrumentation, both runs)`);
    expect(stackPeak).toBeGreaterThan(0);
    expect(stackPeak).toBeLessThan(size);
  });

  /**
   * `cellmail flash moddable --platform lin` with a board's own configuration, the flashed app
   * in mcsim, its input `pin` raised: the app's output once its mail has arrived.
   */
  async function flashAndAlarm(name: string, board: { board: string }, pin: number): Promise<string> {
    const file = path.join(work, `${name}.json`);
    writeFileSync(file, JSON.stringify(board));
    mkdirSync(path.join(dirs.gpio, `gpio${pin}`), { recursive: true });
    writeFileSync(path.join(dirs.gpio, `gpio${pin}`, "value"), "0\n");
    const out = path.join(work, name);
    const before = emlCount();
    const t0 = Date.now();
    const status = await runFlashModdable({ config: file, platform: "lin", port: link, out }, [`gpioRoot=${dirs.gpio}/`, `storeRoot=${work}/store-${name}/`], env);
    expect(status).toBe(0);
    const built = flashPlan({ config: file, platform: "lin", port: link, out }, []).app!;
    say(`${name}: cellmail flash moddable --config ${name}.json --platform lin --port ${link} -- gpioRoot=... storeRoot=... built ${built} in ${Math.round((Date.now() - t0) / 1000)} s`);
    const run = start(mcsimCommand(sdk, built, env), env);
    await waitFor("cellmail to start", () => /info cellmail started on moddable/.test(run.out()), 60_000, run.out);
    writeFileSync(path.join(dirs.gpio, `gpio${pin}`, "value"), "1\n");
    await waitFor("the mail", () => /mail a\d+: delivered/.test(run.out()) && emlCount() > before, 120_000, run.out);
    stop(run.child, "SIGTERM");
    await exited(run.child);
    return run.out();
  }

  it("cellmail flash moddable --platform lin builds a board's own configuration, and the app sends with it", { timeout: 300_000 }, async () => {
    await flashAndAlarm("flash", {
      board: "flash-test",
      smtp: { provider: "generic", server: "smtp.example.com", port: 465, user: "alarm@example.com", password: "pw" },
      sender: { name: "flash test", address: "alarm@example.com" },
      recipients: { to: ["flash@example.com"] },
      network: { apn: "internet" },
      alarm: { inputs: [{ key: "door", title: "Door open", pin: 4, activeLevel: 1 }] },
    } as { board: string }, 4);
    const last = (await mails()).find((m) => m.subject === "[flash-test] ALARM Door open");
    expect(last, "the flashed configuration's mail").toBeDefined();
    expect((last!.to as { text: string }).text).toBe("flash@example.com");
    say(`flash: the flashed app sent "${last!.subject}" to ${(last!.to as { text: string }).text}`);
  });

  it("smtp.transport socket: the flashed app sends through the module's sockets with cellmail's own SMTP client", { timeout: 300_000 }, async () => {
    const out = await flashAndAlarm("socket", {
      board: "socket-test",
      smtp: { provider: "generic", server: "smtp.example.com", port: 465, user: "alarm@example.com", password: "pw", transport: "socket" },
      sender: { name: "socket test", address: "alarm@example.com" },
      recipients: { to: ["socket@example.com"], bcc: ["audit@example.com"] },
      network: { apn: "internet" },
      alarm: { inputs: [{ key: "valve", title: "Ventil offen", pin: 5, activeLevel: 1 }] },
    } as { board: string }, 5);
    for (const l of firmwareLines(out).filter((x) => /transport|socket|deliver/.test(x))) say(`  ${l}`);
    expect(out).toMatch(/transport: socket \(smtp\.transport is socket\)/);
    const last = (await mails()).find((m) => m.subject === "[socket-test] ALARM Ventil offen");
    expect(last, "the socket transport's mail").toBeDefined();
    expect((last!.to as { text: string }).text).toBe("socket@example.com");
    expect(last!.headers.get("bcc")).toBeUndefined();
    // The alarm's outbox id and the board's name: the same on a resend, different on another board.
    expect(last!.messageId).toMatch(/^<?a\d+_socket-test_89860012345678901234\.alarm@example\.com>?$/);
    say(`socket: the flashed app sent "${last!.subject}" through AT+QSSLOPEN, Message-ID ${last!.messageId}`);
  });

  it("stops the simulated module", async () => {
    if (modem) {
      stop(modem.child, "SIGINT");
      await exited(modem.child);
    }
  });
});
