// The SIM's and the registration's polls: one rule for both mailers (issue 12), the full
// driver's (ec800.ts simReady, registered) and Espruino's (compact/mailer.ts stepEnd). Each
// asks the module again every POLL_MS until its answer says ready, and ends with the same code
// once an answer comes after the window's end: the whole window is used (the full driver's rule;
// Espruino's mailer gave up when the next question would have come after it, up to POLL_MS
// early). Which window is the caller's (the full driver's can be set through its options;
// Espruino's is timing.ts's).
import { E_NOT_REGISTERED, E_REG_DENIED, E_SIM } from "../errors.js";

/** Ask again, POLL_MS later (timing.ts). */
export const POLL_AGAIN = -1;
/** +CME ERROR 11, SIM PIN required: what a locked SIM ends with, at once (a configuration error). */
export const CME_SIM_PIN = 11;

/**
 * What AT+CPIN?'s state line says, for simPoll: 1 READY; -1 a PIN or a PUK (SIM PIN, PH-SIM PIN,
 * SIM PUK2...: locked); 0 anything else, polled again: NOT READY (a SIM being swapped), or a state
 * damaged on the UART (Espruino's mailer took "REDY" for a locked SIM until 2026-12-08, a
 * configuration error that ended the mail).
 */
export function simState(state: string): number {
  return state === "READY" ? 1 : state.indexOf("PIN") < 0 && state.indexOf("PUK") < 0 ? 0 : -1;
}

/**
 * After one AT+CPIN?: `code` is how the command ended once its own tries were spent (0: OK),
 * `final` whether that code is final (configuration, permanent or throttled: +CME ERROR 10, no
 * SIM), `state` what its line said (1 READY; -1 a PIN or PUK; 0 anything else or no line: NOT
 * READY while a SIM is swapped, a line lost on the UART), `waited` the ms since the first
 * AT+CPIN?. Returns 0 (ready), POLL_AGAIN, or the code the poll ends with: CME_SIM_PIN, the
 * command's final code, or E_SIM (not ready within the window: busy, silent, garbled).
 */
export function simPoll(code: number, final: boolean, state: number, waited: number, windowMs: number): number {
  if (state < 0) return CME_SIM_PIN;
  if (!code && state > 0) return 0;
  if (code && final) return code;
  return waited < windowMs ? POLL_AGAIN : E_SIM;
}

/**
 * After one registration query: `stat` as the module said it (1 home, 5 roaming: registered;
 * 3 denied; -1 no answer), `waited` the ms since the first query. A denial is polled too: it
 * can end as the module tries other cells. Returns 0 (registered), POLL_AGAIN, or
 * E_REG_DENIED / E_NOT_REGISTERED by the last stat.
 */
export function regPoll(stat: number, waited: number, windowMs: number): number {
  if (stat === 1 || stat === 5) return 0;
  return waited < windowMs ? POLL_AGAIN : stat === 3 ? E_REG_DENIED : E_NOT_REGISTERED;
}
