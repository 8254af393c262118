import { describe, expect, it } from "vitest";
import { atSafe, quoteAt } from "../../firmware/modem/quote.js";
import { xor16, xor16Source } from "../../firmware/ext/upload/checksum.js";
import { bytesSource } from "../../firmware/at/source.js";
import {
  cmeTextToCode,
  commandName,
  putResultToError as putResultBare,
  resultToError as resultBare,
} from "../../firmware/modem/codes.js";
import { causeTexts, describeCme, describeSmtpErr, describeSmtpProto, newCodeInfo } from "../../firmware/ext/causes/texts.js";
import type { AtResult } from "../../firmware/at/types.js";

// As the compositions that carry the cause texts (Moddable, Node) call them.
const resultToError = (r: AtResult, command: string) => resultBare(r, command, causeTexts());
const putResultToError = (err: number, proto: number) => putResultBare(err, proto, causeTexts());
import { resolveConfig } from "../../firmware/modem/config.js";
import { recipientStep, smtpConfigSteps, subjectStep } from "../../firmware/modem/steps.js";
import {
  CellError,
  E_CANCELLED,
  E_FIELD_TOO_LONG,
  E_TIMEOUT,
  E_UNSAFE_CHAR,
  isFinal,
  KIND_CONFIG,
  KIND_NETWORK,
  KIND_PERMANENT,
  KIND_RETRYABLE,
  KIND_THROTTLED,
} from "../../firmware/errors.js";
import { RESULT_CANCELLED, RESULT_CME, RESULT_ERROR, RESULT_OK, RESULT_TIMEOUT } from "../../firmware/at/types.js";
import { config } from "../mail/support/fixtures.js";

describe("quoteAt: the one AT string gate", () => {
  it("quotes printable ASCII, commas and AT text included", () => {
    expect(quoteAt("a,b AT+CFUN=1,1;", 50, "f")).toBe('"a,b AT+CFUN=1,1;"');
    expect(quoteAt("", 50, "f")).toBe('""');
  });

  it("refuses quote, CR, LF, control and non-ASCII bytes with a typed error", () => {
    for (const s of ['a"b', "a\rb", "a\nb", "a\u0000", "a\u001b", "a\u007f", "é", "中"]) {
      let thrown: CellError | null = null;
      try {
        quoteAt(s, 50, "user");
      } catch (e) {
        thrown = e as CellError;
      }
      expect(thrown, JSON.stringify(s)).not.toBeNull();
      expect(thrown!.kind).toBe(KIND_CONFIG);
      expect(thrown!.code).toBe(E_UNSAFE_CHAR);
      expect(thrown!.field).toBe("user");
    }
  });

  it("enforces the byte limit", () => {
    expect(atSafe("x".repeat(50), 50, "f", false)).toBeNull();
    expect(atSafe("x".repeat(51), 50, "f", false)!.code).toBe(E_FIELD_TOO_LONG);
    expect(atSafe("", 50, "f", false)).not.toBeNull();
  });

  it("command builders cannot be tricked into a second command", () => {
    expect(() => recipientStep(1, 'x@y.z"\rAT+CFUN=1,1\r"')).toThrow();
    expect(() => subjectStep(0, "a\r\nAT+QIDEACT=1")).toThrow();
    expect(subjectStep(1, "E4B8AD").command).toBe('+QSMTPSUB=1,"E4B8AD"');
  });
});

