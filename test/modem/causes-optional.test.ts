// The cause texts are an optional module (firmware/ext/causes): a composition that leaves
// them out must report the same codes and kinds, with a cause that names the code and the
// command instead of describing it. These tests compare the core's errors with and
// without the texts, code by code, and run a whole failing mail without them.
import { describe, expect, it } from "vitest";
import { putResultToError, resultToError } from "../../firmware/modem/codes.js";
import { causeTexts } from "../../firmware/ext/causes/texts.js";
import { RESULT_CME, type AtResult } from "../../firmware/at/types.js";
import { KIND_PERMANENT } from "../../firmware/errors.js";
import { rig } from "../mail/support/fixtures.js";

const cme = (n: number, text = ""): AtResult => ({ code: RESULT_CME, errorCode: n, errorText: text, elapsedMs: 0 });

describe("without the cause texts (ext/causes left out)", () => {
  it("every +CME ERROR 0..1100 keeps its code and kind; the cause names the code and the command", () => {
    const texts = causeTexts();
    const differ: string[] = [];
    for (let n = 0; n <= 1100; n++) {
      const bare = resultToError(cme(n), "+CPIN?", null)!;
      const told = resultToError(cme(n), "+CPIN?", texts)!;
      if (bare.code !== told.code || bare.kind !== told.kind) differ.push(`${n}: ${bare.code}/${bare.kind} vs ${told.code}/${told.kind}`);
      expect(bare.cause).toBe(`+CME ERROR: ${n} (AT+CPIN)`);
    }
    expect(differ).toEqual([]);
    // With the texts, a known code is described (the test above would pass if nothing were).
    expect(resultToError(cme(14), "+CPIN?", texts)!.cause).toBe("SIM busy (AT+CPIN)");
  });

  it("a text error (AT+CMEE=2) is mapped to its number the same way", () => {
    const bare = resultToError(cme(-1, "SIM busy"), "+CPIN?", null)!;
    const told = resultToError(cme(-1, "SIM busy"), "+CPIN?", causeTexts())!;
    expect([bare.code, bare.kind]).toEqual([told.code, told.kind]);
    expect(bare.code).toBe(14);
    expect(bare.cause).toBe("+CME ERROR: SIM busy (AT+CPIN)");
  });

  it("every +QSMTPPUT <err> 0..1100 with and without a server reply keeps code, kind and proto", () => {
    const texts = causeTexts();
    const differ: string[] = [];
    for (const proto of [0, 421, 450, 454, 530, 535, 550, 554, 599, 600]) {
      for (let err = 1; err <= 1100; err++) {
        const bare = putResultToError(err, proto, null)!;
        const told = putResultToError(err, proto, texts)!;
        if (bare.code !== told.code || bare.kind !== told.kind || bare.proto !== told.proto) differ.push(`${err},${proto}`);
        expect(bare.cause, `${err},${proto}`).toContain(String(err));
        if (proto >= 400 && proto < 600) expect(bare.cause, `${err},${proto}`).toContain(String(proto));
      }
    }
    expect(differ).toEqual([]);
    expect(putResultToError(0, 0, null)).toBeNull();
    expect(putResultToError(677, 535, null)!.cause).toBe("SMTP: error 677; server: SMTP 535");
    expect(putResultToError(677, 535, texts)!.cause).toMatch(/authentication/);
  });

  it("a Mailer composed without them fails a 535 mail with the same code, kind and proto, and a cause naming the codes", () => {
    const r = rig(undefined, { causes: undefined });
    r.port.on("+QSMTPPUT=", { urcs: [{ afterMs: 500, line: "+QSMTPPUT: 677,535" }] });
    r.send();
    r.settle(1);
    const e = r.results[0].error!;
    expect(r.results[0].delivered).toBe(false);
    expect([e.code, e.kind, e.proto]).toEqual([677, KIND_PERMANENT, 535]);
    expect(e.cause).toBe("SMTP: error 677; server: SMTP 535");
    expect(r.port.commands[r.port.commands.length - 1]).toBe("+QSMTPCLR");
  });
});
