// `cellmail send` end to end against `cellmail modem --pty`: the firmware core drives the
// simulated module through a real serial device (a pseudo-terminal), in real time, and
// the mail arrives at the embedded SMTP server behind it (through the module's SMTP engine,
// and over its sockets with cellmail's own client). Also: the causes a user sees for a
// missing device and an invalid configuration.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAll, lastJson, runCli, startCli, tempDir, type Running } from "./support.js";

const PASSWORD = "pw-Secret-9";
const CONFIG = {
  board: "pump-7",
  smtp: { provider: "generic", server: "smtp.example.com", port: 465, user: "alarm@example.com", password: PASSWORD, ssl: { type: 1 } },
  sender: { name: "Pump station 7", address: "alarm@example.com" },
  recipients: { to: ["ops@example.com"] },
  network: { apn: "internet" },
};

// Needs socat, like modem-pty.test.ts: skipped only outside CI when it is missing.
describe.skipIf(!existsSync("/usr/bin/socat") && !process.env.CI)("cellmail send through cellmail modem --pty", () => {
  let dir: string;
  let modem: Running;
  let link: string;
  let socatPid = 0;

  beforeAll(async () => {
    dir = tempDir();
    link = path.join(dir, "ec800");
    writeFileSync(path.join(dir, "config.json"), JSON.stringify(CONFIG));
    writeFileSync(path.join(dir, "log.csv"), "t,pressure\n0,0.4\n");
    modem = startCli(["modem", "--pty", "--link", link], dir);
    await modem.waitFor(/^device: /m);
    socatPid = Number((await modem.waitFor(/socat \(pid (\d+)\)/))[1]);
    await modem.waitFor(/^baud: /m);
  });

  afterAll(async () => {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
    try {
      if (socatPid > 0) process.kill(socatPid, "SIGKILL");
    } catch {
      /* stopped by the CLI */
    }
  });

  it("delivers a mail with an attachment: exit 0, the mail arrives, no password in the transcript", async () => {
    const r = await runCli(
      ["send", "--port", link, "--config", "config.json", "--to", "ops@example.com", "--subject", "Pump 7: pressure low", "--body", "0.4 bar", "--attach", "log.csv", "--json"],
      dir,
    );
    expect(r.code).toBe(0);
    const j = lastJson(r.stdout);
    expect(j).toMatchObject({ ok: true, code: 0 });
    expect(r.stdout).toMatch(/^\s+\d+\.\d{3}s\s+state\s+/m);
    const m = await modem.waitFor(/mail arrived: .*Subject "Pump 7: pressure low".*attachments: log\.csv.* -> (\S+\.eml)/);
    const eml = readFileSync(m[1], "latin1");
    expect(eml).toMatch(/^Subject: Pump 7: pressure low/m);
    const transcript = readFileSync(j.transcript as string, "utf8");
    expect(transcript).toContain("AT+QSMTPPUT");
    expect(transcript).not.toContain(PASSWORD);
  });

  it("sends over the module's sockets (smtp.transport socket): the live session composes the node composition's modules", async () => {
    writeFileSync(path.join(dir, "socket.json"), JSON.stringify({ ...CONFIG, smtp: { ...CONFIG.smtp, transport: "socket" } }));
    const r = await runCli(["send", "--port", link, "--config", "socket.json", "--to", "ops@example.com", "--subject", "Pump 7: socket", "--body", "over the sockets", "--json"], dir);
    expect(r.code).toBe(0);
    const j = lastJson(r.stdout);
    expect(j).toMatchObject({ ok: true, code: 0 });
    await modem.waitFor(/mail arrived: .*Subject "Pump 7: socket"/);
    const transcript = readFileSync(j.transcript as string, "utf8");
    expect(transcript).toContain("AT+QSSLOPEN");
    expect(transcript).not.toContain(PASSWORD);
  });

  it("fails at once with a hint when the device does not exist", async () => {
    const r = await runCli(["send", "--port", path.join(dir, "no-such-tty"), "--config", "config.json", "--json"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/hint: the serial device does not exist/);
    expect(lastJson(r.stdout)).toMatchObject({ ok: false });
  });

  it("reports an invalid configuration as such", async () => {
    writeFileSync(path.join(dir, "bad.json"), JSON.stringify({ ...CONFIG, smtp: { ...CONFIG.smtp, port: 0 } }));
    const r = await runCli(["send", "--port", link, "--config", "bad.json", "--json"], dir);
    expect(r.code).toBe(1);
    expect(lastJson(r.stdout)).toMatchObject({ ok: false, code: 1010 });
    expect(r.stdout).toMatch(/config .*port/i);
  });
});
