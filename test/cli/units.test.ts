// Small pieces of the CLI: HOST:PORT parsing, scenario lookup, the replay command
// comparison, the hints for `send`, the redacting live trace, and the SMTP routing of
// `modem --pty`.
import { describe, expect, it } from "vitest";
import { parseHostPort, resolveScenarioPath } from "../../host-sim/cli/common.js";
import { commandLines, compareCommands } from "../../host-sim/cli/replay.js";
import { hintFor } from "../../host-sim/cli/send.js";
import { TraceRedactor } from "../../host-sim/cli/trace.js";
import { RoutedSmtpEngine } from "../../host-sim/cli/routed-smtp.js";
import { parseTranscript } from "../../host-sim/transcript/format.js";
import type { OutgoingMail, SmtpEngine, SmtpSession } from "../../host-sim/smtp/types.js";

describe("cli helpers", () => {
  it("parses HOST:PORT", () => {
    expect(parseHostPort("127.0.0.1:2525")).toEqual({ host: "127.0.0.1", port: 2525 });
    expect(parseHostPort("[::1]:25")).toEqual({ host: "::1", port: 25 });
    expect(parseHostPort("mail.example.com:465")).toEqual({ host: "mail.example.com", port: 465 });
    for (const bad of ["127.0.0.1", ":25", "host:0", "host:70000", "host:x"]) expect(() => parseHostPort(bad)).toThrow(/HOST:PORT/);
  });

  it("finds bundled scenarios by name", () => {
    expect(resolveScenarioPath(undefined)).toMatch(/host-sim\/scenarios\/alarm-demo\.json$/);
    expect(resolveScenarioPath("auth-failure-535")).toMatch(/auth-failure-535\.json$/);
    expect(() => resolveScenarioPath("nope-nope")).toThrow(/scenario not found/);
  });

  it("extracts command lines from a transcript, dropping data-mode bytes", () => {
    const t = parseTranscript(
      [
        "# cellmail transcript v1",
        "   1.000 > AT\\r",
        "   2.000 < \\r\\nOK\\r\\n",
        '   3.000 > AT+QSMTPBODY=0,5,5\\r',
        "   4.000 < \\r\\nCONNECT\\r\\n",
        "   5.000 > hello",
        "   6.000 > AT+QSMTPPUT=300\\r",
      ].join("\n"),
    );
    expect(commandLines(t)).toEqual(["AT", "AT+QSMTPBODY=0,5,5", "AT+QSMTPPUT=300"]);
    expect(compareCommands(["AT", "ATE0"], ["AT", "ATE0"])).toEqual({ recorded: 2, sent: 2, matched: true });
    expect(compareCommands(["AT", "ATE0"], ["AT"])).toMatchObject({ matched: false, firstDifference: { index: 1, recorded: "ATE0" } });
  });

  it("hints at the usual causes", () => {
    expect(hintFor(0, "Error: No such file or directory, cannot open /dev/ttyUSB0")).toMatch(/does not exist/);
    expect(hintFor(0, "Error: Permission denied")).toMatch(/dialout/);
    expect(hintFor(1020, "timeout")).toMatch(/PWRKEY/);
    expect(hintFor(1039, "registration-denied")).toMatch(/denied registration/);
    expect(hintFor(677, "authentication failed (535)")).toMatch(/smtp\.user/);
    expect(hintFor(0, "something else")).toBeUndefined();
  });
});

describe("TraceRedactor", () => {
  it("masks the account password in the command, its echo and later lines", () => {
    const lines: string[] = [];
    const tr = new TraceRedactor((l) => lines.push(l), 1_000_000);
    const cmd = 'AT+QSMTPCFG="account","me@x.com","Top-Secret-1"\r';
    // the command arrives in pieces; the module echoes it
    tr.bytes(">", 1, Buffer.from(cmd.slice(0, 30), "latin1"));
    tr.bytes(">", 2, Buffer.from(cmd.slice(30), "latin1"));
    tr.bytes("<", 2, Buffer.from(cmd + "\r\nOK\r\n", "latin1"));
    tr.note(3, "module: account Top-Secret-1 set");
    tr.close();
    const all = lines.join("\n");
    expect(all).not.toContain("Top-Secret-1");
    expect(lines.filter((l) => l.includes('"***"'))).toHaveLength(2);
    expect(all).toContain("account *** set");
    expect(all).toMatch(/ < OK\\r/);
  });
});

describe("RoutedSmtpEngine", () => {
  it("delivers to the chosen server, without the account when asked", async () => {
    const seen: SmtpSession[] = [];
    const inner: SmtpEngine = {
      async deliver(s) {
        seen.push(s);
        return { err: 0, protocolError: 0, detail: "250 OK" };
      },
    };
    const engine = new RoutedSmtpEngine(inner, (s) => ({ server: { host: "127.0.0.1", port: s.sslType === 1 ? 1465 : 1025 }, dropAccount: true }));
    const session: SmtpSession = {
      server: { host: "smtp.qcloudmail.com", port: 465 },
      sslType: 1,
      secLevel: 0,
      sni: false,
      account: { user: "u", password: "p" },
      sender: { name: "n", email: "a@b.c" },
      bodyOriginal: false,
    };
    const mail = {} as OutgoingMail;
    await engine.deliver(session, mail, 1000);
    await engine.deliver({ ...session, sslType: 2 }, mail, 1000);
    expect(seen.map((s) => s.server.port)).toEqual([1465, 1025]);
    expect(seen[0].account).toEqual({ user: "", password: "" });
    expect(session.account.user).toBe("u");
  });
});
