// Scenario files: every bundled file validates, every fault kind has an example, the
// validator reports problems with paths, and a scenario's module-side settings and
// faults take effect.
import { describe, expect, it } from "vitest";
import { bundledScenarios, parseScenario, validateScenario, type Scenario } from "../../host-sim/scenarios/scenario.js";
import { FAULT_KINDS } from "../../host-sim/ec800/faults.js";
import { makeHarness } from "./harness.js";

const bundled = bundledScenarios();
const byName = (n: string): Scenario => bundled.find((b) => b.scenario.name === n)!.scenario;

describe("scenario files", () => {
  it("all bundled scenarios are valid and named after their file", () => {
    expect(bundled.length).toBeGreaterThanOrEqual(30);
    for (const { file, scenario } of bundled) expect(file.endsWith(`/${scenario.name}.json`)).toBe(true);
  });

  it("every fault kind, scripted SMTP failure and link fault has an example", () => {
    const kinds = new Set(bundled.flatMap((b) => (b.scenario.faults ?? []).map((f) => f.kind)));
    for (const k of FAULT_KINDS) expect(kinds, k).toContain(k);
    const errs = new Set(bundled.flatMap((b) => (b.scenario.smtp?.outcomes ?? []).map((o) => (o === "deliver" ? 0 : o.err))));
    for (const e of [653, 654, 665, 677, 676, 660, 667]) expect(errs).toContain(e);
    const links = bundled.map((b) => JSON.stringify(b.scenario.link ?? {}));
    expect(links.some((l) => l.includes("lossRate"))).toBe(true);
    expect(links.some((l) => l.includes("corruptRate"))).toBe(true);
    expect(bundled.some((b) => b.scenario.module?.sim === "absent")).toBe(true);
  });

  it("the validator lists every problem with its path, each once", () => {
    const errs = validateScenario({
      name: "",
      module: { sim: "maybe", cmee: 3, registration: [{ afterMs: 0, stat: 9 }] },
      link: { chunking: { mode: "lumpy" }, toModule: { lossRate: 2 } },
      smtp: { outcomes: ["deliver", { err: "x" }] },
      faults: [{ kind: "explode" }, { kind: "lateFinal", command: "+CSQ" }, { kind: "reboot", at: "noon" }],
      extra: 1,
      expect: {},
    });
    expect(errs).toEqual([
      "extra: unknown field",
      "name: expected a non-empty string",
      "module.sim: expected one of ready, absent, pin, failure",
      "module.registration[0].stat: expected an integer in [0, 5]",
      "module.cmee: expected an integer in [0, 2]",
      "link.chunking.mode: expected one of byte, fixed, random, all (got \"lumpy\")",
      "link.toModule.lossRate: expected a number in [0, 1]",
      "smtp.outcomes[1].err: expected an integer in [0, 999]",
      'faults[0].kind: expected one of reboot, powerDown, pdpActivationFails, pdpDeactDuringSend, pdpDeact, commandError, loseFinal, lateFinal, interleaveUrc, duplicateUrc, loseUrc, damageUrc, lateUrc, splitUrc, urc, readerStall, corruptUpload, echoOff, powerCut, socketOpenFails, dnsFails, peerClose, slowServer, sendFail, damageRead (got "explode")',
      "faults[1].delayMs: required",
      'faults[2].at: expected one of command, bodyData, sendWait, time (got "noon")',
      "expect: needs `delivered`, `failure` or `alarms`",
    ]);
    expect(new Set(errs).size).toBe(errs.length);
    expect(() => parseScenario('{"name":"x"}', "x.json")).toThrow(/x.json: invalid scenario:\n {2}expect: required/);
    expect(() => parseScenario('{"name":', "x.json")).toThrow(/x.json: not JSON/);
  });

  it("typos anywhere are errors with their path (they were ignored, or hung the CLI)", () => {
    const base = { name: "t", expect: { delivered: [{}] } };
    const errs = (x: Record<string, unknown>) => validateScenario({ ...base, ...x });
    expect(errs({ link: { chunking: { mode: "fixed", sise: 16 } } })).toEqual(["link.chunking.sise: unknown field", "link.chunking.size: required"]);
    expect(errs({ link: { chunking: { mode: "fixed", size: Number.NaN } } })).toEqual(["link.chunking.size: expected an integer in [1, 1048576]"]);
    expect(errs({ link: { chunking: { mode: "random", max: 0.5 } } })).toEqual(["link.chunking.max: expected an integer in [1, 1048576]"]);
    expect(errs({ module: { ecoh: false, registation: [] } })).toEqual(["module.ecoh: unknown field", "module.registation: unknown field"]);
    expect(errs({ firmware: { mail: { to: ["ops@example.com"], subjet: "x", body: "y" } } })).toEqual(["firmware.mail.subjet: unknown field", "firmware.mail.subject: required"]);
    expect(errs({ module: { timing: { bootMS: 10 } } })).toEqual(["module.timing.bootMS: unknown field"]);
    expect(errs({ faults: [{ kind: "commandError", command: "+CPIN", occurence: 2 }] })).toEqual(["faults[0].occurence: unknown field"]);
    expect(errs({ expect: { delivered: [{ subjct: "x" }] } })).toEqual(["expect.delivered[0].subjct: unknown field"]);
    expect(errs({ smtp: { server: { refusals: [{ stage: "helo", code: 421 }] } } })).toEqual(["smtp.server.refusals[0].stage: expected one of connect, auth, mail, rcpt, data"]);
    // A file's firmware configuration is checked by the firmware's own validator, under its path.
    expect(() => parseScenario(JSON.stringify({ ...base, firmware: { config: { smtp: { port: 99999 } } } }), "p.json")).toThrow(/p\.json: invalid scenario:\n {2}firmware\.config\.smtp\.port: /);
  });
});

