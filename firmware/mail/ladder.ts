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

// conditions (each mailer says whether one holds; the rows below test them in their order)
export const C_CANCELLED = 0; //    the command was flushed (E_CANCELLED) and cancels are left (full engine only)
export const C_FINAL = 1; //        configuration, permanent or throttled: nothing here can help
export const C_POWERED_DOWN = 2; // POWERED DOWN: only PWRKEY or power wakes the module
export const C_SILENT = 3; //       the module does not answer (KIND_MODEM, or TIMEOUT_LIMIT timeouts in a row)
export const C_BRINGUP = 4; //      failed in bring-up: registration, PDP, the configuration
export const C_RUNG_FAILED = 5; //  failed while a rung ran: the PDP re-activation or the reboot
export const C_NETWORK = 6; //      a network error (654, 657, 653, pdpdeact, E_PDP, ...)
export const C_SERVER_AGAIN = 7; // the server answered 4xx again after a resend: only "later" helps
export const C_SENDING = 8; //      failed in the send or its wait (the content is still on the module)
export const C_CONTENT = 9; //      anything else: failed while building the content
export const C_DAMAGED = 10; //     the socket path's stream was damaged on the UART (E_STREAM_DAMAGED)
export const C_BAD_CONTENT = 11; // +QSMTPPUT: 664 (wrong input parameter): the content was garbled on the way
export const C_RESET = 12; //       the module restarted under the mail (a RDY nobody asked for)

// rungs
export const R_WAIT_RDY = 0; //     pause CANCEL_PAUSE_MS, then resume (the RDY that usually follows restarts the job)
export const R_RETRY_PHASE = 1; //  pause PHASE_PAUSE_MS, then the same phase (bring-up) again
export const R_RESEND = 2; //       pause RESEND_PAUSE_MS (BUSY_PAUSE_MS after 652), then AT+QSMTPPUT alone
export const R_PDP = 3; //          re-activate PDP, then resume (a send: AT+QSMTPPUT alone)
export const R_REBUILD = 4; //      AT+QSMTPCLR, then the content again
export const R_REBOOT = 5; //       AT+CFUN=1,1, then from bring-up (while the reboot spacing allows one)
export const R_GIVE_UP = 6; //      fail with the last cause (and why no reboot was allowed)
export const R_FAIL = 7; //         fail with this cause
export const R_END = 8; //          end the mail with the last outcome (no clean-up can run)
export const R_RECONNECT = 9; //    pause, then a new connection (the socket path)
export const R_RESTART = 10; //     from bring-up at once: the module lost configuration and content

/** Engine timeouts in a row that mean "the module does not answer" (C_SILENT). */
export const TIMEOUT_LIMIT = 3;
export const PHASE_PAUSE_MS = 3000;
export const RESEND_PAUSE_MS = 2000;
export const BUSY_PAUSE_MS = 10000; // after a 652 (the module's SMTP engine busy)

/** The ladder: condition -> rung, first match wins (pairs in one flat array: fewer XS slots than an array per row). */
export function ladderRows(): number[] {
  return [
    C_CANCELLED,     R_WAIT_RDY,
    C_RESET,         R_RESTART,
    C_FINAL,         R_FAIL,
    C_POWERED_DOWN,  R_END,
    C_SILENT,        R_REBOOT,
    C_DAMAGED,       R_RECONNECT,
    C_RUNG_FAILED,   R_REBOOT, // before C_BRINGUP: a re-activation fails among bring-up's commands on Espruino's mailer
    C_BRINGUP,       R_RETRY_PHASE,
    C_NETWORK,       R_PDP,
    C_SERVER_AGAIN,  R_FAIL,
    C_BAD_CONTENT,   R_REBUILD, // sending the same content again cannot help
    C_SENDING,       R_RESEND,
    C_CONTENT,       R_REBUILD,
  ];
}

/** The rung above each rung, taken when its budget is spent (-1: the rung has no budget). */
export function climbTable(): number[] {
  return [
    -1, //        R_WAIT_RDY (its budget is in C_CANCELLED: when spent, the failure is placed again)
    R_REBOOT, //  R_RETRY_PHASE
    R_PDP, //     R_RESEND
    R_REBOOT, //  R_PDP
    R_REBOOT, //  R_REBUILD
    R_GIVE_UP, // R_REBOOT
    -1, -1, -1, // R_GIVE_UP, R_FAIL, R_END
    R_FAIL, //    R_RECONNECT: a UART that keeps losing bytes is not mended by PDP or a reboot
    R_FAIL, //    R_RESTART: a module that keeps restarting
  ];
}

/**
 * Each rung's budget per mail, by rung (the full job's RecoveryLimits take their defaults from
 * here; 99: no budget of its own).
 */
export function rungBudgets(): number[] {
  return [
    99, // R_WAIT_RDY (MAX_CANCELS, in C_CANCELLED)
    2, //  R_RETRY_PHASE  maxPhaseRetries
    2, //  R_RESEND       maxResends
    2, //  R_PDP          maxPdp
    2, //  R_REBUILD      maxRebuilds
    1, //  R_REBOOT       maxReboots
    99, 99, 99,
    3, //  R_RECONNECT    maxReconnects: over 64 seeds of byte-loss, 62 jobs delivered within three
    3, //  R_RESTART      maxResets
  ];
}

/**
 * The rung for a failure: the first row whose condition `holds`, climbed while `hasBudget`
 * says the rung's budget is spent. The tables are built here, on the failure's path: nothing
 * of them stays live between failures.
 */
export function rungFor(holds: (c: number) => unknown, hasBudget: (r: number) => unknown): number {
  const rows = ladderRows();
  const climb = climbTable();
  let rung = R_REBUILD;
  for (let i = 0; i < rows.length; i += 2) {
    if (holds(rows[i])) {
      rung = rows[i + 1];
      break;
    }
  }
  while (!hasBudget(rung)) rung = climb[rung];
  return rung;
}
