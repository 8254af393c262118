// The places where the two cores (the full one, firmware/at ... firmware/app, and the
// compact one, firmware/compact) behaved differently with nothing saying they should
// (issue 12), each run through the simulator on both cores with the same expectation.
// Each of 1-4 failed on the compact core before it was changed to do what the full core
// does (4 on the full core too, for the code of a locked SIM):
//
//   1. a configuration row whose answer is lost twice, the third answer correct: the
//      compact core took the third as garbled (the echoes of the two unanswered tries end
//      in CR, not LF, and came glued in front of the third's) and did the whole
//      configuration again; the full engine finds the echo at the line's end and takes it.
//   2. echo stopping mid-session: the compact core kept expecting echoes after a command
//      that timed out without one, so the next, correct answer was taken as garbled (with
//      a second lost answer: the whole run again); the full engine takes a command ended
//      without echo, by its result or its deadline, as echo gone.
//   3. a denied registration (stat 3): the compact core ended each try at once with
//      1029, the code of "not registered before the deadline"; the full core polls to the
//      deadline and names the denial. Both now poll to the deadline and end with
//      E_REG_DENIED (1039), kind network.
//   4. the SIM: a locked one (PIN or PUK) was a configuration error at once on the full core
//      (1028) and polled for 20 s on the compact one (then 11); a SIM busy past its window
//      ended with 1028 (kind modem: a reboot, then the cause) on one and with 14 (retryable)
//      on the other, whose ladder then ended with E_REBOOT_SPACING instead of the cause. Both
//      now: locked, 11 at once; busy, polled every 2 s, E_SIM, one reboot, E_SIM. Both polls (the
//      SIM's and the registration's) are one rule since (modem/polls.ts): a SIM ready in the
//      last two seconds of its window is taken (the compact core gave up up to 2 s early, then
//      rebooted, and failed the mail: failed on the compact core before).
//   5. registration on a GSM cell: a difference kept, and declared (the module reg-fallback):
//      checked here to be real, so the declaration cannot go stale.
//   6. a step that fails on the way (a plain ERROR, a 664, its answer lost): the compact core
//      wrote an idempotent one (AT+QSMTPSUB, AT+QSMTPCLR, a query) again in place, the full
//      job rebuilt the whole content and rebooted the module when that failed too (under a
//      seeded byte-loss sweep it failed 5 of 64 mails to the compact core's 2). Both now follow
//      the one table (modem/script.ts): written again in place up to STEP_TRIES, unless
//      written once (a recipient, the body, the send). Failed on the full core before.
//   7. AT+QSMTPPUT's OK lost on the UART: the module sends the mail and reports it while the
//      mailer pauses before its next try; both cores took that result for a stale one and
//      sent the mail a second time. Both now take a success there (and the compact core a
//      result that overtakes the OK, as the full job did). Failed on both before.
//   8. AT+QIACT=1 that keeps failing: the compact core ended with the module's code (a plain
//      ERROR: 1021, retryable), the full driver with E_PDP (1030, network); the compact core
//      would then also have deactivated a context that never came up before each try. Both now:
//      E_PDP, and a network error during bring-up only tries the run again (the full job's phase
//      retry). Failed on the compact core before.
//   9. a send that failed (652 busy, a server's 4xx): the full job sends AT+QSMTPPUT again alone,
//      the module keeping the content, 10 s after a 652 and 2 s otherwise; the compact core cleared
//      the module and built the whole content again, 3 s later. Both now resend. Failed on the
//      compact core before.
//  10. the ladder's budgets: the full job has a budget per rung (two phase retries, two resends, two
//      PDP re-activations, two rebuilds, one reboot), the compact core had three recoveries a mail, so
//      a denied registration or an unreachable server made the full core reboot the module once and
//      the compact core never. Both now climb one table (firmware/mail/ladder.ts); every bundled
//      scenario compares their rungs (test/scenarios/compositions.test.ts, "one recovery ladder",
//      failed on registration-denied, connect-failure and dns-failure before), and below: the
//      reboot after the spent phase retries.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSession } from "../../host-sim/runner/session.js";
import type { CompositionName, SessionResult } from "../../host-sim/runner/types.js";
import { bundledScenarios, type Scenario } from "../../host-sim/scenarios/scenario.js";
import {
  E_AT_ERROR, E_BODY_SHORT, E_GARBLED, E_NOT_REGISTERED, E_NO_BOOT, E_PDP, E_PDP_DEACT, E_POWERED_DOWN, E_REBOOT_SPACING, E_REG_DENIED,
  E_SEND_TIMEOUT, E_SIM, E_TIMEOUT, KIND_MODEM, KIND_NETWORK, KIND_RETRYABLE,
} from "../../firmware/errors.js";
import { compactKind } from "../../firmware/compact/mailer.js";
import { STEP_TRIES } from "../../firmware/modem/script.js";
import { commandLines, count, scenario, timesOf } from "../e2e/support.js";