describe("scenarios applied to the module", () => {
  it("no-sim: +CME ERROR: 10", async () => {
    const h = await makeHarness({ scenario: byName("no-sim") }, false);
    h.sim.powerOn();
    await h.run(20_000);
    await h.cmd("AT+CMEE=1");
    expect(await h.cmd("AT+CPIN?")).toBe("AT+CPIN?\r\r\n+CME ERROR: 10\r\n");
  });

  it("dns-failure: scripted outcomes replace the engine", async () => {
    const h = await makeHarness({ scenario: byName("dns-failure"), modem: { urcPort: "uart1" } });
    await h.cmd("ATE0");
    await h.cmd("AT+QIACT=1");
    await h.cmd('AT+QSMTPCFG="smtpserver","nowhere.invalid",25');
    await h.cmd('AT+QSMTPDST=1,1,"ops@example.com"');
    await h.cmd("AT+QSMTPPUT=300");
    expect(await h.runUntil("+QSMTPPUT")).toBe("\r\n+QSMTPPUT: 653,0\r\n");
    expect(h.smtp.mails.length).toBe(0);
  });

  it("throttle-454-then-success: the second send reaches the engine", async () => {
    const h = await makeHarness({ scenario: byName("throttle-454-then-success"), modem: { urcPort: "uart1" } });
    await h.cmd("ATE0");
    await h.cmd("AT+QIACT=1");
    await h.cmd('AT+QSMTPDST=1,1,"ops@example.com"');
    await h.cmd("AT+QSMTPPUT=300");
    expect(await h.runUntil("+QSMTPPUT")).toBe("\r\n+QSMTPPUT: 660,454\r\n");
    await h.cmd("AT+QSMTPPUT=300");
    expect(await h.runUntil("+QSMTPPUT")).toBe("\r\n+QSMTPPUT: 0,0\r\n");
    expect(h.smtp.mails.length).toBe(1);
  });

  it("uart-overflow: a reader stall during the boot chain overflows the FIFO", async () => {
    const h = await makeHarness({ scenario: { ...byName("uart-overflow"), faults: [{ kind: "readerStall", atMs: 3000, forMs: 500 }] } }, false);
    h.sim.powerOn();
    await h.run(3310);
    // While the reader is stalled the module keeps talking (about 400 bytes).
    await h.write("AT+QSSLCFG=?\r");
    await h.run(1000);
    expect(h.sim.link.stats().rxOverflow).toBeGreaterThan(0);
  });

  it("reboot-at-time: RDY again 8.2 s after power-on", async () => {
    const h = await makeHarness({ scenario: byName("reboot-at-time") }, false);
    h.sim.powerOn();
    await h.run(8_000);
    expect(h.rx().match(/RDY/g)?.length).toBe(1);
    await h.run(30_000);
    expect(h.rx().match(/RDY/g)?.length).toBe(2);
    expect(h.sim.modem.stats.reboots).toBe(1);
  });

  it("byte-loss is reproducible: same seed, same transcript", async () => {
    const run = async () => {
      const h = await makeHarness({ scenario: byName("byte-loss") });
      for (let i = 0; i < 50; i++) await h.cmd("AT+CSQ", { forMs: 200 });
      return h.sim.transcript.render();
    };
    const a = await run();
    expect(a).toBe(await run());
    expect(a).toMatch(/lost/);
  });
});
