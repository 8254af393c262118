// `cellmail sim` and `cellmail replay` end to end, as a user runs them: the CLI as a
// child process in a temp working directory, the embedded SMTP server on loopback.
// Checks exit status, the --json line's shape, the transcript and report files, and
// that a scenario whose expectation does not hold gives ok false and exit status 1.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAll, lastJson, ROOT, runCli, tempDir } from "./support.js";

describe("cellmail sim", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(async () => {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs the alarm demo by default (the main job): exit 0, one mail, the JSON summary last", async () => {
    const r = await runCli(["sim", "--json", "--report", "report.html"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = lastJson(r.stdout);
    expect(Object.keys(j)).toEqual(expect.arrayContaining(["scenario", "engine", "ok", "delivered", "failed", "mails", "errors", "transcript"]));
    expect(j).toMatchObject({ scenario: "alarm-demo", engine: "node", ok: true, delivered: 1, failed: 0, errors: [] });
    const mails = j.mails as Record<string, unknown>[];
    expect(mails).toHaveLength(1);
    expect(Object.keys(mails[0]).sort()).toEqual(["attachments", "cc", "eml", "envelope", "from", "subject", "to"]);
    expect(mails[0]).toMatchObject({
      subject: "[pump-house-3] ALARM Water leak in the pump room",
      to: ["ops@example.com"],
      cc: [],
      envelope: { from: "alarm@cellmail.test", rcptTo: ["ops@example.com"] },
      attachments: [],
    });
    expect(existsSync(mails[0].eml as string)).toBe(true);
    expect(mails[0].eml as string).toContain(path.join(dir, ".cellmail", "mail"));
    const transcript = readFileSync(j.transcript as string, "utf8");
    expect(transcript).toMatch(/^# cellmail transcript v1/);
    expect(transcript).not.toContain("sim-Secret-42");
    expect(readFileSync(path.join(dir, "report.html"), "utf8")).toContain("<title>cellmail session: alarm-demo</title>");
    // progress lines came before the summary, with virtual times
    expect(r.stdout).toMatch(/^\s+\d+\.\d{3}s\s+state\s+/m);
  });

  it("runs the core inside XS with --engine xs", async () => {
    const r = await runCli(["sim", "--engine", "xs", "--json"], dir);
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout)).toMatchObject({ scenario: "alarm-demo", engine: "xs", ok: true, delivered: 1 });
  });

  it("prints what arrived in human form without --json", async () => {
    const r = await runCli(["sim", "--scenario", "happy-path", "--transcript", "t/happy.transcript"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/From:\s+.*alarm@cellmail\.test/);
    expect(r.stdout).toMatch(/To:\s+ops@example\.com/);
    expect(r.stdout).toMatch(/Size:\s+\d+ bytes/);
    expect(r.stdout).toMatch(/Saved as:\s+\S+\.eml/);
    expect(r.stdout).toContain(`transcript: ${path.join(dir, "t/happy.transcript")}`);
    expect(existsSync(path.join(dir, "t/happy.transcript"))).toBe(true);
  });

  it("a scenario that fails as expected is ok (auth 535)", async () => {
    const r = await runCli(["sim", "--scenario", "auth-failure-535", "--json"], dir);
    const j = lastJson(r.stdout);
    expect(j).toMatchObject({ scenario: "auth-failure-535", ok: true, delivered: 0 });
    expect((j.errors as { code: number }[]).length).toBeGreaterThan(0);
    expect(r.code).toBe(0);
  });

  it("gives ok false and exit status 1 when the expectation does not hold", async () => {
    const happy = JSON.parse(readFileSync(path.join(ROOT, "host-sim/scenarios/happy-path.json"), "utf8"));
    const wrong = { ...happy, name: "wrong-expectation", expect: { delivered: [{ subject: "A subject that is never sent", to: ["ops@example.com"] }] } };
    const file = path.join(dir, "wrong-expectation.json");
    writeFileSync(file, JSON.stringify(wrong));
    const r = await runCli(["sim", "--scenario", file, "--json"], dir);
    expect(r.code).toBe(1);
    const j = lastJson(r.stdout);
    expect(j).toMatchObject({ scenario: "wrong-expectation", ok: false });
  });

  it("a scenario with typos is refused before anything runs: each problem once, with its path, exit 2 (it hung at 75% CPU)", async () => {
    const file = path.join(dir, "typos.json");
    writeFileSync(
      file,
      JSON.stringify({
        name: "typos",
        module: { ecoh: false },
        link: { chunking: { mode: "fixed", sise: 16 } },
        firmware: { mail: { to: ["ops@example.com"], subjet: "x", body: "y" } },
        expect: { delivered: [{}] },
      }),
    );
    const r = await runCli(["sim", "--scenario", file, "--json"], dir);
    expect(r.code).toBe(2);
    const problems = ["module.ecoh: unknown field", "link.chunking.sise: unknown field", "link.chunking.size: required", "firmware.mail.subjet: unknown field", "firmware.mail.subject: required"];
    for (const p of problems) expect(r.stderr.split(p).length - 1, p).toBe(1);
    expect(r.stdout).toBe("");
  });

  it("--json: every mail's envelope recipients (Bcc included), and failed counts an alarm kept as failed", async () => {
    const r = await runCli(["sim", "--scenario", "content-intact", "--json"], dir);
    expect(r.code).toBe(0);
    const j = lastJson(r.stdout);
    const mails = j.mails as { envelope: { rcptTo: string[] } }[];
    expect(mails[0].envelope.rcptTo.sort()).toEqual(["audit@example.com", "boss@example.com", "night@example.com", "ops@example.com"]);
    const file = path.join(dir, "alarm-refused.json");
    writeFileSync(
      file,
      JSON.stringify({ name: "alarm-refused", smtp: { server: { refusals: [{ stage: "rcpt", code: 550 }] } }, firmware: { alarm: { key: "k", title: "T" } }, expect: { alarms: { failed: 1 } } }),
    );
    const f = lastJson((await runCli(["sim", "--scenario", file, "--json"], dir)).stdout);
    expect(f).toMatchObject({ ok: true, delivered: 0, failed: 1, errors: [{ code: 678 }] });
  });

  it("refuses an unknown scenario with exit status 2", async () => {
    const r = await runCli(["sim", "--scenario", "no-such-scenario"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("scenario not found");
  });

  it("replays a recorded transcript: same commands, exit 0", async () => {
    const rec = await runCli(["sim", "--json", "--transcript", "rec.transcript"], dir);
    expect(rec.code).toBe(0);
    const r = await runCli(["replay", "rec.transcript", "--json"], dir);
    expect(r.code).toBe(0);
    const j = lastJson(r.stdout);
    expect(j).toMatchObject({ ok: true, commandsMatched: true });
    expect((j.commands as { sent: number }).sent).toBeGreaterThan(10);
  });
});
