// The compact mailer against a scripted module, for the cases the simulator cannot
// produce on demand: body bytes lost on the wire (the module ends the body short after
// its input time), a probe answered after its timeout, and sends the module never answers
// across three mails within the reboot spacing. Everything else about the
// mailer is covered through the simulator (test/scenarios/compositions.test.ts, test/compact/e2e.test.ts).
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { createAtLink } from "../../firmware/compact/link.js";
import { createByteFraming } from "../../firmware/compact/frame-bytes.js";
import { createCompactMailer } from "../../firmware/compact/mailer.js";
import type { DeviceConfig } from "../../firmware/config/device.js";
import type { CompactOutcome } from "../../firmware/compact/types.js";
import type { Uart, UartSink } from "../../firmware/platform/types.js";
import { E_BODY_SHORT, E_TIMEOUT } from "../../firmware/errors.js";
import { device } from "../alarm/helpers.js";
import { pdpConfigStep, smtpConfigSteps, sslSteps } from "../../firmware/modem/steps.js";
import type { ResolvedConfig } from "../../firmware/modem/config.js";

const CONFIG: DeviceConfig = {
  ...device({ board: "b", to: ["a@example.com"], coalesceMs: 0, capacity: 8, maxAttempts: 3 }),
  senderName: "n",
  senderEmail: "s@example.com",
};

interface Script {
  /** Body bytes the module loses (per QSMTPBODY, in order); missing entries lose none. */
  lostBody?: number[];
  /** The first AT probe is answered this many ms late (after the link's 1 s timeout). */
  lateProbeMs?: number;
  /** What AT+CPIN? says. */
  cpin?: string;
  /** What the first AT+CPIN? say, in order ("" an OK without the state line: lost on the way); then `cpin`. */
  cpinFirst?: string[];
  /** The +QSMTPPUT results, one per AT+QSMTPPUT in order (then "0,0"). */
  puts?: string[];
  /** AT+QSMTPPUT commands (0-based, in order) the module never answers (no OK, no result). */
  putSilent?: number[];
}

/** A module that answers from a script: enough for the mailer's whole run. */
function scriptedModule(clock: VirtualClock, script: Script) {
  let sink: UartSink | null = null;
  let rx = "";
  let dataLeft = 0;
  let bodies = 0;
  let probes = 0;
  let puts = 0;
  let putsWritten = 0;
  let cpins = 0;
  let echo = true;
  const commands: string[] = [];
  const mails: number[] = []; // body bytes of each mail sent
  let taken = 0;
  const say = (s: string, ms = 5) =>
    clock.setTimer(ms, () => {
      const b = new Uint8Array([...s].map((c) => c.charCodeAt(0)));
      sink!.onBytes(b, 0, b.length);
    });
  const uart: Uart = {
    attach: (s) => (sink = s),
    close: () => {},
    write: (d, s, e) => {
      for (let i = s; i < e; i++) {
        if (dataLeft > 0) {
          dataLeft--;
          continue;
        }
        rx += String.fromCharCode(d[i]);
        if (d[i] !== 13) continue;
        const cmd = rx.trim();
        rx = "";
        commands.push(cmd);
        const e0 = echo ? cmd + "\r" : "";
        if (cmd === "AT" && probes++ === 0 && script.lateProbeMs) {
          say("\r\nOK\r\n", script.lateProbeMs);
          continue;
        }

        if (cmd === "AT+CPIN?") {
          const state = (script.cpinFirst ?? [])[cpins++] ?? script.cpin ?? "READY";
          say(e0 + (state ? `\r\n+CPIN: ${state}\r\n` : "") + "\r\nOK\r\n");
        }
        else if (cmd === "AT+CEREG?") say(e0 + "\r\n+CEREG: 0,1\r\n\r\nOK\r\n");
        else if (cmd.startsWith("AT+QSMTPBODY=")) {
          const length = Number(cmd.split(",")[1]);
          const lost = (script.lostBody ?? [])[bodies++] ?? 0;
          dataLeft = length;
          taken = length - lost;
          say(e0 + "\r\nCONNECT\r\n");
          // Lost bytes never reach the module: it waits out its input time, then ends short.
          say(`\r\n+QSMTPBODY: ${taken}\r\n\r\nOK\r\n`, lost ? 60000 : 20);
        } else if (cmd.startsWith("AT+QSMTPPUT=")) {
          if ((script.putSilent ?? []).includes(putsWritten++)) continue;
          say(e0 + "\r\nOK\r\n");
          const result = (script.puts ?? [])[puts++] ?? "0,0";
          if (result === "0,0") mails.push(taken);
          say(`\r\n+QSMTPPUT: ${result}\r\n`, 3000);
        } else say(e0 + "\r\nOK\r\n");
      }
      return e - s;
    },
  };
  return { uart, commands, mails };
}

