import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { Ec800 } from "../../firmware/modem/ec800.js";
import { resolveConfig, ModemConfig, ResolvedConfig } from "../../firmware/modem/config.js";
import { bytesSource } from "../../firmware/at/source.js";
import { CellError, E_NOT_REGISTERED, E_PDP, E_REG_DENIED, E_SIM, KIND_CONFIG, KIND_NETWORK, KIND_PERMANENT } from "../../firmware/errors.js";
import { ScriptPort } from "../mail/support/script-port.js";
import { config } from "../mail/support/fixtures.js";
import { ufsFiles } from "../../firmware/ext/upload/files.js";

function setup(extra?: Partial<ModemConfig>) {
  const clock = new VirtualClock(0);
  const port = new ScriptPort(clock);
  const modem = new Ec800(port, clock, resolveConfig(config(extra)) as ResolvedConfig, null);
  modem.files = ufsFiles(modem); // the CA upload (as the Moddable and Node compositions carry it)
  const out: { err: CellError | null; done: boolean } = { err: null, done: false };
  const cb = (e: CellError | null) => {
    out.err = e;
    out.done = true;
  };
  const run = (maxMs = 600_000) => {
    const end = clock.now() + maxMs;
    while (!out.done && clock.now() < end) clock.advance(100);
  };
  return { clock, port, modem, out, cb, run };
}

describe("bring-up", () => {
  it("polls the SIM through +CME ERROR: 14 and 13 instead of failing", () => {
    const t = setup();
    t.port.on("+CPIN?", { result: 14 }, 4);
    t.port.on("+CPIN?", { result: 13 }, 2);
    t.port.on("+CPIN?", { result: "CME:SIM busy" }, 1);
    t.modem.ensureNetwork(t.cb);
    t.run();
    expect(t.out.err).toBeNull();
    expect(t.port.count("+CPIN?")).toBe(8);
    expect(t.modem.ready).toBe(true);
  });

  it("gives up on a SIM that stays busy past its window", () => {
    const t = setup({ simWaitMs: 5000 });
    t.port.on("+CPIN?", { result: 14 });
    t.modem.ensureNetwork(t.cb);
    t.run();
    expect(t.out.err!.code).toBe(E_SIM);
    expect(t.port.count("+CPIN?")).toBeGreaterThan(3);
  });

  it("a missing SIM fails at once; a PIN-locked SIM is a configuration error", () => {
    const a = setup();
    a.port.on("+CPIN?", { result: 10 });
    a.modem.ensureNetwork(a.cb);
    a.run();
    expect(a.out.err!.kind).toBe(KIND_PERMANENT);
    expect(a.port.count("+CPIN?")).toBe(1);
    const b = setup();
    b.port.on("+CPIN?", { lines: ["+CPIN: SIM PIN"] });
    b.modem.ensureNetwork(b.cb);
    b.run();
    expect(b.out.err!.kind).toBe(KIND_CONFIG);
  });

  // Answers that are neither READY nor a locked SIM: polled again (every 2 s), then READY.
  const notYet: [string, string[], number][] = [
    ["NOT READY (a SIM being swapped) is polled, not taken as locked", ["+CPIN: NOT READY"], 1],
    ["a state damaged on the UART (READY without its E) is polled, not taken as locked", ["+CPIN: RADY"], 1],
    ["an OK to AT+CPIN? without its state line (lost on the UART) is polled again, not taken as ready", [], 2],
  ];
  for (const [what, lines, times] of notYet) {
    it(what, () => {
      const t = setup();
      t.port.on("+CPIN?", { lines }, times);
      t.modem.ensureNetwork(t.cb);
      t.run();
      expect(t.out.err).toBeNull();
      expect(t.port.count("+CPIN?")).toBe(times + 1);
    });
  }

  it("roaming (stat 5) counts as registered", () => {
    const t = setup();
    t.port.on("+CEREG?", { lines: ["+CEREG: 0,5"] });
    t.modem.ensureNetwork(t.cb);
    t.run();
    expect(t.out.err).toBeNull();
    expect(t.modem.status.reg).toBe(5);
    expect(t.port.count("+CGREG?")).toBe(0);
  });

  it("falls back to CGREG / CREG and polls while searching", () => {
    const t = setup();
    t.port.on("+CEREG?", { lines: ["+CEREG: 0,2"] });
    t.port.on("+CGREG?", { lines: ["+CGREG: 0,2"] }, 2);
    t.port.on("+CREG?", { lines: ["+CREG: 0,2"] }, 2);
    t.modem.ensureNetwork(t.cb);
    t.run();
    expect(t.out.err).toBeNull();
    expect(t.port.count("+CGREG?")).toBe(3);
    expect(t.modem.status.regSource).toBe("CGREG");
  });

  for (const [stat, code] of [[3, E_REG_DENIED], [2, E_NOT_REGISTERED]]) {
    it(`registration has a deadline, a denial (stat 3) included; stat ${stat} at the deadline ends with ${code}`, () => {
      const t = setup({ regWaitMs: 20_000 });
      t.port.on("+CEREG?", { lines: [`+CEREG: 0,${stat}`] });
      t.port.on("+CGREG?", { lines: [`+CGREG: 0,${stat}`] });
      t.port.on("+CREG?", { lines: [`+CREG: 0,${stat}`] });
      t.modem.ensureNetwork(t.cb);
      t.run();
      expect(t.out.err!.code).toBe(code);
      expect(t.out.err!.kind).toBe(KIND_NETWORK);
      expect(t.out.err!.cause).toContain(`(stat ${stat}) before the deadline`);
      expect(t.clock.now()).toBeGreaterThanOrEqual(20_000);
      expect(t.clock.now()).toBeLessThan(40_000);
    });
  }

  it("a module still booting: AT probes time out until RDY, then bring-up runs", () => {
    const t = setup();
    t.port.on("", { result: "TIMEOUT" }, 3);
    t.clock.setTimer(2500, () => t.port.urc("RDY"));
    t.modem.ensureNetwork(t.cb);
    t.run();
    expect(t.out.err).toBeNull();
    expect(t.port.count("E1")).toBe(1);
    expect(t.modem.bootCount).toBe(1);
  });
});

