import { describe, expect, it } from "vitest";
import { newPreparedMail, prepareMail, validateMail, MailJob } from "../../firmware/mail/message.js";
import { utf8Bytes, utf8Hex, utf8Length } from "../../firmware/text/utf8.js";
import { bytesSource } from "../../firmware/at/source.js";
import {
  E_ADDRESS,
  E_ATTACHMENTS,
  E_BODY_LENGTH,
  E_CHARSET,
  E_RECIPIENTS,
  E_SUBJECT,
  E_UNSAFE_CHAR,
  KIND_CONFIG,
} from "../../firmware/errors.js";
import { job } from "./support/fixtures.js";

function err(j: Partial<MailJob>) {
  return validateMail(job(j));
}

describe("mail validation", () => {
  it("accepts a typical job", () => {
    expect(err({})).toBeNull();
  });

  it("checks address syntax", () => {
    for (const bad of ["", "no-at", "@x.com", "a@", "a@@b.com", "a b@c.com", "a@b..com", "a@-b.com", ".a@b.com", "a..b@c.com", "a@b_c.com"]) {
      const e = err({ to: [bad] });
      expect(e, bad).not.toBeNull();
      expect(e!.kind).toBe(KIND_CONFIG);
      expect(e!.field).toBe("to[0]");
    }
    expect(err({ to: ["a.b+tag@mail.example.co"] })).toBeNull();
    expect(err({ cc: ["bad"] })!.field).toBe("cc[0]");
    expect(err({ bcc: ["x@y.z", "bad"] })!.field).toBe("bcc[1]");
  });

  it("limits addresses to 50 bytes", () => {
    const local = "a".repeat(50 - "@ex.com".length);
    expect(err({ to: [local + "@ex.com"] })).toBeNull();
    const e = err({ to: [local + "a@ex.com"] });
    expect(e!.kind).toBe(KIND_CONFIG);
  });

  it("needs 1..20 recipients in all", () => {
    expect(err({ to: [] })!.code).toBe(E_RECIPIENTS);
    const ten = Array.from({ length: 10 }, (_, i) => `u${i}@ex.com`);
    expect(err({ to: ten, cc: ten })).toBeNull();
    expect(err({ to: ten, cc: ten, bcc: ["x@ex.com"] })!.code).toBe(E_RECIPIENTS);
  });

  it("body must be 1..10240 bytes, counted in UTF-8", () => {
    expect(err({ body: "" })!.code).toBe(E_BODY_LENGTH);
    expect(err({ body: "x".repeat(10240) })).toBeNull();
    expect(err({ body: "x".repeat(10241) })!.code).toBe(E_BODY_LENGTH);
    expect(err({ body: "中".repeat(3413) })).toBeNull(); // 10239 bytes
    expect(err({ body: "中".repeat(3414) })!.code).toBe(E_BODY_LENGTH); // 10242 bytes
    expect(err({ body: bytesSource(new Uint8Array(0)) })!.code).toBe(E_BODY_LENGTH);
  });

  it("charset rules", () => {
    const out = newPreparedMail();
    expect(prepareMail(job({ body: "plain" }), out)).toBeNull();
    expect(out.bodyCharset).toBe(0);
    expect(prepareMail(job({ body: "温度过高 🔥" }), out)).toBeNull();
    expect(out.bodyCharset).toBe(1);
    expect(new TextDecoder().decode(utf8BytesOf(out.body))).toBe("温度过高 🔥");
    expect(err({ body: "温度", charset: 0 })!.code).toBe(E_CHARSET);
    expect(err({ body: "abc", charset: 2 })!.code).toBe(E_CHARSET);
    expect(err({ body: "abc", charset: 7 })!.code).toBe(E_CHARSET);
    expect(prepareMail(job({ body: bytesSource(new Uint8Array([0xd6, 0xd0])), charset: 2 }), out)).toBeNull();
    expect(out.bodyCharset).toBe(2);
  });

  it("attachments: at most 10, safe unique names, not empty", () => {
    const a = (name: string, n = 3) => ({ name, data: bytesSource(new Uint8Array(n)) });
    expect(err({ attachments: [a("log.csv"), a("photo_1.jpg")] })).toBeNull();
    expect(err({ attachments: Array.from({ length: 11 }, (_, i) => a(`f${i}.bin`)) })!.code).toBe(E_ATTACHMENTS);
    expect(err({ attachments: [a("x.bin"), a("x.bin")] })!.code).toBe(E_ATTACHMENTS);
    for (const bad of ['a"b', "a,b", "a b", "../x", "x\r\nAT+QFDEL", "", "é.txt", "a".repeat(41)]) {
      expect(err({ attachments: [a(bad)] }), bad).not.toBeNull();
    }
    expect(err({ attachments: [a("empty.bin", 0)] })!.code).toBe(E_ATTACHMENTS);
  });
});

