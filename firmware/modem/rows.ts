// The texts of the EC800's configuration commands (text after "AT"), written once for both
// mailers (issue 12): the full core's command tables (steps.ts) and Espruino's mailer
// (compact/mailer.ts) build the PDP context's, the SSL context's and the SMTP account's
// rows here, from the one device record, in the order the module takes them.
//
// Every string from the record goes through the caller's `Quote`: the full core's throws a
// typed error naming the record's key (steps.ts), Espruino's mailer keeps the refusal's code
// and ends the run with it. Nothing else from the record reaches a row
// but numbers and the cipher suite, which the record's writer checks (modem/config.ts).
import type { ModemSettings } from "./config.js";
import { AT_FIELD_MAX } from "./quote.js";

/** `value` (one of the record's) in quotes, within `max` bytes, once the one AT gate (quote.ts) takes it. */
export type Quote = (value: string, max: number) => string;

/** AT+QICSGP=<cid>,1(IPv4),"<apn>","<user>","<password>",<auth>. */
export function pdpRow(c: ModemSettings, q: Quote): string {
  return "+QICSGP=" + c.contextId + ",1," + q(c.apn, 62) + "," + q(c.apnUser, AT_FIELD_MAX) + "," + q(c.apnPassword, AT_FIELD_MAX) + "," + c.apnAuth;
}

/**
 * The SSL context (AT+QSSLCFG) for SMTPS and STARTTLS, onto `rows`: version, cipher suite,
 * the verification level, SNI when on; nothing for plain SMTP. The CA row (`"cacert"`, after the level) is the
 * upload's: steps.ts puts it in where a CA goes up (ext/upload).
 */
export function sslRows(c: ModemSettings, rows: string[]): void {
  const row = (key: string, value: string | number) => rows.push('+QSSLCFG="' + key + '",' + c.sslCtxId + "," + value);
  if (c.sslType) {
    row("sslversion", c.sslVersion);
    row("ciphersuite", c.cipherSuite);
    row("seclevel", c.secLevel);
    if (c.sni) row("sni", 1);
  }
}

/** The SMTP server and account (AT+QSMTPCFG, seed 1.2 steps 1-2), onto `rows`: once per module boot. The last row is "sender". */
export function smtpRows(c: ModemSettings, q: Quote, rows: string[]): void {
  const row = (key: string, value: string | number) => rows.push('+QSMTPCFG="' + key + '",' + value);
  row("contextid", c.contextId);
  row("ssltype", c.sslType);
  if (c.sslType) row("sslctxid", c.sslCtxId);
  row("smtpserver", q(c.server, AT_FIELD_MAX) + "," + c.port);
  row("account", q(c.user, AT_FIELD_MAX) + "," + q(c.password, AT_FIELD_MAX));
  row("sender", q(c.senderName, AT_FIELD_MAX) + "," + q(c.senderEmail, AT_FIELD_MAX));
}
