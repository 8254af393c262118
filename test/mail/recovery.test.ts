import { describe, expect, it } from "vitest";
import { rig, Rig } from "./support/fixtures.js";
import { bytesSource } from "../../firmware/at/source.js";
import { STEP_TRIES } from "../../firmware/modem/script.js";
import {
  E_PDP_DEACT,
  E_POWERED_DOWN,
  E_QUEUE_FULL,
  E_REBOOT_SPACING,
  E_TIMEOUT,
  KIND_CONFIG,
  KIND_PERMANENT,
  KIND_RETRYABLE,
  KIND_THROTTLED,
} from "../../firmware/errors.js";

/** The mail's content commands, as the rig writes them (each test lists its own sequence of them). */
const DST = '+QSMTPDST=1,1,"ops@example.com"';
const SUB = '+QSMTPSUB=0,"Alarm: pressure low"';
const BODY = "+QSMTPBODY=0,26,60";
const PUT = "+QSMTPPUT=300";
const CLR = "+QSMTPCLR";
const putResult = (line: string, afterMs = 2000) => ({ urcs: [{ afterMs, line }] });

/** Run a first mail so the module is up and configured; return the command index after it. */
function warm(r: Rig): number {
  r.send({ id: "warm" });
  r.settle(1);
  expect(r.results[0].delivered).toBe(true);
  return r.port.commands.length;
}

