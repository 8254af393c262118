// The EC800 chat script's command table, one for both mailers (issue 12): the full driver
// (ec800.ts, steps.ts) and Espruino's mailer (compact/mailer.ts) read from it how long a
// command may take and whether a command that failed on the way may be written again in
// place. A step is named by its command up to and with its first '=', else all of it
// ("+QIACT=1" -> "+QIACT=", "+CPIN?").
//
// The one rule for writing a step again, on both mailers (writeAgain): a timeout, a plain
// ERROR, an echo that differs (E_GARBLED: a byte lost or changed on the way to the module) or
// the module's +CME ERROR: 664 (wrong input parameter: our parameters are validated, so the
// line was garbled) says the module may not have taken the command as sent, so an idempotent step is written again,
// RETRY_MS later (a late final result then arrives while nothing runs), up to STEP_TRIES
// tries; then the step fails and the mailer's ladder decides. A step whose second writing
// would change what the module does (a second recipient, body, attachment or mail, a second
// activation or reboot) is written once: its value in the table is negative; it too is written
// again when the module refused it (`refused`: a plain ERROR or a 664), which did nothing.
import { E_AT_ERROR, E_GARBLED, E_TIMEOUT } from "../errors.js";
import { T_BODY, T_CFUN, T_CPIN, T_PROBE, T_QIACT, T_QIDEACT, T_SHORT } from "./timing.js";

/**
 * Each listed step's timeout in ms (the manual's maximum response time, with room), negative
 * when the step is written once. A step that is not listed takes PLAIN and may be written
 * again. Espruino's mailer also treats a listed step as one whose good end does more than
 * start the next step (compact/mailer.ts stepEnd), so every such step is listed there, with
 * PLAIN when that is its timeout. A function, called once per mailer: a module's top level
 * allocates nothing (Moddable preloads it, and would freeze the object).
 */
export function stepTable(): { [name: string]: number } {
  return {
    "": T_PROBE, // AT, the probe (its tries are the probe's own: PROBE_TRIES)
    E1: T_SHORT,
    "+CPIN?": T_CPIN,
    "+CEREG?": T_SHORT,
    "+QIACT?": T_SHORT,
    "+QIACT=": -T_QIACT,
    "+QIDEACT=": T_QIDEACT,
    "+CFUN=": -T_CFUN,
    "+QSMTPCLR": T_SHORT, // Espruino: the configuration rows before it all took
    "+QSMTPBODY=": -T_BODY,
    "+QSMTPDST=": -T_SHORT,
    "+QSMTPPUT=": -T_SHORT,
  };
}
/** The timeout of a step that the table does not list. */
export const PLAIN = T_SHORT;
/** Tries of a step that may be written again. */
export const STEP_TRIES = 3;
/** From a failed try to the next. */
export const RETRY_MS = 1000;

/** A command's step name (stepTable): "+QIACT=1" -> "+QIACT=", "+CPIN?" -> "+CPIN?". */
export function stepName(command: string): string {
  return command.slice(0, command.indexOf("=") + 1 || undefined);
}

/** Whether a step that ended with `code` may not have been taken as sent (the rule above). */
export function writeAgain(code: number): boolean {
  return code === E_TIMEOUT || code === E_AT_ERROR || code === E_GARBLED || code === 664;
}

/**
 * Whether the module refused the command (a plain ERROR, or 664: the line came garbled): it did
 * nothing, so even a step written once is written again (a second recipient, body or mail
 * cannot come of a command the module refused). A timeout or an echo that differs may hide a
 * command the module took: a step written once is not written again after those.
 */
export function refused(code: number): boolean {
  return code === E_AT_ERROR || code === 664;
}

/**
 * Tries of a command by `table` (stepTable) once a try ended with `code`: 1 when it is written
 * once and the module did not refuse it (refused), else STEP_TRIES. One function for the
 * driver's per-command closure: each name a closure uses costs XS slots per command (bench
 * xs.mail.peakFirmwareSlots: +80 when the closure also named `refused` and STEP_TRIES).
 */
export function stepTries(table: { [name: string]: number }, command: string, code: number): number {
  const spec = table[stepName(command)];
  return spec !== undefined && spec < 0 && !refused(code) ? 1 : STEP_TRIES;
}
