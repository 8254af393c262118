// The recovery ladder, as data: one table for both mailers, the full job (mail/job.ts) and
// Espruino's (compact/mailer.ts). A failed mail step is placed on a rung by the first row
// whose condition holds; a rung whose budget for this mail is spent climbs to the rung the
// climb table names, until one has budget (the last ones always do). Each mailer states the
// conditions from what it knows (its "facts": the state or the step that failed, the error's
// kind, the timeouts in a row) and acts on the rung it gets; what the conditions are, their
// order, the rungs, their budgets and their pauses are written here, once.
//
// It follows the seed's chapter 4: final errors fail at once; a failed send is sent again
// (the module keeps the content), but a 664 builds the content again and a server's 4xx is
// sent again once (it answered: only "later" helps, and the outbox tries later); a network
// error re-activates PDP; a silent module, or a rung that failed, reboots the module (once a
// mail, never twice in 10 minutes, modem/timing.ts); anything else builds the content again.
// Plain numbers: the minifier writes them where they are used (the Espruino bundle's bytes).

// conditions, in the ladder's order: a failure takes the rung of the first condition that holds.
// Each mailer states them as an array by condition (its "facts"); the last always holds.
export const C_CANCELLED = 0; //     the command was flushed (E_CANCELLED) and cancels are left (the full engine's queue)
export const C_RESET = 1; //         the module restarted under the mail (a RDY nobody asked for)
export const C_FINAL = 2; //         configuration, permanent or throttled: nothing here can help
export const C_POWERED_DOWN = 3; //  POWERED DOWN: only PWRKEY or power wakes the module
export const C_SILENT = 4; //        the module does not answer (KIND_MODEM, or TIMEOUT_LIMIT timeouts in a row)
export const C_DAMAGED = 5; //       the socket path's stream was damaged on the UART (E_STREAM_DAMAGED)
export const C_RUNG_FAILED = 6; //   failed while a rung ran: the PDP re-activation or the reboot
export const C_BRINGUP = 7; //       failed in bring-up: registration, PDP, the configuration
export const C_NETWORK = 8; //       a network error (654, 657, 653, pdpdeact, E_PDP, ...)
export const C_SERVER_AGAIN = 9; //  the server answered 4xx again after a resend: only "later" helps
export const C_BAD_CONTENT = 10; //  +QSMTPPUT: 664 (wrong input parameter): the content was garbled on the way
export const C_SENDING = 11; //      failed in the send or its wait (the content is still on the module)
export const C_CONTENT = 12; //      anything else: failed while building the content (always holds)

// rungs
export const R_WAIT_RDY = 0; //     pause CANCEL_PAUSE_MS, then resume (the RDY that usually follows restarts the job)
export const R_RETRY_PHASE = 1; //  pause PHASE_PAUSE_MS, then the same phase (bring-up) again
export const R_RESEND = 2; //       pause RESEND_PAUSE_MS (BUSY_PAUSE_MS after 652), then AT+QSMTPPUT alone
export const R_PDP = 3; //          re-activate PDP, then resume (a send: AT+QSMTPPUT alone)
export const R_REBUILD = 4; //      AT+QSMTPCLR, then the content again
export const R_REBOOT = 5; //       AT+CFUN=1,1, then from bring-up (while the reboot spacing allows one)
export const R_RECONNECT = 6; //    pause, then a new connection (the socket path)
export const R_RESTART = 7; //      from bring-up at once: the module lost configuration and content
// the rungs that end the mail (above R_RESTART: the Espruino mailer tests `rung > R_RESTART`)
export const R_GIVE_UP = 8; //      fail with the last cause (and why no reboot was allowed)
export const R_FAIL = 9; //         fail with this cause
export const R_END = 10; //         end the mail with the last outcome (no clean-up can run)

/** Engine timeouts in a row that mean "the module does not answer" (C_SILENT). */
export const TIMEOUT_LIMIT = 3;
export const PHASE_PAUSE_MS = 3000;
export const RESEND_PAUSE_MS = 2000;
export const BUSY_PAUSE_MS = 10000; // after a 652 (the module's SMTP engine busy)

/** The ladder: the rung of each condition, by condition (in the order the conditions are tried). */
export function ladderRungs(): number[] {
  return [
    R_WAIT_RDY, //    C_CANCELLED
    R_RESTART, //     C_RESET
    R_FAIL, //        C_FINAL
    R_END, //         C_POWERED_DOWN
    R_REBOOT, //      C_SILENT
    R_RECONNECT, //   C_DAMAGED
    R_REBOOT, //      C_RUNG_FAILED (before C_BRINGUP: Espruino's mailer re-activates among bring-up's commands)
    R_RETRY_PHASE, // C_BRINGUP
    R_PDP, //         C_NETWORK
    R_FAIL, //        C_SERVER_AGAIN
    R_REBUILD, //     C_BAD_CONTENT (sending the same content again cannot help)
    R_RESEND, //      C_SENDING
    R_REBUILD, //     C_CONTENT
  ];
}

/**
 * The rung above each rung, taken when its budget is spent (-1: its budget is in its
 * condition; the rungs above R_RESTART have no budget and no entry).
 */
export function climbTable(): number[] {
  return [
    -1, //        R_WAIT_RDY (its budget is in C_CANCELLED: when spent, the failure is placed again)
    R_REBOOT, //  R_RETRY_PHASE
    R_PDP, //     R_RESEND
    R_REBOOT, //  R_PDP
    R_REBOOT, //  R_REBUILD
    R_GIVE_UP, // R_REBOOT
    R_FAIL, //    R_RECONNECT: a UART that keeps losing bytes is not mended by PDP or a reboot
    R_FAIL, //    R_RESTART: a module that keeps restarting
  ];
}

/**
 * Each rung's budget per mail, by rung; the full job's RecoveryLimits take their defaults from
 * here. The rungs above R_RESTART have no budget and no entry (a count is never >= undefined).
 */
export function rungBudgets(): number[] {
  return [
    99, // R_WAIT_RDY (MAX_CANCELS, in C_CANCELLED)
    2, //  R_RETRY_PHASE  maxPhaseRetries
    2, //  R_RESEND       maxResends
    2, //  R_PDP          maxPdp
    2, //  R_REBUILD      maxRebuilds
    1, //  R_REBOOT       maxReboots
    3, //  R_RECONNECT    maxReconnects: over 64 seeds of byte-loss, 62 jobs delivered within three
    3, //  R_RESTART      maxResets
  ];
}

/**
 * The rung for a failure: the rung of the first condition that holds (`facts`, by condition),
 * climbed while `hasBudget` says the rung's budget is spent. The tables are built here, on the
 * failure's path: nothing of them stays live between failures.
 */
export function rungFor(facts: unknown[], hasBudget: (r: number) => unknown): number {
  const climb = climbTable();
  let c = 0;
  while (c < C_CONTENT && !facts[c]) c++; // C_CONTENT holds when no other does
  let rung = ladderRungs()[c];
  while (!hasBudget(rung)) rung = climb[rung];
  return rung;
}