describe("recovery ladder", () => {
  it("a transient SMTP error is resent with AT+QSMTPPUT directly", () => {
    const r = rig();
    const from = warm(r);
    r.port.on("+QSMTPPUT=", putResult("+QSMTPPUT: 666,421"), 1);
    r.send({ id: "m" });
    r.settle(2);
    const res = r.results[1];
    expect(res.delivered).toBe(true);
    expect(res.attempts).toBe(2);
    expect(res.resends).toBe(1);
    expect(r.port.commands.slice(from)).toEqual([
      DST,
      SUB,
      BODY,
      PUT,
      PUT,
      CLR,
    ]);
  });

  it("a transient error that outlives the resends climbs to PDP re-activation, then resends again", () => {
    const r = rig();
    const from = warm(r);
    r.port.on("+QSMTPPUT=", putResult("+QSMTPPUT: 651,0"), 3); // maxResends is 2: the third failure climbs
    r.send({ id: "m" });
    r.settle(2);
    const res = r.results[1];
    expect(res.delivered).toBe(true);
    expect(res.resends).toBe(2);
    expect(res.pdpReactivations).toBe(1);
    expect(res.reboots).toBe(0);
    const cmds = r.port.commands.slice(from);
    expect(cmds).toEqual([
      DST,
      SUB,
      BODY,
      PUT,
      PUT, // resend 1
      PUT, // resend 2
      "+QIDEACT=1", //    the resend rung is spent: PDP
      "+QIACT?",
      "+QIACT=1",
      "+QIACT?",
      PUT, // resumed where it was: the content is still on the module
      CLR,
    ]);
  });

  it("network errors that outlive the PDP budget climb to a module reboot", () => {
    const r = rig();
    warm(r);
    r.port.on("+QSMTPPUT=", putResult("+QSMTPPUT: 654,0"), 3); // maxPdp is 2: the third climbs
    r.send({ id: "m" });
    r.settle(2);
    const res = r.results[1];
    expect(res.delivered).toBe(true);
    expect(res.pdpReactivations).toBe(2);
    expect(res.reboots).toBe(1);
    expect(r.port.count("+CFUN=1,1")).toBe(1);
  });

  it("a PDP re-activation that fails is a failed rung: the module is rebooted, then the mail goes", () => {
    const r = rig();
    warm(r);
    r.port.on("+QSMTPPUT=", putResult("+QSMTPPUT: 654,0"), 1);
    // Refused three times: a refused AT+QIACT= is written again in place (modem/script.ts refused), up to its tries.
    r.port.on("+QIACT=1", { result: "ERROR" }, 3);
    r.send({ id: "m" });
    r.settle(2);
    const res = r.results[1];
    expect(res.delivered).toBe(true);
    expect(res.pdpReactivations).toBe(1);
    expect(res.reboots).toBe(1);
  });

  it("a bring-up phase that keeps failing is retried twice, then the module is rebooted", () => {
    const r = rig();
    // Every SMTP configuration row fails until the module has been rebooted.
    r.port.on("+QSMTPCFG=", (_c, _d, port) => (port.count("+CFUN=1,1") === 0 ? { result: "ERROR" } : {}));
    r.send({ id: "m" });
    r.settle(1);
    const res = r.results[0];
    expect(res.delivered).toBe(true);
    expect(res.reboots).toBe(1);
    expect(r.port.count("+CFUN=1,1")).toBe(1);
    const cmds = r.port.commands;
    const beforeReboot = cmds.slice(0, cmds.indexOf("+CFUN=1,1"));
    // The CONFIG phase ran three times (first try and two retries; the driver writes a failing
    // row three times in place each time) before the climb to the reboot. The SSL context,
    // which was taken the first time, is kept for the boot (Ec800.ensureSslConfig) and not
    // written again by the retries.
    expect(beforeReboot.filter((c) => c.startsWith('+QSSLCFG="sslversion"')).length).toBe(1);
    expect(beforeReboot.filter((c) => c === '+QSMTPCFG="contextid",1').length).toBe(9);
  });

  it("654 network error re-activates PDP, then resends", () => {
    const r = rig();
    const from = warm(r);
    r.port.on("+QSMTPPUT=", putResult("+QSMTPPUT: 654,0"), 1);
    r.send({ id: "m" });
    r.settle(2);
    const res = r.results[1];
    expect(res.delivered).toBe(true);
    expect(res.pdpReactivations).toBe(1);
    const cmds = r.port.commands.slice(from);
    const put1 = cmds.indexOf(PUT);
    expect(cmds.slice(put1 + 1)).toEqual(["+QIDEACT=1", "+QIACT?", "+QIACT=1", "+QIACT?", PUT, CLR]);
  });

  it('+QIURC: "pdpdeact" during the send wait re-activates PDP and resends', () => {
    const r = rig();
    warm(r);
    r.port.on("+QSMTPPUT=", () => {
      r.port.pdpActive = false;
      return { urcs: [{ afterMs: 1000, line: '+QIURC: "pdpdeact",1' }] };
    }, 1);
    r.send({ id: "m" });
    r.settle(2);
    expect(r.results[1].delivered).toBe(true);
    expect(r.results[1].pdpReactivations).toBe(1);
    expect(r.results[1].attempts).toBe(2);
  });

  it("pdpdeact for another context is ignored", () => {
    const r = rig();
    warm(r);
    r.port.on("+QSMTPPUT=", { urcs: [{ afterMs: 500, line: '+QIURC: "pdpdeact",3' }, { afterMs: 2000, line: "+QSMTPPUT: 0,0" }] }, 1);
    r.send({ id: "m" });
    r.settle(2);
    expect(r.results[1].delivered).toBe(true);
    expect(r.results[1].pdpReactivations).toBe(0);
  });

  it("535 authentication fails at once with its cause, and still cleans up", () => {
    const r = rig();
    r.port.on("+QSMTPPUT=", putResult("+QSMTPPUT: 677,535"));
    r.send();
    r.settle(1);
    const res = r.results[0];
    expect(res.delivered).toBe(false);
    expect(res.attempts).toBe(1);
    expect(res.error!.kind).toBe(KIND_PERMANENT);
    expect(res.error!.code).toBe(677);
    expect(res.error!.proto).toBe(535);
    expect(res.error!.cause).toContain("authentication");
    expect(r.port.commands[r.port.commands.length - 1]).toBe(CLR);
    expect(r.port.count("+QIDEACT")).toBe(0);
    expect(r.port.count("+CFUN")).toBe(0);
  });

  it("550 mailbox unavailable and 530 throttling fail at once", () => {
    for (const [line, kind] of [["+QSMTPPUT: 678,550", KIND_PERMANENT], ["+QSMTPPUT: 676,530", KIND_THROTTLED]] as const) {
      const r = rig();
      r.port.on("+QSMTPPUT=", putResult(line));
      r.send();
      r.settle(1);
      expect(r.results[0].error!.kind, line).toBe(kind);
      expect(r.results[0].attempts).toBe(1);
    }
  });

  it("a server's 4xx reply is resent once, then the job ends retryable: no PDP re-activation, no reboot", () => {
    const r = rig();
    const from = warm(r);
    r.port.on("+QSMTPPUT=", putResult("+QSMTPPUT: 667,450"));
    r.send({ id: "m" });
    r.settle(2);
    const res = r.results[1];
    expect(res.delivered).toBe(false);
    expect(res.error).toMatchObject({ kind: KIND_RETRYABLE, code: 667, proto: 450 });
    expect([res.attempts, res.resends, res.pdpReactivations, res.reboots]).toEqual([2, 1, 0, 0]);
    const cmds = r.port.commands.slice(from);
    expect(cmds.filter((c) => c === PUT)).toHaveLength(2);
    expect(cmds.some((c) => c.startsWith("+QIDEACT") || c.startsWith("+CFUN"))).toBe(false);
  });

  it("SSL failure 665 is a configuration error: no retry", () => {
    const r = rig();
    r.port.on("+QSMTPPUT=", putResult("+QSMTPPUT: 665,0"));
    r.send();
    r.settle(1);
    expect(r.results[0].error!.kind).toBe(KIND_CONFIG);
    expect(r.results[0].attempts).toBe(1);
  });

  it("the send wait is put timeout + margin: no result means a resend exactly then", () => {
    const r = rig();
    warm(r);
    r.port.on("+QSMTPPUT=", {}, 1); // OK, then never a URC
    r.send({ id: "m" });
    r.clock.advance(200);
    const t0 = r.clock.now();
    // run until the first PUT of this job was written
    while (r.port.count("+QSMTPPUT") < 2) r.clock.advance(10);
    const putAt = r.clock.now();
    r.clock.advance(330_000 - 100);
    expect(r.port.count("+QSMTPPUT")).toBe(2);
    r.clock.advance(100 + 2000 + 100); // deadline, then the resend pause
    expect(r.port.count("+QSMTPPUT")).toBe(3);
    r.settle(2);
    expect(r.results[1].delivered).toBe(true);
    expect(r.results[1].attempts).toBe(2);
    expect(putAt).toBeGreaterThanOrEqual(t0);
  });

  it("a result after the job gave up is ignored, and so is a duplicate", () => {
    const r = rig();
    warm(r);
    r.port.on("+QSMTPPUT=", { urcs: [{ afterMs: 1000, line: "+QSMTPPUT: 0,0" }, { afterMs: 1500, line: "+QSMTPPUT: 0,0" }] }, 1);
    r.send({ id: "dup" });
    r.settle(2);
    r.clock.advance(5000);
    expect(r.results).toHaveLength(2);
    expect(r.results[1].delivered).toBe(true);
    expect(r.mailer.ignoredResults).toBe(1);
    // give up on a mail (permanent), then its late success must change nothing
    r.port.on("+QSMTPPUT=", putResult("+QSMTPPUT: 678,550", 100), 1);
    r.send({ id: "late" });
    r.settle(3);
    expect(r.results[2].delivered).toBe(false);
    r.port.urc("+QSMTPPUT: 0,0");
    r.clock.advance(10_000);
    expect(r.results).toHaveLength(3);
    expect(r.results[2].delivered).toBe(false);
    expect(r.mailer.ignoredResults).toBe(2);
  });

  it("AT+QSMTPPUT's OK lost on the UART, its result in the pause before the resend: delivered once, no second AT+QSMTPPUT", () => {
    const r = rig();
    const from = warm(r);
    r.port.on("+QSMTPPUT=", { result: "TIMEOUT", urcs: [{ afterMs: 150, line: "+QSMTPPUT: 0,0" }] }, 1);
    r.send({ id: "m" });
    r.settle(2);
    const res = r.results[1];
    expect(res.delivered).toBe(true);
    expect(res.attempts).toBe(1);
    expect(res.resends).toBe(1); // the resend was on its way: its pause ended by the result
    expect(r.port.commands.slice(from).filter((c) => c.startsWith("+QSMTPPUT="))).toEqual([PUT]);
  });

  it("a failure result in the pause before a resend is left to the resend", () => {
    const r = rig();
    warm(r);
    r.port.on("+QSMTPPUT=", { result: "TIMEOUT", urcs: [{ afterMs: 150, line: "+QSMTPPUT: 654,0" }] }, 1);
    r.send({ id: "m" });
    r.settle(2);
    expect(r.results[1].delivered).toBe(true);
    expect(r.results[1].attempts).toBe(2);
  });

  it("the URC may arrive together with the OK", () => {
    const r = rig();
    r.port.on("+QSMTPPUT=", putResult("+QSMTPPUT: 0,0", 0));
    r.send();
    r.settle(1);
    expect(r.results[0].delivered).toBe(true);
    expect(r.results[0].attempts).toBe(1);
  });

  it("652 busy on AT+QSMTPPUT waits and resends", () => {
    const r = rig();
    warm(r);
    r.port.on("+QSMTPPUT=", { result: 652 }, 1);
    r.send({ id: "m" });
    r.settle(2);
    expect(r.results[1].delivered).toBe(true);
    expect(r.results[1].resends).toBe(1);
  });

  // AT+QSMTPDST is written once (modem/script.ts): a second would be a second recipient. A timeout or
  // an echo that differs may hide a recipient the module took: the content is built again after
  // AT+QSMTPCLR. A refusal (a plain ERROR, +CME ERROR: 664) means the module did nothing: written again
  // in place, as on Espruino (modem/script.ts refused; until 2026-12-08 the content was built again).
  const rebuilt = [DST, CLR, DST, SUB, BODY, PUT, CLR];
  const again = [DST, DST, SUB, BODY, PUT, CLR];
  const onceCases = [
    ["a timeout (its answer lost)", "TIMEOUT", 1, rebuilt],
    ["an echo that differed (E_GARBLED)", "GARBLED", 1, rebuilt],
    ["a refusal (ERROR)", "ERROR", 0, again],
    ["a refusal (+CME ERROR: 664)", 664, 0, again],
  ] as const;
  for (const [what, result, rebuilds, commands] of onceCases) {
    it(`a content command written once that ends with ${what}: ${rebuilds ? "the content is built again" : "written again in place"}`, () => {
      const r = rig();
      const from = warm(r);
      r.port.on("+QSMTPDST=", { result }, 1);
      r.send({ id: "m" });
      r.settle(2);
      expect(r.results[1].delivered).toBe(true);
      expect(r.results[1].rebuilds).toBe(rebuilds);
      expect(r.port.commands.slice(from)).toEqual(commands);
    });
  }

  it("an idempotent content command that fails on the way (AT+QSMTPSUB: ERROR) is written again in place, as on Espruino", () => {
    const r = rig();
    const from = warm(r);
    r.port.on("+QSMTPSUB=", { result: "ERROR" }, 1);
    r.send({ id: "m" });
    r.settle(2);
    expect(r.results[1].delivered).toBe(true);
    expect(r.results[1].rebuilds).toBe(0);
    expect(r.port.commands.slice(from)).toEqual([
      DST,
      SUB,
      SUB,
      BODY,
      PUT,
      CLR,
    ]);
  });

  it("an idempotent content command that fails all its tries (STEP_TRIES) goes to the ladder: the content is rebuilt", () => {
    const r = rig();
    const from = warm(r);
    r.port.on("+QSMTPSUB=", { result: "GARBLED" }, STEP_TRIES);
    r.send({ id: "m" });
    r.settle(2);
    expect(r.results[1].delivered).toBe(true);
    expect(r.results[1].rebuilds).toBe(1);
    expect(r.port.commands.slice(from)).toEqual([
      DST,
      SUB,
      SUB,
      SUB,
      CLR,
      DST,
      SUB,
      BODY,
      PUT,
      CLR,
    ]);
  });

  it("+QSMTPPUT: 664 (wrong input parameter: content garbled on the way) builds the content again instead of sending it again", () => {
    const r = rig();
    const from = warm(r);
    r.port.on("+QSMTPPUT=", { urcs: [{ afterMs: 3000, line: "+QSMTPPUT: 664,0" }] }, 1);
    r.send({ id: "m" });
    r.settle(2);
    const res = r.results[1];
    expect(res.delivered).toBe(true);
    expect(res.resends).toBe(0);
    expect(res.rebuilds).toBe(1);
    expect(r.port.commands.slice(from)).toEqual([
      DST,
      SUB,
      BODY,
      PUT,
      CLR,
      DST,
      SUB,
      BODY,
      PUT,
      CLR,
    ]);
  });

  it("a configuration row whose echo differed (E_GARBLED) is written again in place", () => {
    const r = rig();
    r.port.on('+QSMTPCFG="account"', { result: "GARBLED" }, 1);
    r.send({ id: "m" });
    r.settle(1);
    expect(r.results[0].delivered).toBe(true);
    const cmds = r.port.commands;
    const i = cmds.findIndex((c) => c.startsWith('+QSMTPCFG="account"'));
    expect(cmds[i + 1]).toBe(cmds[i]);
    expect(cmds.filter((c) => c.startsWith('+QSMTPCFG="account"'))).toHaveLength(2);
    expect(cmds.filter((c) => c.startsWith("+QSMTPPUT"))).toHaveLength(1);
  });

  it("AT+QSMTPPUT is judged by its result only: an OK whose echo differed is not sent again", () => {
    const r = rig();
    const from = warm(r);
    r.port.on("+QSMTPPUT=", { result: "GARBLED", urcs: [{ afterMs: 3000, line: "+QSMTPPUT: 0,0" }] }, 1);
    r.send({ id: "m" });
    r.settle(2);
    const res = r.results[1];
    expect(res.delivered).toBe(true);
    expect(res.resends).toBe(0);
    expect(r.port.commands.slice(from).filter((c) => c.startsWith("+QSMTPPUT"))).toEqual([PUT]);
  });

  it("a short body (module took fewer bytes) rebuilds", () => {
    const r = rig();
    warm(r);
    r.port.on("+QSMTPBODY=", { lines: ["+QSMTPBODY: 10"] }, 1);
    r.send({ id: "m" });
    r.settle(2);
    expect(r.results[1].delivered).toBe(true);
    expect(r.results[1].rebuilds).toBe(1);
  });
});

