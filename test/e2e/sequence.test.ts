// The server configuration is applied once per module boot: a second mail does not repeat
// it, and a module reboot in the middle of a job (RDY) makes the firmware apply it again.
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { loadScenario } from "../../host-sim/scenarios/scenario.js";
import type { SessionResult } from "../../host-sim/runner/types.js";
import { count, expectOk, firmwareStream, session, moduleOutput, notes, scenario, unexpectedLines, type SentLine } from "./support.js";

const bundled = (name: string) => loadScenario(fileURLToPath(new URL(`../../host-sim/scenarios/${name}.json`, import.meta.url)));

/** When the runner submitted job `id` (virtual ms). */
function submittedAt(r: SessionResult, id: string): number {
  const e = r.events.find((x) => x.kind === "command" && x.text.startsWith(`submit mail job ${id}:`));
  if (!e) throw new Error(`job ${id} was never submitted`);
  return e.t;
}

/** The AT commands a finished job reports (its MailResult.commands, as the runner logs it). */
function jobCommands(r: SessionResult, id: string): number {
  const e = r.events.find((x) => x.kind === "result" && x.text.startsWith(`job ${id} delivered`));
  const m = e ? / (\d+) AT commands$/.exec(e.text) : null;
  if (!m) throw new Error(`job ${id} did not report delivery`);
  return Number(m[1]);
}

const CONFIG_PREFIXES = ["AT+QSMTPCFG", "AT+QSSLCFG", "AT+QICSGP", "AT+QIACT", "ATE1", "AT+CMEE", "AT+QURCCFG", "AT+CPIN"];

describe("e2e: configuration once per boot", () => {
  it("two mails in a row: the second sends no configuration and at most 6 commands", async () => {
    const r = await session(bundled("two-mails-in-a-row"));
    expectOk(r);
    expect(r.delivered).toBe(2);
    expect(r.mails.map((m) => m.subject)).toEqual(["Alarm: door 1 open", "Alarm: door 1 closed"]);

    const lines = firmwareStream(r.transcript).lines;
    expect(unexpectedLines(lines.map((l) => l.text))).toEqual([]);
    const t2 = submittedAt(r, "m2");
    const first = lines.filter((l) => l.t < t2).map((l) => l.text);
    const second = lines.filter((l) => l.t >= t2).map((l) => l.text);
    // The first job configured the server (6 QSMTPCFG lines: context, ssl type, ssl ctx, server, account, sender).
    expect(count(first, "AT+QSMTPCFG")).toBe(6);
    for (const p of CONFIG_PREFIXES) expect(count(second, p), p).toBe(0);
    expect(second.map((l) => l.replace(/=.*$/, "="))).toEqual(["AT+QSMTPDST=", "AT+QSMTPSUB=", "AT+QSMTPBODY=", "AT+QSMTPPUT=", "AT+QSMTPCLR"]);
    expect(second.length).toBeLessThanOrEqual(6);
    expect(jobCommands(r, "m2")).toBe(second.length);
    expect(jobCommands(r, "m1")).toBeGreaterThan(jobCommands(r, "m2"));
  });

  /** The AT+QSMTPCFG blocks of a run: runs of consecutive QSMTPCFG lines. */
  function cfgBlocks(lines: SentLine[]): SentLine[][] {
    const blocks: SentLine[][] = [];
    let cur: SentLine[] | null = null;
    for (const l of lines) {
      if (l.text.startsWith("AT+QSMTPCFG")) {
        if (!cur) blocks.push((cur = []));
        cur.push(l);
      } else cur = null;
    }
    return blocks;
  }

  function rdyTimes(r: SessionResult): number[] {
    return notes(r.transcript)
      .filter((n) => n.text === "module: ready")
      .map((n) => n.t);
  }

  for (const name of ["reboot-mid-job", "reboot-in-body"]) {
    it(`${name}: the reboot (RDY) is seen, the configuration is applied again, the mail goes once`, async () => {
      const r = await session(bundled(name));
      expectOk(r);
      expect(r.delivered).toBe(1);
      expect(r.mails).toHaveLength(1);
      expect(r.mails[0].subject).toBe("Alarm: door 1 open");
      // The module really rebooted mid-job: RDY twice (power-on and the reset), after the first configuration.
      const rdy = rdyTimes(r);
      expect(rdy).toHaveLength(2);
      expect(moduleOutput(r.transcript).match(/\r\nRDY\r\n/g)).toHaveLength(2);
      const reboot = notes(r.transcript).find((n) => /^module: reboot \(fault/.test(n.text));
      expect(reboot).toBeDefined();

      const lines = firmwareStream(r.transcript).lines;
      const blocks = cfgBlocks(lines);
      expect(blocks).toHaveLength(2);
      expect(blocks[0][blocks[0].length - 1].t).toBeLessThan(reboot!.t);
      expect(blocks[1][0].t).toBeGreaterThan(rdy[1]);
      // The full configuration each time (the reset lost it): same six lines.
      expect(blocks[1].map((l) => l.text)).toEqual(blocks[0].map((l) => l.text));
      // Bring-up again after the RDY (echo on, errors on, URC port), before the second block.
      const after = lines.filter((l) => l.t > rdy[1] && l.t < blocks[1][0].t).map((l) => l.text);
      for (const p of ["ATE1", "AT+CMEE=1", 'AT+QURCCFG="urcport","uart1"', "AT+QIACT=1"]) expect(after, p).toContain(p);
      // One send, after the second configuration.
      const puts = lines.filter((l) => l.text.startsWith("AT+QSMTPPUT"));
      expect(puts).toHaveLength(1);
      expect(puts[0].t).toBeGreaterThan(blocks[1][blocks[1].length - 1].t);
      expect(r.events.some((e) => /module boot 2 \(unexpected RDY\)/.test(e.text))).toBe(true);
    });
  }

  it("a reboot during the send wait: RDY seen, configuration re-applied, mail delivered (at most one duplicate)", async () => {
    const r = await session(bundled("reboot-during-send"));
    expectOk(r);
    const lines = firmwareStream(r.transcript).lines;
    expect(cfgBlocks(lines)).toHaveLength(2);
    expect(r.mails.length).toBeGreaterThanOrEqual(1);
    expect(r.mails.length).toBeLessThanOrEqual(2);
  });

  it("a third mail after a reboot-free pair still needs no configuration (boot-scoped, not job-scoped)", async () => {
    const mail = (n: number) => ({ to: ["ops@example.com"], subject: `Alarm: ${n}`, body: `Event ${n}.` });
    const s = scenario("e2e-three-in-a-row", {
      module: { urcPort: "uart1" },
      firmware: { mail: mail(1), more: [mail(2), mail(3)] },
      expect: { delivered: [{ subject: "Alarm: 1" }, { subject: "Alarm: 2" }, { subject: "Alarm: 3" }], module: { reboots: 0 } },
    });
    const r = await session(s);
    expectOk(r);
    const lines = firmwareStream(r.transcript).lines;
    expect(cfgBlocks(lines)).toHaveLength(1);
    expect(jobCommands(r, "m2")).toBeLessThanOrEqual(6);
    expect(jobCommands(r, "m3")).toBeLessThanOrEqual(6);
  });
});