/** One composition of each core: moddable (the full core; node runs the same) and espruino (the compact core). */
const COMPOSITIONS: CompositionName[] = ["moddable", "espruino"];
const byName = (n: string): Scenario => bundledScenarios().find((b) => b.scenario.name === n)!.scenario;
const mail = { to: ["ops@example.com", "night@example.com"], subject: "Alarm: door 1 open", body: "Door 1 opened at 03:12." };

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cellmail-splits-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The scenario on both cores (Node engine). */
function both(s: Scenario): Promise<SessionResult[]> {
  return Promise.all(COMPOSITIONS.map((composition) => runSession({ scenario: s, composition, engine: "node", mailDir: dir })));
}

/** What happened besides the commands, for a failure message. */
function story(r: SessionResult): string {
  return `${r.composition}: errors ${JSON.stringify(r.errors)}, ${r.mails.length} mail(s); ${r.events.filter((e) => e.kind !== "command").map((e) => e.text).join(" | ")}`;
}

/** How often the most written command line was written (probes left out: a booting module is probed until it answers). */
function mostWritten(lines: string[]): number {
  const n = new Map<string, number>();
  for (const l of lines) if (l !== "AT") n.set(l, (n.get(l) ?? 0) + 1);
  return Math.max(...n.values());
}

describe("1: a configuration row answered the third time, after two lost answers", () => {
  const cases: [string, Scenario["faults"]][] = [
    ["the account row", [{ kind: "loseFinal", command: "+QSMTPCFG", match: '"account"', times: 2 }]],
    ["the sender row (the last one)", [{ kind: "loseFinal", command: "+QSMTPCFG", match: '"sender"', times: 2 }]],
    ["the APN row", [{ kind: "loseFinal", command: "+QICSGP", times: 2 }]],
    ["the account row, echo gone since the server row", [{ kind: "echoOff", command: "+QSMTPCFG", match: '"smtpserver"' }, { kind: "loseFinal", command: "+QSMTPCFG", match: '"account"', times: 2 }]],
  ];
  for (const [what, faults] of cases) {
    it(`${what}: written three times in place, the configuration once, on both cores`, async () => {
      const s = scenario("third-answer", { module: { urcPort: "uart1" }, faults, firmware: { mail } });
      const row = faults!.find((f) => f.kind === "loseFinal") as { command: string; match?: string };
      for (const r of await both(s)) {
        expect(r.expectFailures, story(r)).toEqual([]);
        const lines = commandLines(r.transcript);
        expect(lines.filter((l) => l.startsWith("AT" + row.command) && l.includes(row.match ?? "")), story(r)).toHaveLength(3);
        expect(count(lines, 'AT+QSMTPCFG="contextid"'), story(r)).toBe(1);
        expect(count(lines, "AT+QICSGP"), story(r)).toBe(row.command === "+QICSGP" ? 3 : 1);
        expect(count(lines, "AT+CFUN=1,1"), story(r)).toBe(0);
        expect(count(lines, "AT+QSMTPPUT"), story(r)).toBe(1);
      }
    });
  }
});

