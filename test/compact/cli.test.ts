// `cellmail sim --composition espruino`, as a user runs it: the CLI as a child process in a
// temp working directory, on both engines; a scenario that needs a module the composition
// does not carry is refused, naming the module, with exit status 2; the old `--profile`
// flag ends with what replaced it.
import { readFileSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAll, lastJson, runCli, tempDir } from "../cli/support.js";

describe("cellmail sim --composition espruino", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir("cellmail-cli-compact-");
  });
  afterAll(async () => {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs the alarm demo on the compact core (Node): exit 0, one mail, the composition in the JSON summary and the report", async () => {
    const r = await runCli(["sim", "--composition", "espruino", "--json", "--report", "report.html"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("engine node, composition espruino");
    expect(r.stdout).toMatch(/state\s+cellmail \(compact\) started/);
    const j = lastJson(r.stdout);
    expect(j).toMatchObject({ scenario: "alarm-demo", engine: "node", composition: "espruino", ok: true, delivered: 1, failed: 0, errors: [] });
    expect((j.mails as { subject: string }[])[0].subject).toBe("[pump-house-3] ALARM Water leak in the pump room");
    expect(readFileSync(j.transcript as string, "utf8")).not.toContain("sim-Secret-42");
    expect(readFileSync(`${dir}/report.html`, "utf8")).toContain("<dt>Composition</dt><dd>espruino</dd>");
  });

  it("runs the compact core inside XS with --engine xs; a failure scenario prints the cause text from the host tables", async () => {
    const r = await runCli(["sim", "--composition", "espruino", "--engine", "xs", "--scenario", "auth-failure-535"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("scenario auth-failure-535 (engine xs, composition espruino) finished");
    expect(r.stdout).toContain("error 677: SMTP 535: authentication failed (user name or password)");
    expect(r.stdout).toContain("expectation: held (ok)");
  });

  it("the node composition stays the default", async () => {
    const r = await runCli(["sim", "--scenario", "happy-path", "--json"], dir);
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout)).toMatchObject({ engine: "node", composition: "node", ok: true });
  });

  it("refuses a scenario that needs a module the composition does not carry, naming the module, exit 2", async () => {
    const r = await runCli(["sim", "--composition", "espruino", "--scenario", "upload-corruption"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("scenario upload-corruption needs the module attachments, which the espruino composition does not carry");
  });

  it("refuses an unknown composition (commander's choices: a non-zero exit, as for --engine)", async () => {
    const r = await runCli(["sim", "--composition", "compact"], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--composition.*compact.*espruino.*moddable.*node/s);
  });

  it("the old --profile flag ends with the flag that replaced it, exit 2, before anything runs", async () => {
    for (const args of [["sim", "--profile", "compact"], ["fleet", "--profile", "full"]]) {
      const r = await runCli(args, dir);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain("--profile is gone: use --composition espruino|moddable|node");
      expect(r.stdout).toBe("");
    }
  });
});
