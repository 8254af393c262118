// Command sequences of the EC800 as data: one row per command, read next to the
// manual (seed chapters 2-3, reference/ec800-at-behaviour.md). A row says what is sent
// (text after "AT"), what the reply looks like (shape + information-line prefix) and
// how long the module may take. The driver (ec800.ts) runs them in order and stops at
// the first failure. Builders take the resolved configuration and quote every string
// through quoteAt, so no value can leave its "...".
import { SHAPE_DEFERRED, SHAPE_LINE, SHAPE_LINES, SHAPE_NONE, SHAPE_PROMPT } from "../at/types.js";
import type { ResolvedConfig } from "./config.js";
import { pdpRow, sslRows, smtpRows, type Quote } from "./rows.js";
import { atRefusal, quoteAt, AT_FIELD_MAX } from "./quote.js";

export interface Step {
  /** Text after "AT". */
  command: string;
  shape: number;
  /** Information-line prefix, "" when none. */
  prefix: string;
  timeoutMs: number;
  /**
   * The module may refuse this row and the sequence still holds (a module that keeps its
   * own error format refuses AT+CMEE=1): ERROR or +CME ERROR moves on instead of failing.
   */
  optional: boolean;
  /**
   * Tries when the module may not have taken the command as sent (script.ts writeAgain): 0,
   * by the one table of both mailers (the driver's stepTable: 1 for a step written once, else
   * STEP_TRIES), or 1 for a step written once whatever its command (once()).
   */
  tries: number;
}

// Manual maximum response times (EG800Q/EC800 family), with room for a slow UART: timing.ts,
// shared with Espruino's mailer.
export { T_PROBE, T_SHORT, T_CPIN, T_CFUN, T_QIACT, T_QIDEACT } from "./timing.js";
import { T_CFUN, T_QIACT, T_QIDEACT, T_SHORT } from "./timing.js";

export function step(command: string, shape: number, prefix: string, timeoutMs: number): Step {
  return { command: command, shape: shape, prefix: prefix, timeoutMs: timeoutMs, optional: false, tries: 0 };
}

/** A step that is written once, whatever its command (its own loop tries again, or a second writing would do it twice). */
export function once(s: Step): Step {
  s.tries = 1;
  return s;
}

/**
 * After the module answers AT: echo on (the engine compares every command's echo with what
 * was sent: a byte lost or changed on the way to the module is caught, RESULT_GARBLED),
 * numeric +CME errors, service URCs to our UART. Numeric errors are asked for, not needed:
 * a module that refuses AT+CMEE=1 keeps giving text errors (mapped to the same codes,
 * codes.ts cmeTextToCode) or bare ERRORs (the SIM and registration are polled through them).
 */
export function initSteps(): Step[] {
  const cmee = step("+CMEE=1", SHAPE_NONE, "", T_SHORT);
  cmee.optional = true;
  return [
    step("E1", SHAPE_NONE, "", T_SHORT),
    cmee,
    step('+QURCCFG="urcport","uart1"', SHAPE_NONE, "", T_SHORT),
  ];
}

export const SIM_QUERY = "+CPIN?"; //      +CPIN: READY | +CME ERROR: 14 (busy) / 13 while the SIM starts
export const CSQ_QUERY = "+CSQ"; //        +CSQ: <rssi>,<ber>
export const CLOCK_QUERY = "+CCLK?"; //    +CCLK: "yy/MM/dd,hh:mm:ss±zz": network time once registered
export const ICCID_QUERY = "+QCCID"; //    +QCCID: <ICCID>: the SIM's serial number (Quectel)
// Registration queries, in the order tried: LTE (EPS), then GPRS, then CS; stat 1 or 5 = registered.
export const REG_LTE = "+CEREG?";
export const REG_GPRS = "+CGREG?";
export const REG_CS = "+CREG?";

/** AT+QICSGP=<cid>,1(IPv4),"<apn>","<user>","<password>",<auth> (rows.ts). */
export function pdpConfigStep(c: ResolvedConfig): Step {
  return step(pdpRow(c, quoteFrom(c)), SHAPE_NONE, "", T_SHORT);
}