describe("2: echo stops mid-session", () => {
  const cases: [string, Scenario][] = [
    ["after the first recipient (the bundled echo-stops)", byName("echo-stops")],
    ["after the last configuration row", scenario("echo-stops-cfg", { module: { urcPort: "uart1" }, faults: [{ kind: "echoOff", command: "+QSMTPCFG", match: '"sender"' }], firmware: { mail } })],
    [
      "after the server row, and the next row's answer is lost twice",
      scenario("echo-stops-lost", { module: { urcPort: "uart1" }, faults: [{ kind: "echoOff", command: "+QSMTPCFG", match: '"smtpserver"' }, { kind: "loseFinal", command: "+QSMTPCFG", match: '"account"', times: 2 }], firmware: { mail } }),
    ],
    [
      "after the subject, and the body's answer is lost",
      scenario("echo-stops-body", { module: { urcPort: "uart1" }, faults: [{ kind: "echoOff", command: "+QSMTPSUB" }, { kind: "loseFinal", command: "+QSMTPBODY" }], firmware: { mail } }),
    ],
    [
      "between two mails",
      scenario("echo-stops-between", { module: { urcPort: "uart1" }, faults: [{ kind: "echoOff", command: "+QSMTPPUT" }], firmware: { mail, more: [{ ...mail, subject: "second" }] }, expect: { delivered: [{ subject: mail.subject }, { subject: "second" }] } }),
    ],
  ];
  for (const [what, s] of cases) {
    it(`${what}: the mail goes once, no command is written more than three times, no reboot, on both cores`, async () => {
      for (const r of await both(s)) {
        expect(r.expectFailures, story(r)).toEqual([]);
        const lines = commandLines(r.transcript);
        expect(mostWritten(lines), story(r)).toBeLessThanOrEqual(3);
        expect(count(lines, 'AT+QSMTPCFG="contextid"'), story(r)).toBe(1);
        expect(count(lines, "AT+CFUN=1,1"), story(r)).toBe(0);
        expect(count(lines, "AT+QSMTPPUT"), story(r)).toBe(r.mails.length);
      }
    });
  }
});

describe("3: a denied registration (stat 3)", () => {
  it("both cores poll it to the registration deadline (120 s), then fail with E_REG_DENIED (1039), kind network, cause registration-denied", async () => {
    for (const r of await both(byName("registration-denied"))) {
      expect(r.expectFailures, story(r)).toEqual([]);
      expect(r.errors.map((e) => e.code), story(r)).toEqual([E_REG_DENIED]);
      expect(r.errors[0].cause, story(r)).toMatch(/^registration denied by the network \(stat 3\) before the deadline/);
      expect(r.events.some((e) => e.kind === "result" && e.text.endsWith("[registration-denied]")), story(r)).toBe(true);
      // Polled through the denial: from the first stat 3 to the first failure, the whole deadline.
      const firstDenial = timesOf(r.transcript, "<", "+CEREG: 0,3")[0];
      const firstFailure = r.events.find((e) => e.kind === "retry" || e.kind === "result")!;
      expect(firstFailure.t - firstDenial, story(r)).toBeGreaterThan(100_000);
      expect(r.mails).toEqual([]);
    }
  });

  it("the compact core writes E_REG_DENIED as its number (XS slots): it is errors.ts's, of kind network", () => {
    expect(E_REG_DENIED).toBe(1039);
    expect(compactKind(E_REG_DENIED, 0)).toBe(KIND_NETWORK);
  });

  it("the compact core's kinds of the local codes both cores give are the kinds the full core gives them", () => {
    // The full core's kinds as its driver, job and codes.ts create these errors (cellError(KIND_..., E_...)).
    const full: [number, number][] = [
      [E_TIMEOUT, KIND_RETRYABLE], [E_AT_ERROR, KIND_RETRYABLE], [E_SEND_TIMEOUT, KIND_RETRYABLE], [E_BODY_SHORT, KIND_RETRYABLE],
      [E_SIM, KIND_MODEM], [E_NOT_REGISTERED, KIND_NETWORK], [E_PDP, KIND_NETWORK], [E_PDP_DEACT, KIND_NETWORK],
      [E_REBOOT_SPACING, KIND_MODEM], [E_NO_BOOT, KIND_MODEM], [E_POWERED_DOWN, KIND_MODEM], [E_GARBLED, KIND_RETRYABLE],
      [E_REG_DENIED, KIND_NETWORK],
    ];
    for (const [code, kind] of full) expect(compactKind(code, 0), String(code)).toBe(kind);
  });

  it("a module that only searches (stat 2) still ends with E_NOT_REGISTERED (1029), cause not-registered, on both cores", async () => {
    const s = scenario("never-registered", {
      module: { urcPort: "uart1", registration: [{ afterMs: 0, stat: 2 }] },
      firmware: { mail },
      expect: { failure: { code: 1029, cause: "not-registered", retryable: true } },
    });
    for (const r of await both(s)) expect(r.expectFailures, story(r)).toEqual([]);
  });
});

