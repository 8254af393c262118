// firmware/modem/kinds.ts is the single source of every code's kind: codes.ts (with the
// cause texts) and the compact profile (without them) must classify alike. Since codes.ts
// takes its kinds from kinds.ts, each agreement check also compares with REFERENCE below,
// the classification written out by hand (seed chapters 5 and 6): a changed kind fails
// here even though both modules would still agree with each other.
import { describe, expect, it } from "vitest";
import { cmeKind, notNow, protoKind, smtpErrProto } from "../../firmware/modem/kinds.js";
import { describeCme, describeSmtpErr, describeSmtpProto, newCodeInfo } from "../../firmware/ext/causes/texts.js";
import {
  kindName,
  KIND_CONFIG as C,
  KIND_MODEM as M,
  KIND_NETWORK as N,
  KIND_PERMANENT as P,
  KIND_RETRYABLE as R,
  KIND_THROTTLED as T,
} from "../../firmware/errors.js";

/** The SMTP replies 666..682 stand for. */
const REPLIES = [421, 450, 451, 452, 500, 501, 502, 503, 504, 521, 530, 535, 550, 551, 552, 553, 554];

/** The kind of an SMTP reply, by hand: 530 throttled, 4xx retryable, 5xx permanent. */
function referenceProto(p: number): number {
  if (p === 530) return T;
  if (p >= 400 && p <= 499) return R;
  if (p >= 500 && p <= 599) return P;
  return 0;
}

/** The kind of a +CME ERROR number, by hand; 0 when unknown. */
function referenceCme(code: number): number {
  const rows: Record<number, number> = {
    0: M, 3: R, 4: C, 10: P, 11: C, 12: C, 13: R, 14: R, 15: P, 16: C,
    20: R, 21: C, 22: R, 23: R, 30: N, 31: N, 32: N, 100: R,
    403: P, 405: R, 407: R, 421: R, 566: C, 572: N,
    651: R, 652: R, 653: N, 654: N, 655: C, 656: R, 657: N, 658: R,
    659: C, 660: R, 661: R, 662: P, 663: R, 664: R, 665: C,
  };
  if (code in rows) return rows[code];
  if (code >= 666 && code <= 682) return referenceProto(REPLIES[code - 666]);
  if (code >= 400 && code <= 426) return R; // FILE errors
  if (code >= 550 && code <= 579) return N; // TCP/IP stack errors
  return 0;
}

function describedKind(describe: (code: number, out: ReturnType<typeof newCodeInfo>) => boolean, code: number): number {
  const info = newCodeInfo();
  return describe(code, info) ? info.kind : 0;
}

/** "code: a/b/c" for every code where the three kinds are not all equal. */
function mismatches(from: number, to: number, a: (c: number) => number, b: (c: number) => number, ref: (c: number) => number): string[] {
  const bad: string[] = [];
  for (let code = from; code <= to; code++) {
    const x = a(code);
    const y = b(code);
    const z = ref(code);
    if (x !== y || y !== z) bad.push(`${code}: ${kindName(x)}/${kindName(y)}/expected ${kindName(z)}`);
  }
  return bad;
}

describe("kinds: the classification without the cause texts", () => {
  it("cmeKind agrees with describeCme (and with the reference) for every code 0..1100", () => {
    expect(mismatches(0, 1100, cmeKind, (c) => describedKind(describeCme, c), referenceCme)).toEqual([]);
  });

  it("protoKind agrees with describeSmtpProto (and with the reference) for every reply 100..699", () => {
    expect(mismatches(100, 699, protoKind, (c) => describedKind(describeSmtpProto, c), referenceProto)).toEqual([]);
  });

  it("describeSmtpErr knows exactly 651..682, with cmeKind's kind", () => {
    const smtpOnly = (c: number) => (c >= 651 && c <= 682 ? referenceCme(c) : 0);
    const cmeInSmtpRange = (c: number) => (c >= 651 && c <= 682 ? cmeKind(c) : 0);
    expect(mismatches(0, 1100, cmeInSmtpRange, (c) => describedKind(describeSmtpErr, c), smtpOnly)).toEqual([]);
  });

  it("smtpErrProto gives the reply 666..682 stand for, 0 elsewhere", () => {
    for (let err = 0; err <= 1100; err++) {
      expect(smtpErrProto(err)).toBe(err >= 666 && err <= 682 ? REPLIES[err - 666] : 0);
    }
    expect(smtpErrProto(666)).toBe(421);
    expect(smtpErrProto(676)).toBe(530);
    expect(smtpErrProto(677)).toBe(535);
    expect(smtpErrProto(682)).toBe(554);
    // 666..682 read as their reply, texts included.
    const a = newCodeInfo();
    const b = newCodeInfo();
    for (let err = 666; err <= 682; err++) {
      expect(describeSmtpErr(err, a)).toBe(true);
      expect(describeSmtpProto(smtpErrProto(err), b)).toBe(true);
      expect(a).toEqual(b);
    }
  });

  it("hand-picked kinds", () => {
    expect(protoKind(535)).toBe(P);
    expect(protoKind(530)).toBe(T);
    expect(protoKind(421)).toBe(R);
    expect(protoKind(454)).toBe(R);
    expect(protoKind(550)).toBe(P);
    expect(protoKind(250)).toBe(0);
    expect(protoKind(0)).toBe(0);
    expect(cmeKind(654)).toBe(N);
    expect(cmeKind(14)).toBe(R);
    expect(cmeKind(10)).toBe(P);
    expect(cmeKind(665)).toBe(C);
    expect(cmeKind(0)).toBe(M);
    expect(cmeKind(676)).toBe(T);
    expect(cmeKind(677)).toBe(P);
    expect(cmeKind(1)).toBe(0);
    expect(cmeKind(-1)).toBe(0);
    expect(cmeKind(683)).toBe(0);
  });
});

describe("notNow: refusals the outboxes retry for as long as it takes", () => {
  it("throttling, any 4xx reply, and a 554 from Tencent SES only", () => {
    expect(notNow(T, 530, "smtp.example.com")).toBe(true);
    for (const p of [421, 450, 451, 452, 454]) expect(notNow(R, p, "smtp.example.com"), String(p)).toBe(true);
    expect(notNow(P, 554, "smtp.example.com")).toBe(false);
    for (const host of ["smtp.qcloudmail.com", "gz-smtp.qcloudmail.com", "sg-smtp.qcloudmail.com"]) expect(notNow(P, 554, host), host).toBe(true);
    expect(notNow(P, 554, "SMTP.QCloudMail.com")).toBe(true); //  host names are not case-sensitive
    for (const host of ["smtp.mail.iq", "qcloudmail.com.example.org", "smtp.qcloudmail.company"]) expect(notNow(P, 554, host), host).toBe(false);
    expect(notNow(P, 550, "smtp.qcloudmail.com")).toBe(false);
    expect(notNow(P, 535, "smtp.qcloudmail.com")).toBe(false);
    expect(notNow(R, 0, "smtp.qcloudmail.com")).toBe(false); // a timeout or a network error: no reply, not "not now"
  });
});