function run(script: Script, config: DeviceConfig = CONFIG) {
  const clock = new VirtualClock();
  const module = scriptedModule(clock, script);
  const mailer = createCompactMailer(createAtLink(createByteFraming(module.uart), clock), clock, config, () => {});
  const outcomes: CompactOutcome[] = [];
  const body = "Water in the basement: 42 cm";
  expect(mailer.send({ to: ["a@example.com"], cc: [], bcc: [], subject: "s", body }, (o) => outcomes.push(o))).toBe(0);
  clock.advance(900000);
  return { ...module, outcomes, bodyLength: body.length };
}

describe("compact mailer: a body the module took short", () => {
  it("is never reported as delivered: the content is built again and the whole body goes", () => {
    const r = run({ lostBody: [3] });
    expect(r.outcomes).toHaveLength(1);
    expect(r.outcomes[0].delivered).toBe(true);
    expect(r.outcomes[0].recoveries).toBe(1);
    // Only the complete body was sent with AT+QSMTPPUT.
    expect(r.mails).toEqual([r.bodyLength]);
    expect(r.commands.filter((c) => c === "AT+QSMTPCLR")).toHaveLength(2);
  });

  it("fails with E_BODY_SHORT when every try loses bytes (the outbox keeps the alarm)", () => {
    const r = run({ lostBody: [1, 1, 1, 1, 1] });
    expect(r.mails).toEqual([]);
    expect(r.outcomes).toHaveLength(1);
    expect(r.outcomes[0]).toMatchObject({ delivered: false, code: E_BODY_SHORT });
  });
});

describe("compact mailer: the server's replies", () => {
  it("a 4xx reply is sent once more, then the mail ends (the outbox retries later): no PDP, no reboot", () => {
    const r = run({ puts: ["667,450", "667,450", "667,450"] });
    expect(r.outcomes).toHaveLength(1);
    expect(r.outcomes[0]).toMatchObject({ delivered: false, code: 667, proto: 450, recoveries: 1 });
    expect(r.commands.filter((c) => c.startsWith("AT+QSMTPPUT"))).toHaveLength(2);
    expect(r.commands.some((c) => c.startsWith("AT+QIDEACT") || c.startsWith("AT+CFUN"))).toBe(false);
  });

  it("one 4xx then success: delivered on the second try", () => {
    const r = run({ puts: ["666,421"] });
    expect(r.outcomes[0]).toMatchObject({ delivered: true, recoveries: 1 });
  });

  it("530 (sent too often) ends the mail at once: throttled", () => {
    const r = run({ puts: ["676,530"] });
    expect(r.outcomes[0]).toMatchObject({ delivered: false, code: 676, proto: 530, recoveries: 0 });
    expect(r.commands.filter((c) => c.startsWith("AT+QSMTPPUT"))).toHaveLength(1);
  });
});

describe("compact mailer: a probe answered after its timeout", () => {
  it("does not put the run out of step: each command gets its own reply (a SIM asking for a PIN is seen)", () => {
    const r = run({ lateProbeMs: 1002, cpin: "SIM PIN" });
    expect(r.mails).toEqual([]);
    expect(r.outcomes).toHaveLength(1);
    expect(r.outcomes[0]).toMatchObject({ delivered: false, code: 11 }); // SIM PIN required: configuration
  });

  it("still delivers when the SIM is ready", () => {
    const r = run({ lateProbeMs: 1002 });
    expect(r.outcomes.map((o) => o.delivered)).toEqual([true]);
    expect(r.mails).toEqual([r.bodyLength]);
  });
});