describe("module reboot", () => {
  it("RDY during the send wait: bring-up, configuration re-applied, mail built again and delivered", () => {
    const r = rig();
    const from = warm(r);
    r.port.on("+QSMTPPUT=", (_c, _d, port) => {
      port.reboot(1500);
      return {};
    }, 1);
    r.send({ id: "m" });
    r.settle(2);
    const res = r.results[1];
    expect(res.delivered).toBe(true);
    expect(res.moduleResets).toBe(1);
    const cmds = r.port.commands.slice(from);
    expect(cmds.filter((c) => c.startsWith('+QSMTPCFG="account"'))).toHaveLength(1);
    expect(cmds.filter((c) => c === "E1")).toHaveLength(1);
    expect(cmds.filter((c) => c.startsWith("+QSMTPDST"))).toHaveLength(2);
    expect(cmds.filter((c) => c.startsWith("+QSMTPPUT"))).toHaveLength(2);
    // the next mail is cheap again: configuration is known for the new boot
    const mark = r.port.commands.length;
    r.send({ id: "n" });
    r.settle(3);
    expect(r.port.commands.length - mark).toBe(5);
  });

  it("RDY while a command is in flight (body data mode) is survived", () => {
    const r = rig();
    warm(r);
    r.port.on("+QSMTPBODY=", (_c, _d, port) => {
      port.reboot(50);
      return { result: "TIMEOUT" };
    }, 1);
    r.send({ id: "m" });
    r.settle(2);
    expect(r.results[1].delivered).toBe(true);
    expect(r.results[1].moduleResets).toBe(1);
    expect(r.port.flushes).toBeGreaterThanOrEqual(1);
  });

  it("a silent module (engine timeouts in a row) is rebooted with AT+CFUN=1,1, then the mail goes", () => {
    const r = rig();
    warm(r);
    r.port.on("+QSMTPDST=", { result: "TIMEOUT" }, 3);
    r.send({ id: "m" });
    r.settle(2);
    const res = r.results[1];
    expect(res.delivered).toBe(true);
    expect(res.reboots).toBe(1);
    expect(r.port.count("+CFUN=1,1")).toBe(1);
    expect(r.mailer.modem.reboots).toBe(1);
  });

  it("reboots are at least 10 minutes apart: a second one within that fails the job with the cause", () => {
    const r = rig();
    warm(r);
    r.port.on("+QSMTPDST=", { result: "TIMEOUT" }, 3);
    r.send({ id: "a" });
    r.settle(2);
    expect(r.results[1].delivered).toBe(true);
    const firstReboot = r.port.count("+CFUN=1,1");
    expect(firstReboot).toBe(1);
    // the module goes silent again two minutes later
    r.clock.advance(120_000);
    // DST times out (rebuild), then the rebuild's CLR all its tries: the module is silent, no reboot allowed
    r.port.on("+QSMTPDST=", { result: "TIMEOUT" }, 1);
    r.port.on(CLR, { result: "TIMEOUT" }, STEP_TRIES);
    r.send({ id: "b" });
    r.settle(3);
    const res = r.results[2];
    expect(res.delivered).toBe(false);
    expect(r.port.count("+CFUN=1,1")).toBe(1);
    expect(res.error!.code).toBe(E_TIMEOUT);
    expect(res.error!.kind).toBe(KIND_RETRYABLE);
    expect(res.error!.cause).toContain("reboot not allowed");
    // after the spacing, a reboot is allowed again
    r.clock.advance(600_000);
    r.port.on("+QSMTPDST=", { result: "TIMEOUT" }, 3);
    r.send({ id: "c" });
    r.settle(4);
    expect(r.results[3].delivered).toBe(true);
    expect(r.port.count("+CFUN=1,1")).toBe(2);
  });

  it("driver refuses a reboot within the spacing with E_REBOOT_SPACING", () => {
    const r = rig();
    const got: (number | null)[] = [];
    r.mailer.modem.reboot((e) => got.push(e ? e.code : null));
    r.clock.advance(5000);
    r.mailer.modem.reboot((e) => got.push(e ? e.code : null));
    expect(got).toEqual([null]); // the refusal too comes on the next turn
    r.clock.advance(0);
    expect(got).toEqual([null, E_REBOOT_SPACING]);
    r.clock.advance(600_000);
    expect(r.mailer.modem.canReboot()).toBe(true);
  });

  it("every job ends: a module that never answers fails with a typed cause", () => {
    const r = rig();
    r.port.on(() => true, { result: "TIMEOUT" });
    r.send();
    r.settle(1, 24 * 3_600_000);
    expect(r.results).toHaveLength(1);
    expect(r.results[0].delivered).toBe(false);
    expect(r.results[0].error).not.toBeNull();
    expect(r.port.count("+CFUN=1,1")).toBeLessThanOrEqual(1);
  });
});