export function pdpQueryStep(): Step {
  return step("+QIACT?", SHAPE_LINES, "+QIACT:", T_SHORT); // bare OK = nothing active
}

export function pdpActivateStep(c: ResolvedConfig): Step {
  return step("+QIACT=" + c.contextId, SHAPE_NONE, "", T_QIACT);
}

export function pdpDeactivateStep(c: ResolvedConfig): Step {
  return step("+QIDEACT=" + c.contextId, SHAPE_NONE, "", T_QIDEACT);
}

/** SSL context for SMTPS/STARTTLS (AT+QSSLCFG, rows.ts). The CA file must be uploaded first when seclevel is 1. */
export function sslSteps(c: ResolvedConfig): Step[] {
  const rows: string[] = [];
  sslRows(c, rows);
  if (c.secLevel > 0 && c.caCert) rows.splice(3, 0, '+QSSLCFG="cacert",' + c.sslCtxId + "," + quoteAt("UFS:" + c.caCert.name, AT_FIELD_MAX, "caCert.name"));
  return rows.map(configStep);
}

/** SMTP server and account (seed 1.2 steps 1-2, rows.ts). Applied once per module boot: lost on reboot. */
export function smtpConfigSteps(c: ResolvedConfig): Step[] {
  const rows: string[] = [];
  smtpRows(c, quoteFrom(c), rows);
  return rows.map(configStep);
}

/** A configuration row: OK or an error, the short timeout. */
function configStep(row: string): Step {
  return step(row, SHAPE_NONE, "", T_SHORT);
}

/**
 * The full core's gate for the record's values: quoteAt, with the record's key that holds
 * the value for the error's field (looked up only when the gate refuses: the rows pass values).
 */
function quoteFrom(c: ResolvedConfig): Quote {
  return (value, max) => {
    if (!atRefusal(value, max, true)) return '"' + value + '"';
    const fields = c as unknown as { [key: string]: unknown };
    let field = "configuration";
    for (const key in fields) {
      if (fields[key] !== value) continue;
      field = key;
      break;
    }
    return quoteAt(value, max, field);
  };
}

// Mail content (seed 1.2 step 3-5). Recipient types: 1 To ("all recipients"), 2 Cc, 3 Bcc.
export const DST_TO = 1;
export const DST_CC = 2;
export const DST_BCC = 3;

export function recipientStep(type: number, address: string): Step {
  return step("+QSMTPDST=1," + type + "," + quoteAt(address, AT_FIELD_MAX, "recipient"), SHAPE_NONE, "", T_SHORT);
}

/** charset 0: `text` is the ASCII subject (<= 100 bytes); 1: `text` is UTF-8 hex (<= 200 chars). */
export function subjectStep(charset: number, text: string): Step {
  return step("+QSMTPSUB=" + charset + "," + quoteAt(text, charset === 0 ? 100 : 200, "subject"), SHAPE_NONE, "", T_SHORT);
}

/** Data mode: CONNECT, exactly `length` bytes, then +QSMTPBODY: <n> and OK. */
export function bodyStep(charset: number, length: number, inputTimeS: number): Step {
  return step("+QSMTPBODY=" + charset + "," + length + "," + inputTimeS, SHAPE_PROMPT, "+QSMTPBODY:", inputTimeS * 1000 + 5000);
}

/** Written once: a second writing would attach the file twice. */
export function attachStep(index: number, ufsName: string): Step {
  return once(step("+QSMTPATT=1," + index + "," + quoteAt(ufsName, AT_FIELD_MAX, "file"), SHAPE_NONE, "", T_SHORT));
}

/** OK at once; the outcome is the URC +QSMTPPUT: <err>,<proto> (the job waits for it). */
export function putStep(timeoutS: number): Step {
  return step("+QSMTPPUT=" + timeoutS, SHAPE_DEFERRED, "", T_SHORT);
}

export function clearStep(): Step {
  return step("+QSMTPCLR", SHAPE_NONE, "", T_SHORT);
}

export function rebootStep(): Step {
  return step("+CFUN=1,1", SHAPE_NONE, "", T_CFUN);
}

export function queryStep(command: string, prefix: string, timeoutMs: number): Step {
  return step(command, SHAPE_LINE, prefix, timeoutMs);
}