describe("PDP", () => {
  it("an already active context is not activated again", () => {
    const t = setup();
    t.port.pdpActive = true;
    t.modem.ensureNetwork(t.cb);
    t.run();
    expect(t.out.err).toBeNull();
    expect(t.port.count("+QIACT=")).toBe(0);
    expect(t.port.count("+QIACT?")).toBe(1);
  });

  it("AT+QIACT may take 150 s; its deadline allows that", () => {
    const t = setup();
    t.port.on("+QIACT=1", (_c, _d, port) => {
      port.pdpActive = true;
      return { delayMs: 149_000 };
    });
    t.modem.ensureNetwork(t.cb);
    t.run();
    expect(t.out.err).toBeNull();
    expect(t.modem.pdpUp).toBe(true);
  });

  it("activation failure and bare OK after activation are network errors", () => {
    const a = setup();
    a.port.on("+QIACT=1", { result: "ERROR" });
    a.modem.ensureNetwork(a.cb);
    a.run();
    expect(a.out.err!.kind).toBe(KIND_NETWORK);
    expect(a.out.err!.code).toBe(E_PDP);
    const b = setup();
    b.port.on("+QIACT=1", {}); // OK, but nothing becomes active
    b.modem.ensureNetwork(b.cb);
    b.run();
    expect(b.out.err!.code).toBe(E_PDP);
  });

  it("a known-good network costs no command, and answers on the next turn, not inside the call", () => {
    const t = setup();
    t.modem.ensureNetwork(t.cb);
    t.run();
    const n = t.port.commands.length;
    t.out.done = false;
    t.modem.ensureNetwork(t.cb);
    expect(t.out.done).toBe(false);
    t.clock.advance(0);
    expect(t.out.done).toBe(true);
    expect(t.port.commands.length).toBe(n);
  });

  it('"pdpdeact" marks the context down; the next ensureNetwork re-activates it', () => {
    const t = setup();
    t.modem.ensureNetwork(t.cb);
    t.run();
    t.port.pdpActive = false;
    t.port.urc('+QIURC: "pdpdeact",1');
    expect(t.modem.pdpUp).toBe(false);
    t.out.done = false;
    const n = t.port.commands.length;
    t.modem.ensureNetwork(t.cb);
    t.run();
    expect(t.out.err).toBeNull();
    expect(t.port.commands.slice(n)).toEqual(["+QIACT?", "+QIACT=1", "+QIACT?"]);
  });
});