describe("attachments and clean-up", () => {
  const pattern = (n: number) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = (i * 7 + 3) & 0xff;
    return b;
  };
  const att = (name: string, n: number) => ({ name, data: bytesSource(pattern(n)) });

  it("uploads in ack mode, attaches, and deletes the files after success", () => {
    const r = rig();
    r.send({ attachments: [att("log.csv", 3000), att("img.bin", 5)] });
    r.settle(1);
    expect(r.results[0].delivered).toBe(true);
    const cmds = r.port.commands;
    expect(cmds).toContain('+QFUPL="UFS:log.csv",3000,10,1');
    expect(cmds).toContain('+QSMTPATT=1,1,"UFS:log.csv"');
    expect(cmds).toContain('+QSMTPATT=1,2,"UFS:img.bin"');
    expect(cmds.slice(-3)).toEqual([CLR, '+QFDEL="UFS:log.csv"', '+QFDEL="UFS:img.bin"']);
    expect(r.port.files.size).toBe(0);
    const up = r.port.payloads.find((p) => p.command.startsWith('+QFUPL="UFS:log.csv"'))!;
    expect(Array.from(up.data)).toEqual(Array.from(pattern(3000)));
  });

  it("a checksum mismatch deletes and re-uploads the file", () => {
    const r = rig();
    r.port.on("+QFUPL=", (cmd, data, port) => {
      const name = cmd.substring(cmd.indexOf('"') + 1, cmd.indexOf('"', cmd.indexOf('"') + 1));
      port.files.set(name, data!);
      return { lines: ["+QFUPL: " + data!.length + ",beef"] };
    }, 1);
    r.send({ attachments: [att("a.bin", 100)] });
    r.settle(1);
    expect(r.results[0].delivered).toBe(true);
    expect(r.mailer.modem.files!.checksumMismatches).toBe(1);
    const cmds = r.port.commands;
    const first = cmds.indexOf('+QFUPL="UFS:a.bin",100,10,1');
    expect(cmds.slice(first, first + 3)).toEqual(['+QFUPL="UFS:a.bin",100,10,1', '+QFDEL="UFS:a.bin"', '+QFUPL="UFS:a.bin",100,10,1']);
  });

  it("a file left over from before (407) is replaced", () => {
    const r = rig();
    r.port.files.set("UFS:a.bin", new Uint8Array(3));
    r.send({ attachments: [att("a.bin", 10)] });
    r.settle(1);
    expect(r.results[0].delivered).toBe(true);
    expect(r.port.files.size).toBe(0);
  });

  it("files are deleted after a failure too", () => {
    const r = rig();
    r.port.on("+QSMTPPUT=", putResult("+QSMTPPUT: 678,550"));
    r.send({ attachments: [att("a.bin", 10)] });
    r.settle(1);
    expect(r.results[0].delivered).toBe(false);
    expect(r.port.commands.slice(-2)).toEqual([CLR, '+QFDEL="UFS:a.bin"']);
    expect(r.port.files.size).toBe(0);
  });
});