describe("configuration", () => {
  it("fills defaults", () => {
    const r = resolveConfig(config()) as any;
    expect(r.contextId).toBe(1);
    expect(r.sslCtxId).toBe(1);
    expect(r.putTimeoutS).toBe(300);
    expect(r.rebootSpacingMs).toBe(600000);
    expect(r.secLevel).toBe(0);
  });

  it("refuses unsafe or oversized fields with the field name", () => {
    const cases: [object, string][] = [
      [{ password: 'pa"ss' }, "password"],
      [{ password: "p\r\nAT+CFUN=1,1" }, "password"],
      [{ user: "u".repeat(51) }, "user"],
      [{ server: "smtp.example.com,25" }, "server"],
      [{ senderName: 'Bob" ,"x' }, "senderName"],
      [{ senderEmail: "not-an-address" }, "senderEmail"],
      [{ apn: "inter\rnet" }, "apn"],
      [{ port: 0 }, "port"],
      [{ sslType: 3 }, "sslType"],
      [{ secLevel: 1 }, "caCert"],
      [{ putTimeoutS: 59 }, "putTimeoutS"],
    ];
    for (const [extra, field] of cases) {
      const r = resolveConfig(config(extra)) as CellError;
      expect(r.kind, field).toBe(KIND_CONFIG);
      expect(r.field).toBe(field);
    }
  });

  it("the password error never echoes the password", () => {
    const r = resolveConfig(config({ password: 'hunter2"' })) as CellError;
    expect(r.cause).not.toContain("hunter2");
  });

  it("SMTP configuration table follows the seed order", () => {
    const r = resolveConfig(config({ sslType: 0, port: 25 })) as any;
    expect(smtpConfigSteps(r).map((s) => s.command)).toEqual([
      '+QSMTPCFG="contextid",1',
      '+QSMTPCFG="ssltype",0',
      '+QSMTPCFG="smtpserver","smtp.example.com",25',
      '+QSMTPCFG="account","alarm@example.com","s3cr3t-Pa55"',
      '+QSMTPCFG="sender","Pump station 7","alarm@example.com"',
    ]);
  });
});

describe("QFUPL checksum", () => {
  it("XOR of big-endian words, odd last byte is the high byte", () => {
    expect(xor16(new Uint8Array([0x12, 0x34, 0x56, 0x78]), 0, 4)).toBe(0x1234 ^ 0x5678);
    expect(xor16(new Uint8Array([0x12, 0x34, 0x56]), 0, 3)).toBe(0x1234 ^ 0x5600);
    expect(xor16(new Uint8Array([]), 0, 0)).toBe(0);
  });

  it("streaming over odd-sized reads gives the same result", () => {
    const data = new Uint8Array(1001);
    for (let i = 0; i < data.length; i++) data[i] = (i * 37 + 11) & 0xff;
    const whole = xor16(data, 0, data.length);
    for (const size of [1, 2, 3, 7, 64, 255, 2000]) {
      expect(xor16Source(bytesSource(data), new Uint8Array(size)), "scratch " + size).toBe(whole);
    }
    // a source that returns fewer bytes than asked
    const stingy = { length: data.length, read: (p: number, d: Uint8Array, o: number, m: number) => bytesSource(data).read(p, d, o, Math.min(m, 3)) };
    expect(xor16Source(stingy, new Uint8Array(64))).toBe(whole);
  });

  it("reference implementation from the behaviour notes agrees", () => {
    const data = new Uint8Array(777);
    for (let i = 0; i < data.length; i++) data[i] = (i * 101) & 0xff;
    let ck = 0;
    for (let i = 0; i < data.length; i += 2) ck ^= (data[i] << 8) | (i + 1 < data.length ? data[i + 1] : 0);
    expect(xor16(data, 0, data.length)).toBe(ck & 0xffff);
  });
});

