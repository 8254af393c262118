// The error kind (KIND_* of ../errors) of every module code, without the cause texts:
// +CME ERROR numbers (3GPP, Quectel FILE 4xx, TCP/IP and SSL 5xx), the SMTP <err> codes
// 651-682 of +QSMTPPUT and QSMTP* commands, and SMTP protocol replies. The single
// source of the classification: codes.ts adds the cause texts on top of it, and the
// compact profile (firmware/compact/) uses these alone.
//
// Small when minified (it ships on Espruino): range checks and digit strings, nothing
// allocated at module load (Moddable preload freezes module-level tables).
import { KIND_CONFIG, KIND_NETWORK, KIND_PERMANENT, KIND_RETRYABLE, KIND_THROTTLED } from "../errors.js";

/** The SMTP replies of <err> 666, 667, ... 682, three digits each. */
const SMTP_ERR_REPLIES = "421450451452500501502503504521530535550551552553554";

/** The SMTP reply an <err> 666..682 stands for (421, 450, ... 554); 0 for any other code. */
export function smtpErrProto(err: number): number {
  return err >= 666 && err <= 682 ? +SMTP_ERR_REPLIES.substring(3 * (err - 666), 3 * (err - 665)) : 0;
}

/** The kind of an SMTP protocol reply: 530 throttled, other 4xx retryable, 5xx permanent; 0 for others. */
export function protoKind(proto: number): number {
  if (proto === 530) return KIND_THROTTLED;
  if (proto >= 400 && proto < 500) return KIND_RETRYABLE;
  return proto >= 500 && proto < 600 ? KIND_PERMANENT : 0;
}

/**
 * The kind of a +CME ERROR number, the SMTP <err> 651-682 included; 0 when the code is
 * not in the tables (the caller decides: today KIND_RETRYABLE).
 */
export function cmeKind(code: number): number {
  // One digit (a KIND_* value, 0 = unknown) per code: +CME 0..32 at [code], SMTP <err> 651..682 at [code - 618].
  // 666-682 are kinds of the server's reply they stand for (protoKind(smtpErrProto(code)),
  // written out: the Espruino bundle then carries neither function; test/modem/kinds.test.ts
  // checks every code against the reference).
  if ((code >= 0 && code <= 32) || (code >= 651 && code <= 682)) {
    return +"50031000002113321000313300000044433441343133233133332222226222222"[code > 32 ? code - 618 : code];
  }
  if (code === 100) return KIND_RETRYABLE;
  if (code === 403) return KIND_PERMANENT;
  if (code === 566) return KIND_CONFIG;
  if (code >= 400 && code < 427) return KIND_RETRYABLE; // Quectel FILE errors
  return code >= 550 && code < 580 ? KIND_NETWORK : 0; //  TCP/IP stack errors
}

/**
 * A refusal that means "not now" rather than "never": throttling (530, 454), any other 4xx
 * reply, and a 554 from Tencent SES (a *.qcloudmail.com server), which answers its rate
 * limit in the same 554 form as its other business errors (seed 000) while the EC800 passes
 * on the code, not the text that would tell them apart. The outboxes retry these for as
 * long as it takes. The server is matched by its ending: Espruino's String indexOf also
 * matches a needle whose start ends the string ("smtp.mail.iq".indexOf("qcloudmail") is 11).
 */
export function notNow(kind: number, proto: number, server: string): boolean {
  return kind === KIND_THROTTLED || (proto >= 400 && proto < 500) || (proto === 554 && server.toLowerCase().endsWith(".qcloudmail.com"));
}