describe("compact mailer: outcomes on a fresh turn (nextTurn)", () => {
  it("hands the outcome over after the module's bytes were handled, never inside that callback", () => {
    const clock = new VirtualClock();
    const module = scriptedModule(clock, {});
    // Mark every delivery of the module's bytes to the link.
    let insideBytes = false;
    const attach = module.uart.attach;
    module.uart.attach = (sink: UartSink) =>
      attach({
        onBytes: (d, a, b) => {
          insideBytes = true;
          try {
            sink.onBytes(d, a, b);
          } finally {
            insideBytes = false;
          }
        },
        onWritable: () => sink.onWritable(),
      });
    const mailer = createCompactMailer(createAtLink(createByteFraming(module.uart), clock), clock, CONFIG, () => {});
    const during: boolean[] = [];
    mailer.radio(() => during.push(insideBytes));
    clock.advance(60000);
    const sent = mailer.send({ to: ["a@example.com"], cc: [], bcc: [], subject: "s", body: "b" }, () => during.push(insideBytes));
    expect(sent).toBe(0);
    clock.advance(900000);
    expect(during).toEqual([false, false]); // the radio reading and the mail's outcome
  });

  it("a radio reading comes on the turn after the run ended", () => {
    const clock = new VirtualClock();
    const module = scriptedModule(clock, {});
    const mailer = createCompactMailer(createAtLink(createByteFraming(module.uart), clock), clock, CONFIG, () => {});
    const seen: string[] = [];
    mailer.radio((r) => seen.push("radio " + r.stat));
    // Step until the run has ended (the mailer is ready again): the reading is still on its way.
    while (!mailer.ready() && clock.step());
    expect(seen).toEqual([]);
    clock.step();
    expect(seen).toEqual(["radio 1"]);
  });
});

describe("compact mailer: the SIM's answers (as the full driver takes them: test/modem/bringup.test.ts)", () => {
  it("an OK to AT+CPIN? without its state line is polled again, not taken as ready", () => {
    const r = run({ cpinFirst: ["", ""] });
    expect(r.outcomes.map((o) => o.delivered)).toEqual([true]);
    expect(r.commands.filter((c) => c === "AT+CPIN?")).toHaveLength(3);
  });

  it("NOT READY (a SIM being swapped) is polled, not taken as locked", () => {
    const r = run({ cpinFirst: ["NOT READY"] });
    expect(r.outcomes.map((o) => o.delivered)).toEqual([true]);
    expect(r.commands.filter((c) => c === "AT+CPIN?")).toHaveLength(2);
  });

  // Sweep seeds 164 and 210 (npm run sweep -- --seeds 256): one byte of "+CPIN: READY" lost or
  // changed made Espruino's mailer read a locked SIM and end the mail with 11, a configuration error.
  for (const state of ["REDY", "RAADY", "READY ", "SIM PN"]) {
    it(`a state damaged on the UART ("${state}") is polled again, not taken as a locked SIM`, () => {
      const r = run({ cpinFirst: [state] });
      expect(r.outcomes.map((o) => o.delivered)).toEqual([true]);
      expect(r.commands.filter((c) => c === "AT+CPIN?")).toHaveLength(2);
    });
  }

  it("any PIN or PUK is a locked SIM (PH-SIM PIN, SIM PUK2): 11 at once", () => {
    for (const cpin of ["PH-SIM PIN", "SIM PUK2"]) {
      const r = run({ cpin });
      expect(r.outcomes[0], cpin).toMatchObject({ delivered: false, code: 11, kind: 1 });
      expect(r.commands.filter((c) => c === "AT+CPIN?")).toHaveLength(1);
    }
  });

  it("a SIM that asks for its PUK: 11 at once, no second AT+CPIN?", () => {
    const r = run({ cpin: "SIM PUK" });
    expect(r.outcomes[0]).toMatchObject({ delivered: false, code: 11, kind: 1 });
    expect(r.commands.filter((c) => c === "AT+CPIN?")).toHaveLength(1);
  });
});

