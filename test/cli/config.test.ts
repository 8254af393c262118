// `cellmail config FILE` end to end, as a user runs it (the CLI as a child process in a
// temp working directory): a valid file gives "configuration OK" and a summary without
// the password; an invalid one every problem with its field path and exit status 2;
// --compact prints JSON the board's deviceError() accepts; --espruino prints a command
// line whose -e argument holds no single quote, which a real shell splits into the
// expected arguments and whose script writes the settings and the compact configuration.
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deviceError, type DeviceConfig } from "../../firmware/config/device.js";
import { killAll, runCli, tempDir } from "./support.js";

const PASSWORD = "it's-a-Secret-7";
const CONFIG = {
  board: "pump-house-3",
  smtp: { provider: "tencent", region: "hongkong", user: "alarm@example.com", password: PASSWORD },
  sender: { name: "Pump house 3", address: "alarm@example.com" },
  recipients: { to: ["ops@example.com"] },
  network: { apn: "cmnet" },
  alarm: { inputs: [{ key: "leak", title: "Water leak – Keller's Süd", pin: 0, activeLevel: 0 }] },
};

describe("cellmail config", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    writeFileSync(path.join(dir, "board.json"), JSON.stringify(CONFIG));
    writeFileSync(path.join(dir, "bad.json"), JSON.stringify({ ...CONFIG, smtp: { ...CONFIG.smtp, port: 25 }, recipients: { to: ["nobody"] } }));
    writeFileSync(path.join(dir, "verify.json"), JSON.stringify({ ...CONFIG, smtp: { ...CONFIG.smtp, ssl: { verify: true, cacert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" } } }));
    writeFileSync(path.join(dir, "broken.json"), "{ not json");
  });
  afterAll(async () => {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a valid file: configuration OK and a redacted summary, exit 0", async () => {
    const r = await runCli(["config", "board.json"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^board\.json: configuration OK$/m);
    expect(r.stdout).toMatch(/smtp\.qcloudmail\.com:465 ssltype 1/);
    expect(r.stdout).toMatch(/account: +alarm@example\.com, password \*\*\*/);
    expect(r.stdout).toMatch(/to: +ops@example\.com/);
    expect(r.stdout).not.toContain(PASSWORD);
    expect(r.stdout).not.toMatch(/not usable/);
  });

  it("an invalid file: every problem with its field path, exit 2, nothing on stdout", async () => {
    const r = await runCli(["config", "bad.json"], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/invalid configuration \(2 problems\)/);
    expect(r.stderr).toContain("smtp.port: Tencent SES accepts SMTP on port 465 only (25 is disabled)");
    expect(r.stderr).toMatch(/recipients\.to\[0\]: .*not a valid address/);
    expect(r.stderr).not.toContain(PASSWORD);
  });

  it("--espruino --device: lteDevice (Espruino on Linux) is stored next to the port settings, shell-safe", async () => {
    const r = await runCli(["config", "board.json", "--espruino", "--device", "/tmp/it's/ec800"], dir);
    expect(r.code).toBe(0);
    const expr = /-e '([^']*)'$/.exec(r.stdout.trim())![1];
    let stored: Record<string, unknown> = {};
    vm.runInNewContext(expr, { require: () => ({ writeJSON: (_n: string, v: Record<string, unknown>) => (stored = v) }) });
    expect(stored.lteDevice).toBe("/tmp/it's/ec800");
    expect(stored.lteSerial).toBe(2);
  });

  it("a file that is not JSON: exit 2 with the reason", async () => {
    const r = await runCli(["config", "broken.json"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.json: not valid JSON/);
    const missing = await runCli(["config", "missing.json"], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing\.json: cannot read: no such file/);
  });

  it("--compact: pure-ASCII JSON with the password that deviceError accepts", async () => {
    const r = await runCli(["config", "board.json", "--compact"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const text = r.stdout.trim();
    expect(text.split("\n")).toHaveLength(1);
    expect(/^[\x20-\x7e]*$/.test(text)).toBe(true);
    const c = JSON.parse(text) as DeviceConfig;
    expect(deviceError(c)).toBe(0);
    expect(c).toMatchObject({ board: "pump-house-3", server: "smtp.qcloudmail.com", port: 465, sslType: 1, password: PASSWORD, to: ["ops@example.com"] });
    expect(c.inputs[0].title).toBe("Water leak – Keller's Süd");
  });

  it("--compact refuses what the compact profile cannot do (verify), exit 2; the plain check says so too", async () => {
    const r = await runCli(["config", "verify.json", "--compact"], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/smtp\.ssl\.verify: the compact profile .*full profile \(Moddable\/Node\)/);
    const plain = await runCli(["config", "verify.json"], dir);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/compact profile \(Espruino\): not usable: smtp\.ssl\.verify/);
  });

  it("--espruino: a command line writing cellmail.json, no single quote inside -e, parsed right by a shell", async () => {
    const r = await runCli(["config", "board.json", "--espruino", "--port", "/dev/ttyACM0", "--rx", "16", "--tx", "17"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const line = r.stdout.trim();
    expect(line.split("\n")).toHaveLength(1);
    const m = /^espruino -p \/dev\/ttyACM0 -b 115200 -e '([^]*)'$/.exec(line);
    expect(m).not.toBeNull();
    const script = m![1];
    expect(script).not.toContain("'");
    expect(script).toMatch(/^require\("Storage"\)\.writeJSON\("cellmail\.json",\{lteSerial:2,lteRx:16,lteTx:17,lteBaud:115200,cellmail:\{/);

    // A real shell splits it into the expected arguments.
    const args = execFileSync("bash", ["-c", `espruino() { printf '%s\\0' "$@"; }; ${line}`], { encoding: "utf8" }).split("\0").slice(0, -1);
    expect(args).toEqual(["-p", "/dev/ttyACM0", "-b", "115200", "-e", script]);

    // The script writes the hardware settings and a compact configuration the board accepts.
    const written: { name: string; value: any }[] = [];
    const storage = { writeJSON: (name: string, value: unknown) => written.push({ name, value: JSON.parse(JSON.stringify(value)) }) };
    vm.runInNewContext(script, { require: (m: string) => (m === "Storage" ? storage : undefined) });
    expect(written).toHaveLength(1);
    expect(written[0].name).toBe("cellmail.json");
    const v = written[0].value;
    expect(Object.keys(v)).toEqual(["lteSerial", "lteRx", "lteTx", "lteBaud", "cellmail"]);
    expect(v).toMatchObject({ lteSerial: 2, lteRx: 16, lteTx: 17, lteBaud: 115200 });
    expect(deviceError(v.cellmail)).toBe(0);
    expect(v.cellmail.password).toBe(PASSWORD);
    expect(v.cellmail.inputs[0].title).toBe("Water leak – Keller's Süd");
  });

  it("--espruino defaults and options: port, Serial1, baud rates; a port with a quote stays one shell word", async () => {
    const d = await runCli(["config", "board.json", "--espruino"], dir);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/^espruino -p \/dev\/ttyUSB0 -b 115200 -e 'require\("Storage"\)\.writeJSON\("cellmail\.json",\{lteSerial:2,lteBaud:115200,cellmail:\{"format":/);
    const port = "/tmp/it's a tty";
    const r = await runCli(["config", "board.json", "--espruino", "--port", port, "--serial", "1", "--baud", "9600", "--console-baud", "921600"], dir);
    expect(r.code).toBe(0);
    const line = r.stdout.trim();
    expect(line).toContain("{lteSerial:1,lteBaud:9600,cellmail:");
    const args = execFileSync("bash", ["-c", `espruino() { printf '%s\\0' "$@"; }; ${line}`], { encoding: "utf8" }).split("\0").slice(0, -1);
    expect(args.slice(0, 5)).toEqual(["-p", port, "-b", "921600", "-e"]);
    expect(args).toHaveLength(6);
    const bad = await runCli(["config", "board.json", "--espruino", "--serial", "3"], dir);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--serial/);
  });
});
