import { describe, expect, it } from "vitest";
import {
  QSMTP_ERR_TEXT,
  SMTP_REPLY_ORDER,
  errForSmtpReply,
  smtpReplyForErr,
} from "../../host-sim/smtp/codes.js";
import { classifyError, redact, secretsOf } from "../../host-sim/smtp/outcome.js";

describe("QSMTPPUT code tables (seed chapters 5 and 6)", () => {
  it("maps the 17 listed reply codes to 666-682 in order", () => {
    expect(SMTP_REPLY_ORDER).toEqual([421, 450, 451, 452, 500, 501, 502, 503, 504, 521, 530, 535, 550, 551, 552, 553, 554]);
    SMTP_REPLY_ORDER.forEach((code, i) => {
      expect(errForSmtpReply(code)).toBe(666 + i);
      expect(smtpReplyForErr(666 + i)).toBe(code);
    });
    expect(errForSmtpReply(535)).toBe(677);
    expect(errForSmtpReply(550)).toBe(678);
    expect(errForSmtpReply(530)).toBe(676);
    expect(errForSmtpReply(421)).toBe(666);
  });

  it("has a text for every err 651-682", () => {
    for (let e = 651; e <= 682; e++) expect(QSMTP_ERR_TEXT[e]).toBeTruthy();
    expect(QSMTP_ERR_TEXT[677]).toBe("Authentication failed");
  });

  it("maps unlisted codes by the documented choices and class fallbacks", () => {
    expect(errForSmtpReply(454)).toBe(668);
    expect(errForSmtpReply(534)).toBe(677);
    expect(errForSmtpReply(555)).toBe(671);
    expect(errForSmtpReply(447)).toBe(668);
    expect(errForSmtpReply(599)).toBe(682);
  });

  it("classifies system and nodemailer errors", () => {
    const c = (e: object) => classifyError(Object.assign(new Error("x"), e));
    expect(c({ code: "EDNS", originalCode: "ENOTFOUND" }).err).toBe(653);
    expect(c({ code: "EAI_AGAIN" }).err).toBe(653);
    expect(c({ code: "ESOCKET", originalCode: "ECONNREFUSED" }).err).toBe(654);
    expect(c({ code: "ESOCKET", originalCode: "ECONNRESET" }).err).toBe(656);
    expect(c({ code: "ECONNECTION" }).err).toBe(656);
    expect(c({ code: "ETIMEDOUT" }).err).toBe(658);
    expect(c({ code: "ESOCKET", originalCode: "DEPTH_ZERO_SELF_SIGNED_CERT" }).err).toBe(665);
    expect(c({ code: "ESOCKET", originalCode: "ERR_TLS_CERT_ALTNAME_INVALID" }).err).toBe(665);
    expect(c({ code: "ETLS" }).err).toBe(665);
    const r = c({ code: "EAUTH", responseCode: 535, command: "AUTH PLAIN" });
    expect([r.err, r.protocolError]).toEqual([677, 535]);
    expect(c({ code: "EAUTH" }).err).toBe(655);
    expect(c({ code: "EWHATEVER" }).err).toBe(651);
  });

  it("redacts the password and its SASL encodings", () => {
    const s = secretsOf({ user: "u", password: "hunter2" });
    const plain = Buffer.from("\u0000u\u0000hunter2").toString("base64");
    const login = Buffer.from("hunter2").toString("base64");
    const out = redact(`pw hunter2 / ${plain} / ${login}`, s);
    expect(out).not.toContain("hunter2");
    expect(out).not.toContain(plain);
    expect(out).not.toContain(login);
    expect(secretsOf({ user: "u", password: "" })).toEqual([]);
  });
});