describe("mailer", () => {
  it("refuses an invalid job at submit and never calls its callback", () => {
    const r = rig();
    let called = false;
    const e = r.mailer.submit({ id: "x", to: ['a"@b.c'], subject: "s", body: "b" }, () => (called = true));
    expect(e!.kind).toBe(KIND_CONFIG);
    r.clock.advance(60_000);
    expect(called).toBe(false);
    expect(r.port.commands).toHaveLength(0);
  });

  it("runs jobs one at a time, in order, and bounds the queue", () => {
    const r = rig(undefined, { queueLength: 2 });
    r.send({ id: "1" });
    r.send({ id: "2" });
    const e = r.mailer.submit({ id: "3", to: ["a@b.c"], subject: "s", body: "b" }, () => {});
    expect(e!.code).toBe(E_QUEUE_FULL);
    r.settle(2);
    expect(r.results.map((x) => x.id)).toEqual(["1", "2"]);
    expect(r.results.every((x) => x.delivered)).toBe(true);
    // the second job's commands come after the first job's result
    expect(r.port.count("+QSMTPPUT")).toBe(2);
  });

  it("UTF-8 subject and body go as hex subject and charset 1", () => {
    const r = rig();
    r.send({ subject: "水泵告警 🔥", body: "压力过低" });
    r.settle(1);
    expect(r.results[0].delivered).toBe(true);
    const hex = Buffer.from("水泵告警 🔥", "utf8").toString("hex").toUpperCase();
    expect(r.port.commands).toContain(`+QSMTPSUB=1,"${hex}"`);
    expect(r.port.commands).toContain("+QSMTPBODY=1,12,60");
    expect(Buffer.from(r.port.payloads[0].data).toString("utf8")).toBe("压力过低");
  });

  it("Cc and Bcc use recipient types 2 and 3", () => {
    const r = rig();
    r.send({ to: ["a@ex.com"], cc: ["b@ex.com"], bcc: ["c@ex.com"] });
    r.settle(1);
    expect(r.port.commands.filter((c) => c.startsWith("+QSMTPDST"))).toEqual([
      '+QSMTPDST=1,1,"a@ex.com"',
      '+QSMTPDST=1,2,"b@ex.com"',
      '+QSMTPDST=1,3,"c@ex.com"',
    ]);
  });

  it("close ends the running and queued jobs with a cause", () => {
    const r = rig();
    r.send({ id: "1" });
    r.send({ id: "2" });
    r.clock.advance(100);
    r.mailer.close();
    expect(r.results.map((x) => [x.id, x.delivered])).toEqual([["1", false], ["2", false]]);
    r.clock.advance(600_000);
    expect(r.results).toHaveLength(2);
  });

  it("E_PDP_DEACT is the cause when PDP drops and cannot come back", () => {
    const r = rig(undefined, { limits: { maxPdp: 1, maxReboots: 0 } });
    warm(r);
    r.port.on("+QSMTPPUT=", { urcs: [{ afterMs: 500, line: '+QIURC: "pdpdeact",1' }] });
    r.port.on("+QIACT=", { result: "ERROR" });
    r.send({ id: "m" });
    r.settle(2);
    expect(r.results[1].delivered).toBe(false);
    expect([E_PDP_DEACT, 1030]).toContain(r.results[1].error!.code);
  });
});