describe("SSL and SMTP configuration", () => {
  it("verification against an uploaded CA: upload, seclevel 1, cacert, sni", () => {
    const ca = new TextEncoder().encode("-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n");
    const t = setup({ caCert: { name: "ca.pem", data: bytesSource(ca) } });
    t.modem.ensureNetwork(() => t.modem.ensureSmtpConfig(t.cb));
    t.run();
    expect(t.out.err).toBeNull();
    const cmds = t.port.commands;
    const i = cmds.indexOf(`+QFUPL="UFS:ca.pem",${ca.length},10,1`);
    expect(i).toBeGreaterThan(0);
    expect(cmds.slice(i + 1, i + 6)).toEqual([
      '+QSSLCFG="sslversion",1,4',
      '+QSSLCFG="ciphersuite",1,0xFFFF',
      '+QSSLCFG="seclevel",1,1',
      '+QSSLCFG="cacert",1,"UFS:ca.pem"',
      '+QSSLCFG="sni",1,1',
    ]);
    expect(Array.from(t.port.files.get("UFS:ca.pem")!)).toEqual(Array.from(ca));
  });

  it("plain SMTP skips SSL; configuration is once per boot and again after RDY", () => {
    const t = setup({ sslType: 0, port: 25 });
    t.modem.ensureNetwork(() => t.modem.ensureSmtpConfig(t.cb));
    t.run();
    expect(t.port.count("+QSSLCFG")).toBe(0);
    expect(t.port.count('+QSMTPCFG="smtpserver"')).toBe(1);
    t.out.done = false;
    t.modem.ensureSmtpConfig(t.cb);
    expect(t.out.done).toBe(false); // answered on the next turn (nextTurn)
    t.clock.advance(0);
    expect(t.out.done).toBe(true);
    expect(t.port.count('+QSMTPCFG="smtpserver"')).toBe(1);
    t.port.urc("RDY");
    expect(t.modem.smtpConfigured()).toBe(false);
    t.out.done = false;
    t.modem.ensureNetwork(() => t.modem.ensureSmtpConfig(t.cb));
    t.run();
    expect(t.out.err).toBeNull();
    expect(t.port.count('+QSMTPCFG="smtpserver"')).toBe(2);
  });
});

describe("table rows", () => {
  it("a transient failure of one configuration row is retried in place, not the whole table", () => {
    const t = setup({ sslType: 0, port: 25 });
    t.port.on('+QSMTPCFG="account"', { result: 664 }, 1);
    t.port.on('+QSMTPCFG="sender"', { result: "ERROR" }, 2);
    t.modem.ensureNetwork(() => t.modem.ensureSmtpConfig(t.cb));
    t.run();
    expect(t.out.err).toBeNull();
    expect(t.port.count('+QSMTPCFG="contextid"')).toBe(1);
    expect(t.port.count('+QSMTPCFG="account"')).toBe(2);
    expect(t.port.count('+QSMTPCFG="sender"')).toBe(3);
  });

  it("a final error of a row is not retried", () => {
    const t = setup({ sslType: 0, port: 25 });
    t.port.on('+QSMTPCFG="smtpserver"', { result: 4 }); // operation not supported: config
    t.modem.ensureNetwork(() => t.modem.ensureSmtpConfig(t.cb));
    t.run();
    expect(t.out.err!.kind).toBe(KIND_CONFIG);
    expect(t.port.count('+QSMTPCFG="smtpserver"')).toBe(1);
  });
});

describe("status for alarm templates", () => {
  it("readStatus sends AT+CSQ and AT+CEREG? only", () => {
    const t = setup();
    t.port.on("+CSQ", { lines: ["+CSQ: 17,99"] });
    let got: { rssi: number; reg: number } | null = null;
    t.modem.readStatus((e, s) => {
      expect(e).toBeNull();
      got = { rssi: s.rssi, reg: s.reg };
    });
    t.clock.advance(1000);
    expect(got).toEqual({ rssi: 17, reg: 1 });
    expect(t.port.commands).toEqual(["+CSQ", "+CEREG?"]);
  });
});
