// `cellmail flash espruino` up to the board (the board itself is the real interpreter in
// test/espruino/flash.test.ts): it is a command of the `flash` group with the same board
// options as `config --espruino`; a configuration the compact profile refuses and a bundle
// the console cannot carry stop it before any port is opened (exit 2, field paths).
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crc32, runFlashEspruino, type FlashEspruinoOptions } from "../../host-sim/cli/flash-espruino.js";
import { BOARD_CONFIG, captured, runCli, killAll, tempDir } from "./support.js";

const CONFIG = BOARD_CONFIG;

/** Run the command in this process (no port answers at /dev/null-no-board); its output, its status. */
function flash(o: Partial<FlashEspruinoOptions>) {
  const all = { port: "/dev/null-no-board", serial: "2", baud: 115200, consoleBaud: 115200, timeout: 1000, config: "", ...o };
  return captured(() => runFlashEspruino(all));
}

describe("cellmail flash espruino (before the board)", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir("cellmail-flash-espruino-");
    writeFileSync(path.join(dir, "board.json"), JSON.stringify(CONFIG));
    writeFileSync(path.join(dir, "bad.json"), JSON.stringify({ ...CONFIG, recipients: { to: ["nobody"] } }));
    writeFileSync(path.join(dir, "verify.json"), JSON.stringify({ ...CONFIG, smtp: { ...CONFIG.smtp, ssl: { verify: true } } }));
    writeFileSync(path.join(dir, "two-lines.js"), "var a = 1;\nvar b = 2;\n");
  });
  afterAll(async () => {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is a command of the flash group with config --espruino's board options", async () => {
    const r = await runCli(["flash", "espruino", "--help"], dir);
    expect(r.code).toBe(0);
    for (const o of ["--config <file>", "--port <path>", "--save", "--serial <n>", "--rx <pin>", "--tx <pin>", "--baud <rate>", "--device <path>", "--console-baud <rate>", "--timeout <ms>"]) {
      expect(r.stdout).toContain(o);
    }
    const group = await runCli(["flash", "--help"], dir);
    expect(group.stdout).toMatch(/^\s+moddable /m);
    expect(group.stdout).toMatch(/^\s+espruino /m);
  });

  it("refuses a configuration the board would refuse, with the field path (exit 2), before opening the port", async () => {
    const r = await flash({ config: path.join(dir, "bad.json") });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/invalid configuration/);
    expect(r.stderr).toMatch(/recipients\.to\[0\]/);
    expect(r.stderr).not.toMatch(/no such port/);
    expect(r.stdout).toBe("");
  });

  it("refuses what the compact profile cannot do (certificate verification), exit 2", async () => {
    const r = await flash({ config: path.join(dir, "verify.json") });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/smtp\.ssl\.verify/);
  });

  it("refuses a bundle that is not one console line when it goes to RAM (exit 2); --save takes it, then finds no port", async () => {
    const bundle = path.join(dir, "two-lines.js");
    const ram = await flash({ config: path.join(dir, "board.json"), bundle });
    expect(ram.status).toBe(2);
    expect(ram.stderr).toContain(`${bundle}: character "\\n" at 10: the console takes one line of printable ASCII`);
    const saved = await flash({ config: path.join(dir, "board.json"), bundle, save: true });
    expect(saved.status).toBe(2);
    expect(saved.stderr).toBe("cellmail flash espruino: /dev/null-no-board: no such port (is the board plugged in? ls /dev/tty*)\n");
    expect(saved.stdout).toContain("board.json: configuration OK (compact profile)");
  });

  it("checks a saved file with the CRC-32 Espruino's E.CRC32 gives (values read on the real interpreter)", () => {
    expect(crc32("helloworld")).toBe(4192936109);
    expect(crc32("")).toBe(0);
  });
});