describe("POWERED DOWN", () => {
  it("fails the job at once with E_POWERED_DOWN instead of waiting out timeouts, and the next job too", () => {
    const r = rig();
    warm(r);
    // The module shuts down while the body is being sent: the command is never answered.
    r.port.on("+QSMTPBODY", { result: "TIMEOUT" }, 1);
    r.port.on('+QSMTPDST=1', { urcs: [{ afterMs: 10, line: "POWERED DOWN" }] }, 1);
    const t0 = r.clock.now();
    r.send({ id: "m" });
    r.settle(2);
    const res = r.results[1];
    expect(res.delivered).toBe(false);
    expect(res.error?.code).toBe(E_POWERED_DOWN);
    expect(res.error?.cause).toMatch(/power-cycle/);
    // Failed well before any command deadline could have expired, with no reboot attempt.
    expect(res.finishedAt - t0).toBeLessThan(5_000);
    expect(r.port.commands).not.toContain("+CFUN=1,1");

    const before = r.port.commands.length;
    r.send({ id: "next" });
    r.settle(3);
    expect(r.results[2].error?.code).toBe(E_POWERED_DOWN);
    expect(r.port.commands.length).toBe(before);
  });

  it("a power-down during clean-up after +QSMTPPUT: 0,0 leaves the mail reported as delivered", () => {
    const r = rig();
    warm(r);
    r.port.on(CLR, { result: "TIMEOUT", urcs: [] }, 1);
    r.port.on("+QSMTPPUT=", { urcs: [{ afterMs: 2000, line: "+QSMTPPUT: 0,0" }, { afterMs: 2010, line: "POWERED DOWN" }] }, 1);
    r.send({ id: "m" });
    r.settle(2);
    expect(r.results[1].delivered).toBe(true);
    expect(r.results[1].error).toBeNull();
  });
});