function utf8BytesOf(src: { length: number; read(p: number, d: Uint8Array, o: number, m: number): number }): Uint8Array {
  const b = new Uint8Array(src.length);
  src.read(0, b, 0, src.length);
  return b;
}

describe("subject: ASCII, UTF-8 hex, injection", () => {
  it("plain ASCII goes as charset 0", () => {
    const out = newPreparedMail();
    expect(prepareMail(job({ subject: "Alarm, AT+CFUN=1,1 ; ok" }), out)).toBeNull();
    expect(out.subjectCharset).toBe(0);
    expect(out.subjectText).toBe("Alarm, AT+CFUN=1,1 ; ok");
  });

  it("a subject with a double quote or non-ASCII goes as UTF-8 hex", () => {
    const out = newPreparedMail();
    expect(prepareMail(job({ subject: 'Pump "A" off' }), out)).toBeNull();
    expect(out.subjectCharset).toBe(1);
    expect(out.subjectText).toBe(Buffer.from('Pump "A" off', "utf8").toString("hex").toUpperCase());
    expect(prepareMail(job({ subject: "温度告警 🔥" }), out)).toBeNull();
    expect(out.subjectCharset).toBe(1);
    expect(out.subjectText).toBe(Buffer.from("温度告警 🔥", "utf8").toString("hex").toUpperCase());
    expect(out.subjectText).toMatch(/^[0-9A-F]+$/);
  });

  it("CR, LF and control characters are refused, in any form", () => {
    for (const s of ["a\r\nAT+CFUN=1,1", "a\rb", "a\nb", "tab\there", "nul\u0000", "del\u007f", '"\r\nAT+QSMTPPUT=60\r\n"', "中\n文"]) {
      const e = err({ subject: s });
      expect(e, JSON.stringify(s)).not.toBeNull();
      expect(e!.code).toBe(E_SUBJECT);
      expect(e!.kind).toBe(KIND_CONFIG);
    }
  });

  it("at most 100 bytes in either form", () => {
    expect(err({ subject: "x".repeat(100) })).toBeNull();
    expect(err({ subject: "x".repeat(101) })!.code).toBe(E_SUBJECT);
    expect(err({ subject: "中".repeat(33) })).toBeNull(); // 99 bytes
    expect(err({ subject: "中".repeat(34) })!.code).toBe(E_SUBJECT); // 102 bytes
  });
});

describe("injection through addresses", () => {
  it("refuses quotes, CR, LF and commas that could leave the quoted field", () => {
    const evil = [
      'ops@example.com"\r\nAT+CFUN=1,1\r\n"',
      'ops"@example.com',
      "ops@example.com\r",
      "ops@example.com\nAT+QIDEACT=1",
      "a,b@example.com",
      "ops@exa,mple.com",
      "AT+QSMTPPUT=60",
    ];
    for (const a of evil) {
      for (const field of ["to", "cc", "bcc"] as const) {
        const e = err({ [field]: [a] } as Partial<MailJob>);
        expect(e, a).not.toBeNull();
        expect(e!.kind).toBe(KIND_CONFIG);
        expect([E_ADDRESS, E_UNSAFE_CHAR]).toContain(e!.code);
      }
    }
  });
});

describe("UTF-8 encoder", () => {
  it("matches Node's encoder on mixed text, surrogate pairs and lone surrogates", () => {
    const samples = ["", "abc", "é", "€", "中文", "🔥", "a\u0000b", "\u07ff\u0800\uffff", "x\ud83dy", "\udc00"];
    for (const s of samples) {
      const expected = new Uint8Array(Buffer.from(s, "utf8"));
      expect(Array.from(utf8Bytes(s)), JSON.stringify(s)).toEqual(Array.from(expected));
      expect(utf8Length(s)).toBe(expected.length);
      expect(utf8Hex(s)).toBe(Buffer.from(s, "utf8").toString("hex").toUpperCase());
    }
  });

  it("the seed's example hex (its caption says TEST SMTP, the bytes spell \"test SMTP\")", () => {
    expect(utf8Hex("test SMTP")).toBe("7465737420534D5450");
  });
});