describe("4: the SIM (issue 12: the full driver failed a locked SIM at once with 1028, the compact core polled it for 20 s and ended with 11; a SIM busy past its window ended with 1028, kind modem, on one and with 14, retryable, on the other)", () => {
  it("a SIM that asks for its PIN: 11 (SIM PIN required), a configuration error, at once, on both cores", async () => {
    const s = scenario("sim-pin", {
      module: { urcPort: "uart1", sim: "pin" },
      firmware: { mail },
      expect: { failure: { code: 11, cause: "sim-locked", retryable: false } },
    });
    for (const r of await both(s)) {
      expect(r.expectFailures, story(r)).toEqual([]);
      // Busy in its first moments after the boot (the simulated SIM), then the PIN: no poll after
      // that answer (the compact core polled it for 20 s, about 10 more).
      expect(count(commandLines(r.transcript), "AT+CPIN?"), story(r)).toBeLessThanOrEqual(2);
    }
  });

  it("a SIM that becomes ready in the last two seconds of its window is taken, without a reboot, on both cores (modem/polls.ts)", async () => {
    // Ready about 19.3 s after the first AT+CPIN? (the module says RDY about 0.7 s before it).
    // Espruino's mailer gave up when the next question would come after the window (at about
    // 18 s, E_SIM, then a reboot); the full driver asks until the window has passed, and now both do.
    const s = scenario("sim-ready-late", {
      module: { urcPort: "uart1", timing: { simBusyMs: 20_000 } },
      firmware: { mail },
      expect: { delivered: [{ subject: mail.subject, to: mail.to }] },
    });
    for (const r of await both(s)) {
      expect(r.expectFailures, story(r)).toEqual([]);
      const lines = commandLines(r.transcript);
      expect(count(lines, "AT+CFUN=1,1"), story(r)).toBe(0);
      expect(count(lines, "AT+CPIN?"), story(r)).toBeGreaterThanOrEqual(10);
    }
  });

  it("a SIM still busy after its window: E_SIM (1028), polled every 2 s, one reboot, then the mail ends with E_SIM, on both cores", async () => {
    const s = scenario("sim-stays-busy", {
      module: { urcPort: "uart1", timing: { simBusyMs: 3_600_000 } },
      firmware: { mail },
      expect: { failure: { code: 1028, cause: "sim", retryable: true } },
    });
    for (const r of await both(s)) {
      expect(r.expectFailures, story(r)).toEqual([]);
      const lines = commandLines(r.transcript);
      expect(count(lines, "AT+CFUN=1,1"), story(r)).toBe(1);
      // Two boots, each polled through the 20 s window every 2 s (at 1 s there would be about 40).
      expect(count(lines, "AT+CPIN?"), story(r)).toBeGreaterThanOrEqual(2 * 10);
      expect(count(lines, "AT+CPIN?"), story(r)).toBeLessThanOrEqual(2 * 11);
    }
  });
});

describe("5: registration on a GSM cell (the module reg-fallback, which espruino does not carry)", () => {
  it("the full core finds it through AT+CGREG?; the compact core, asking AT+CEREG? only, ends with E_NOT_REGISTERED: the declared difference is real", async () => {
    const s = byName("registration-gsm-only");
    const full = await runSession({ scenario: s, composition: "moddable", engine: "node", mailDir: dir });
    expect(full.expectFailures, story(full)).toEqual([]);
    expect(count(commandLines(full.transcript), "AT+CGREG?"), story(full)).toBeGreaterThan(0);
    // The same module without the scenario's `needs`, so that the runner lets the compact core try.
    const bare: Scenario = { ...s, name: "gsm-cell-compact", needs: undefined, expect: { failure: { code: E_NOT_REGISTERED, cause: "not-registered", retryable: true } } };
    const compact = await runSession({ scenario: bare, composition: "espruino", engine: "node", mailDir: dir });
    expect(compact.expectFailures, story(compact)).toEqual([]);
    expect(count(commandLines(compact.transcript), "AT+CGREG?"), story(compact)).toBe(0);
  });
});