describe("compact mailer: the configuration rows are the full driver's (modem/rows.ts)", () => {
  // The record's TLS settings are honoured as the full driver honours them (Espruino's
  // mailer wrote version 4, every cipher suite and SNI whatever the record said).
  const records: [string, DeviceConfig][] = [
    ["plain SMTP", CONFIG],
    ["implicit TLS, the defaults", { ...CONFIG, sslType: 1, port: 465 }],
    ["STARTTLS, TLS 1.2, one suite, no SNI, context 2, PDP context 3", { ...CONFIG, sslType: 2, port: 587, sslVersion: 3, cipherSuite: "0x0035", sni: false, sslCtxId: 2, contextId: 3, apnAuth: 1, apnUser: "u", apnPassword: "p" }],
  ];
  for (const [what, config] of records) {
    it(what, () => {
      const r = run({}, config);
      expect(r.outcomes[0].delivered).toBe(true);
      const full = config as unknown as ResolvedConfig;
      const rows = [pdpConfigStep(full), ...(config.sslType ? sslSteps(full) : []), ...smtpConfigSteps(full)].map((s) => "AT" + s.command);
      const written = r.commands.filter((c) => /^AT\+(QICSGP|QSSLCFG|QSMTPCFG)=/.test(c));
      expect(written).toEqual(rows);
      if (config.sslType) expect(written.filter((c) => c.startsWith("AT+QSSLCFG")).length).toBe(config.sni ? 4 : 3);
    });
  }
});

describe("compact mailer: a mail that ended at its send leaves nothing for the next", () => {
  /** Three mails within the 10-minute reboot spacing, on one module. */
  function threeMails(script: Script) {
    const clock = new VirtualClock();
    const module = scriptedModule(clock, script);
    const mailer = createCompactMailer(createAtLink(createByteFraming(module.uart), clock), clock, CONFIG, () => {});
    const outcomes: CompactOutcome[] = [];
    const mail = (body: string) => {
      expect(mailer.send({ to: ["a@example.com"], cc: [], bcc: [], subject: "s", body }, (o) => outcomes.push(o))).toBe(0);
      clock.advance(150000); // all three within the 10-minute reboot spacing
    };
    mail("first mail");
    mail("second mail, longer");
    mail("third mail, longer still");
    return { ...module, outcomes };
  }

  it("the next mail's content is built and sent, never the content an ended send left on the module", () => {
    // Mail 1: three silent AT+QSMTPPUT (two resends, then three timeouts in a row: the module
    // counts as silent), so a reboot, then delivered. Mail 2, within the reboot spacing: three
    // silent AT+QSMTPPUT again, and the mail ends (no second reboot within 10 minutes). Mail 3
    // must send its own content: a resend of mail 2's would report mail 3 delivered while the
    // module sent mail 2. (The first version of the resend did that.)
    const r = threeMails({ putSilent: [0, 1, 2, 4, 5, 6] });
    expect(r.outcomes.map((o) => o.delivered)).toEqual([true, false, true]);
    expect(r.outcomes[1]).toMatchObject({ code: E_TIMEOUT, recoveries: 2 });
    expect(r.commands.filter((c) => c.startsWith("AT+CFUN"))).toHaveLength(1);
    // What the module sent: mail 1's body, then mail 3's (body lengths).
    expect(r.mails).toEqual(["first mail".length, "third mail, longer still".length]);
    // Mail 1 built twice (the reboot lost its content), mails 2 and 3 once (mail 2 resent with AT+QSMTPPUT alone).
    expect(r.commands.filter((c) => c.startsWith("AT+QSMTPBODY"))).toHaveLength(4);
  });

  it("a mail the server refused twice (4xx) ends, and the next mail builds its own content", () => {
    const r = threeMails({ puts: ["0,0", "667,450", "667,450"] });
    expect(r.outcomes.map((o) => o.delivered)).toEqual([true, false, true]);
    expect(r.outcomes[1]).toMatchObject({ code: 667, proto: 450, recoveries: 1 });
    expect(r.mails).toEqual(["first mail".length, "third mail, longer still".length]);
    expect(r.commands.filter((c) => c.startsWith("AT+QSMTPBODY"))).toHaveLength(3);
    expect(r.commands.filter((c) => c.startsWith("AT+QSMTPPUT"))).toHaveLength(4);
  });
});