describe("error tables", () => {
  it("666-682 follow the SMTP codes 421..554 in order", () => {
    const smtp = [421, 450, 451, 452, 500, 501, 502, 503, 504, 521, 530, 535, 550, 551, 552, 553, 554];
    const a = newCodeInfo();
    const b = newCodeInfo();
    for (let i = 0; i < smtp.length; i++) {
      expect(describeSmtpErr(666 + i, a)).toBe(true);
      expect(describeSmtpProto(smtp[i], b)).toBe(true);
      expect(a.cause, String(666 + i)).toContain(String(smtp[i]));
      expect(a.kind, String(666 + i)).toBe(b.kind);
    }
  });

  it("every code 651-682 has a cause and a class", () => {
    const info = newCodeInfo();
    for (let c = 651; c <= 682; c++) {
      expect(describeSmtpErr(c, info), String(c)).toBe(true);
      expect(info.cause.length).toBeGreaterThan(5);
      expect(info.kind).toBeGreaterThan(0);
    }
    expect(describeSmtpErr(650, info)).toBe(false);
    expect(describeSmtpErr(683, info)).toBe(false);
  });

  it("classes: network 653/654/657, SSL 665 config, 535/550 permanent, 530 throttled, 421 retryable", () => {
    const kind = (err: number, proto = 0) => putResultToError(err, proto)!.kind;
    expect(kind(653)).toBe(KIND_NETWORK);
    expect(kind(654)).toBe(KIND_NETWORK);
    expect(kind(657)).toBe(KIND_NETWORK);
    expect(kind(665)).toBe(KIND_CONFIG);
    expect(kind(677)).toBe(KIND_PERMANENT);
    expect(kind(678)).toBe(KIND_PERMANENT);
    expect(kind(676)).toBe(KIND_THROTTLED);
    expect(kind(666)).toBe(KIND_RETRYABLE);
    expect(kind(658)).toBe(KIND_RETRYABLE);
    expect(putResultToError(0, 0)).toBeNull();
  });

  it("the protocol code refines a generic <err>", () => {
    const e = putResultToError(660, 535)!;
    expect(e.kind).toBe(KIND_PERMANENT);
    expect(e.proto).toBe(535);
    expect(e.code).toBe(660);
    expect(isFinal(e.kind)).toBe(true);
    expect(putResultToError(660, 454)!.kind).toBe(KIND_RETRYABLE); // SES per-second throttling: resend
    expect(putResultToError(660, 530)!.kind).toBe(KIND_THROTTLED);
    expect(putResultToError(651, 0)!.kind).toBe(KIND_RETRYABLE);
    expect(putResultToError(999, 0)!.kind).toBe(KIND_RETRYABLE);
  });

  it("CME codes and texts", () => {
    const info = newCodeInfo();
    expect(describeCme(14, info) && info.kind).toBe(KIND_RETRYABLE);
    expect(describeCme(10, info) && info.kind).toBe(KIND_PERMANENT);
    expect(describeCme(652, info) && info.cause).toContain("busy");
    expect(cmeTextToCode("SIM busy")).toBe(14);
    expect(cmeTextToCode("file already exist")).toBe(407);
    expect(cmeTextToCode("operation not allowed")).toBe(3);
    expect(cmeTextToCode("DSAT_CME_GNSS_NOT_FIXED_NOW")).toBe(-1);
  });

  it("engine results become typed errors that never show command arguments", () => {
    const r = (code: number, errorCode = -1, errorText = "") => ({ code, errorCode, errorText, elapsedMs: 0 });
    const cmd = '+QSMTPCFG="account","u","topsecret"';
    expect(resultToError(r(RESULT_OK), cmd)).toBeNull();
    expect(resultToError(r(RESULT_TIMEOUT), cmd)!.code).toBe(E_TIMEOUT);
    expect(resultToError(r(RESULT_CANCELLED), cmd)!.code).toBe(E_CANCELLED);
    expect(resultToError(r(RESULT_ERROR), cmd)!.kind).toBe(KIND_RETRYABLE);
    expect(resultToError(r(RESULT_CME, 14), cmd)!.code).toBe(14);
    expect(resultToError(r(RESULT_CME, -1, "SIM busy"), cmd)!.code).toBe(14);
    for (const c of [RESULT_TIMEOUT, RESULT_CANCELLED, RESULT_ERROR, RESULT_CME]) {
      expect(resultToError(r(c, 3), cmd)!.cause).not.toContain("topsecret");
    }
    expect(commandName(cmd)).toBe("AT+QSMTPCFG");
  });
});