describe("6: a step that fails on the way is written again in place when it may be (modem/script.ts), on both cores", () => {
  // The mail has two recipients: one run writes AT+QSMTPDST twice.
  const cases: [string, Scenario["faults"], { sub: number; dst: number }][] = [
    ["AT+QSMTPSUB answered +CME ERROR: 664 once: the subject again, nothing rebuilt", [{ kind: "commandError", command: "+QSMTPSUB", code: 664 }], { sub: 2, dst: 2 }],
    ["AT+QSMTPSUB answered ERROR once: the subject again, nothing rebuilt", [{ kind: "commandError", command: "+QSMTPSUB", plain: true }], { sub: 2, dst: 2 }],
    ["AT+QSMTPSUB's answer lost once: the subject again after its timeout, nothing rebuilt", [{ kind: "loseFinal", command: "+QSMTPSUB" }], { sub: 2, dst: 2 }],
    ["AT+QSMTPSUB refused all three tries: the content rebuilt once", [{ kind: "commandError", command: "+QSMTPSUB", plain: true, times: STEP_TRIES }], { sub: STEP_TRIES + 1, dst: 4 }],
    ["the first AT+QSMTPDST answered ERROR: never written again in place (a second recipient), the content rebuilt", [{ kind: "commandError", command: "+QSMTPDST", plain: true }], { sub: 1, dst: 3 }],
  ];
  for (const [what, faults, want] of cases) {
    it(`${what}; the mail goes once, no reboot`, async () => {
      const s = scenario("step-again", { module: { urcPort: "uart1" }, faults, firmware: { mail } });
      for (const r of await both(s)) {
        expect(r.expectFailures, story(r)).toEqual([]);
        const lines = commandLines(r.transcript);
        expect(lines.filter((l) => l.startsWith("AT+QSMTPSUB=")), story(r)).toHaveLength(want.sub);
        expect(lines.filter((l) => l.startsWith("AT+QSMTPDST=")), story(r)).toHaveLength(want.dst);
        expect(count(lines, "AT+CFUN=1,1"), story(r)).toBe(0);
        expect(count(lines, "AT+QSMTPPUT"), story(r)).toBe(1);
      }
    });
  }
});

describe("7: AT+QSMTPPUT's OK lost on the UART, its result during the pause before the next try", () => {
  it("the mail goes once, one AT+QSMTPPUT, on both cores", async () => {
    const s = scenario("put-ok-lost", { module: { urcPort: "uart1" }, faults: [{ kind: "loseFinal", command: "+QSMTPPUT" }], firmware: { mail }, expect: { delivered: [{ subject: mail.subject, maxCount: 1 }], module: { maxPuts: 1 } } });
    for (const r of await both(s)) {
      expect(r.expectFailures, story(r)).toEqual([]);
      expect(r.mails, story(r)).toHaveLength(1);
      expect(count(commandLines(r.transcript), "AT+QSMTPPUT"), story(r)).toBe(1);
    }
  });
});

describe("8: a PDP context that never comes up", () => {
  // Before: the compact core ended with the module's own code for a failed AT+QIACT=1 (here a
  // plain ERROR, 1021, retryable) where the full driver says E_PDP (1030, network), and it
  // deactivated PDP before every try after a network error, also one during bring-up, where the
  // full job only retries its phase.
  it("both cores end with E_PDP (1030), kind network; neither writes AT+QIDEACT for a context that never came up", async () => {
    const s = scenario("pdp-never", {
      faults: [{ kind: "pdpActivationFails", times: 99 }],
      firmware: { mail },
      expect: { failure: { code: E_PDP, cause: "network", retryable: true } },
    });
    for (const r of await both(s)) {
      expect(r.expectFailures, story(r)).toEqual([]);
      expect(r.errors.map((e) => e.code), story(r)).toEqual([E_PDP]);
      const lines = commandLines(r.transcript);
      expect(count(lines, "AT+QIACT=1"), story(r)).toBeGreaterThanOrEqual(3);
      expect(count(lines, "AT+QIDEACT"), story(r)).toBe(0);
    }
  });
});

