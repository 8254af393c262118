// `cellmail sim --profile compact`, as a user runs it: the CLI as a child process in a
// temp working directory, on both engines; a scenario that does not apply to the profile
// is refused with its reason and exit status 2.
import { readFileSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAll, lastJson, runCli, tempDir } from "../cli/support.js";

describe("cellmail sim --profile compact", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir("cellmail-cli-compact-");
  });
  afterAll(async () => {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs the alarm demo on the compact core (Node): exit 0, one mail, the profile in the JSON summary and the report", async () => {
    const r = await runCli(["sim", "--profile", "compact", "--json", "--report", "report.html"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("engine node, profile compact");
    expect(r.stdout).toMatch(/state\s+cellmail \(compact\) started/);
    const j = lastJson(r.stdout);
    expect(j).toMatchObject({ scenario: "alarm-demo", engine: "node", profile: "compact", ok: true, delivered: 1, failed: 0, errors: [] });
    expect((j.mails as { subject: string }[])[0].subject).toBe("[pump-house-3] ALARM Water leak in the pump room");
    expect(readFileSync(j.transcript as string, "utf8")).not.toContain("sim-Secret-42");
    expect(readFileSync(`${dir}/report.html`, "utf8")).toContain("<dt>Profile</dt><dd>compact</dd>");
  });

  it("runs the compact core inside XS with --engine xs; a failure scenario prints the cause text from the host tables", async () => {
    const r = await runCli(["sim", "--profile", "compact", "--engine", "xs", "--scenario", "auth-failure-535"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("scenario auth-failure-535 (engine xs, profile compact) finished");
    expect(r.stdout).toContain("error 677: SMTP 535: authentication failed (user name or password)");
    expect(r.stdout).toContain("expectation: held (ok)");
  });

  it("the full profile stays the default", async () => {
    const r = await runCli(["sim", "--scenario", "happy-path", "--json"], dir);
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout)).toMatchObject({ engine: "node", profile: "full", ok: true });
  });

  it("refuses a scenario that needs what the compact profile leaves out, with the reason, exit 2", async () => {
    const r = await runCli(["sim", "--profile", "compact", "--scenario", "upload-corruption"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("scenario upload-corruption does not apply to the compact profile (profiles: full): needs an attachment");
  });

  it("refuses an unknown profile (commander's choices: a non-zero exit, as for --engine)", async () => {
    const r = await runCli(["sim", "--profile", "tiny"], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--profile.*tiny.*(full|compact)/s);
  });
});
