// `cellmail flash moddable` without the SDK (the real lin build and run are in
// `npm run test:moddable`, test/moddable/lin.test.ts): the configuration is checked with
// the board's validator, the app manifest includes cellmail's library after manifest_base
// and carries the configuration (mode 0600: it holds the passwords), the mcconfig command
// line is what each platform needs, and a missing SDK or ESP-IDF is said plainly.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIBRARY_MANIFEST } from "../../host-sim/xs/device-stack.js";
import { APP_MAIN, runFlashModdable } from "../../host-sim/cli/flash-moddable.js";
import { BOARD_CONFIG, captured, runCli, killAll, tempDir } from "./support.js";

const CONFIG = BOARD_CONFIG;

/** Run the command in this process; its output, its status. */
function flash(args: Parameters<typeof runFlashModdable>[0], extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
  return captured(() => runFlashModdable(args, extra, { PATH: process.env.PATH, ...env }));
}

describe("cellmail flash moddable", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir("cellmail-flash-");
    writeFileSync(path.join(dir, "board.json"), JSON.stringify(CONFIG));
    writeFileSync(path.join(dir, "bad.json"), JSON.stringify({ ...CONFIG, recipients: { to: ["nobody"] } }));
    // An SDK that has its tools, and a home without one.
    mkdirSync(path.join(dir, "sdk", "build", "bin", "lin", "release"), { recursive: true });
    writeFileSync(path.join(dir, "sdk", "build", "bin", "lin", "release", "mcconfig"), "");
    mkdirSync(path.join(dir, "home"));
  });
  afterAll(async () => {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is a command of the CLI (flash moddable --help)", async () => {
    const r = await runCli(["flash", "moddable", "--help"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--platform <platform>/);
    expect(r.stdout).toMatch(/esp32.*lin|lin.*esp32/);
  });

  it("refuses a configuration the board would refuse, with the field path (exit 2), and writes nothing", async () => {
    const out = path.join(dir, "out-bad");
    const r = await flash({ config: path.join(dir, "bad.json"), platform: "lin", out, dryRun: true });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/recipients\.to/);
    expect(() => statSync(out)).toThrow();
  });

  it("lin: an app manifest with the library after manifest_base and the configuration; mcconfig -d, make's build target, --port as lteDevice", async () => {
    const out = path.join(dir, "out-lin");
    const r = await flash({ config: path.join(dir, "board.json"), platform: "lin", port: "/dev/ttyUSB1", out, dryRun: true }, ["gpioRoot=/tmp/g/"]);
    expect(r.status, r.stderr).toBe(0);
    const manifestPath = path.join(out, "cellmail", "manifest.json");
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    expect(manifest.include).toEqual(["$(MODDABLE)/examples/manifest_base.json", LIBRARY_MANIFEST]);
    expect(manifest.modules).toEqual({ "*": [APP_MAIN] });
    expect(manifest.config.cellmail).toEqual(CONFIG);
    expect(manifest.creation).toBeUndefined(); // the library's creation.stack counts
    expect(statSync(manifestPath).mode & 0o777).toBe(0o600);
    expect(r.stdout).toContain(`mcconfig -d -p lin -o ${path.join(out, "build")} ${manifestPath} lteDevice=/dev/ttyUSB1 gpioRoot=/tmp/g/`);
    expect(r.stdout).toContain(`make -f ${path.join(out, "build", "tmp", "lin", "mc", "debug", "cellmail", "makefile")} build`);
    expect(r.stdout).not.toContain("s3cret-pw");
  });

  it("esp32: mcconfig -d -m, the board's port as UPLOAD_PORT, mcconfig's own options passed on", async () => {
    const out = path.join(dir, "out-esp32");
    const r = await flash({ config: path.join(dir, "board.json"), platform: "esp32", port: "/dev/ttyACM0", out, dryRun: true }, ["ltePort=1", "lteRx=4"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`UPLOAD_PORT=/dev/ttyACM0 mcconfig -d -m -p esp32 -o ${path.join(out, "build")} ${path.join(out, "cellmail", "manifest.json")} ltePort=1 lteRx=4`);
  });

  it("says plainly when the SDK is missing: MODDABLE wrong, or unset with none built in ~/.cache/cellmail", async () => {
    const cfg = path.join(dir, "board.json");
    const wrong = await flash({ config: cfg, platform: "lin", out: path.join(dir, "o1") }, [], { MODDABLE: path.join(dir, "nowhere"), HOME: path.join(dir, "home") });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/MODDABLE is .*nowhere, which does not exist/);
    const none = await flash({ config: cfg, platform: "lin", out: path.join(dir, "o2") }, [], { HOME: path.join(dir, "home") });
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/MODDABLE is not set and there is no SDK at .*home\/\.cache\/cellmail\/moddable-sdk/);
    expect(none.stderr).toMatch(/build-sdk\.sh/);
    const unbuilt = await flash({ config: cfg, platform: "lin", out: path.join(dir, "o3") }, [], { MODDABLE: path.join(dir, "home") });
    expect(unbuilt.stderr).toMatch(/has no built tools/);
  });

  it("says plainly when the ESP-IDF is missing for esp32", async () => {
    const cfg = path.join(dir, "board.json");
    const r = await flash({ config: cfg, platform: "esp32", out: path.join(dir, "o4") }, [], { MODDABLE: path.join(dir, "sdk") });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/IDF_PATH is not set/);
    const bad = await flash({ config: cfg, platform: "esp32", out: path.join(dir, "o5") }, [], { MODDABLE: path.join(dir, "sdk"), IDF_PATH: dir });
    expect(bad.stderr).toMatch(/not an ESP-IDF/);
  });

  it("--run is for lin only", async () => {
    const r = await flash({ config: path.join(dir, "board.json"), platform: "esp32", run: true, dryRun: true });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--run is for --platform lin/);
  });
});