describe("9: a send that failed is sent again with AT+QSMTPPUT alone (the content stays on the module)", () => {
  // Before: Espruino's mailer cleared the module and built the whole content again for every
  // try after a failed send; the full job resends AT+QSMTPPUT only (the module keeps the
  // content until AT+QSMTPCLR), 10 s after a 652 (busy).
  it("busy-652: one AT+QSMTPDST and AT+QSMTPBODY, two AT+QSMTPPUT 10 s apart, on both cores", async () => {
    for (const r of await both(byName("busy-652"))) {
      expect(r.expectFailures, story(r)).toEqual([]);
      const lines = commandLines(r.transcript);
      expect(count(lines, "AT+QSMTPPUT="), story(r)).toBe(2);
      expect(count(lines, "AT+QSMTPDST="), story(r)).toBe(1);
      expect(count(lines, "AT+QSMTPBODY="), story(r)).toBe(1);
      const puts = timesOf(r.transcript, ">", "AT+QSMTPPUT=");
      expect(puts[1] - puts[0], story(r)).toBeGreaterThanOrEqual(10_000);
      expect(puts[1] - puts[0], story(r)).toBeLessThan(11_000);
    }
  });

  it("smtp-refusals-then-accept: each job sends its content once and AT+QSMTPPUT twice (a 4xx is sent again once), on both cores", async () => {
    for (const r of await both(byName("smtp-refusals-then-accept"))) {
      expect(r.expectFailures, story(r)).toEqual([]);
      const lines = commandLines(r.transcript);
      expect(count(lines, "AT+QSMTPPUT="), story(r)).toBe(4);
      expect(count(lines, "AT+QSMTPBODY="), story(r)).toBe(2);
    }
  });
});

describe("10: the ladder's budgets are one table's (firmware/mail/ladder.ts)", () => {
  // Before: the compact core had three recoveries a mail and rebooted only a silent module; the
  // full job retries bring-up twice, then reboots the module once (its REBOOT rung), then gives up.
  it("registration-denied: three registration windows, one AT+CFUN=1,1, a fourth window, then E_REG_DENIED, on both cores", async () => {
    for (const r of await both(byName("registration-denied"))) {
      expect(r.expectFailures, story(r)).toEqual([]);
      expect(r.errors.map((e) => e.code), story(r)).toEqual([E_REG_DENIED]);
      const lines = commandLines(r.transcript);
      expect(count(lines, "AT+CFUN=1,1"), story(r)).toBe(1);
      const polls = timesOf(r.transcript, ">", "AT+CEREG?");
      const firstPoll = polls[0];
      const reboot = timesOf(r.transcript, ">", "AT+CFUN=1,1")[0];
      // Three whole windows (120 s each) and the two 3 s pauses before the reboot; one more after it.
      expect(reboot - firstPoll, story(r)).toBeGreaterThan(3 * 120_000);
      expect(reboot - firstPoll, story(r)).toBeLessThan(4 * 120_000);
      expect(polls.filter((t) => t > reboot).length, story(r)).toBeGreaterThan(10);
    }
  });
});

describe("11: a step written once that the module refused is written again in place (modem/script.ts refused)", () => {
  // Before: a refused AT+QSMTPDST (a plain ERROR, or 664: the line came garbled) cost a rebuild of the
  // content on both cores, though the module did nothing; after two more such refusals, a reboot
  // (seeded byte-loss, seeds 16 and 61 on the espruino composition). A timeout or an echo that differs
  // may hide a recipient the module took, so those still rebuild.
  for (const [what, fault] of [
    ["a plain ERROR", { kind: "commandError", command: "+QSMTPDST", plain: true }],
    ["+CME ERROR: 664", { kind: "commandError", command: "+QSMTPDST", code: 664 }],
  ] as const) {
    it(`${what} to the first recipient: written again at once, no AT+QSMTPCLR in between, the mail goes once, on both cores`, async () => {
      const s = scenario("refused-dst", { module: { urcPort: "uart1" }, faults: [fault as never], firmware: { mail } });
      for (const r of await both(s)) {
        expect(r.expectFailures, story(r)).toEqual([]);
        const lines = commandLines(r.transcript);
        const dst = lines.map((l, i) => (l.startsWith("AT+QSMTPDST=") ? i : -1)).filter((i) => i >= 0);
        expect(dst.length, story(r)).toBe(mail.to.length + 1);
        expect(lines[dst[0]], story(r)).toBe(lines[dst[1]]);
        expect(lines.slice(dst[0], dst[1]).filter((l) => l === "AT+QSMTPCLR"), story(r)).toEqual([]);
        expect(count(lines, "AT+QSMTPBODY="), story(r)).toBe(1);
        expect(count(lines, "AT+QSMTPPUT="), story(r)).toBe(1);
        expect(r.mails.length, story(r)).toBe(1);
      }
    });
  }
});
