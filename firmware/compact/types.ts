// The compact mailer's contract: the alarm layer's (firmware/alarm/types.ts), with its own
// counters. The compact link and mailer are the part of the core that is still Espruino's
// own (docs/profiles.md): the same platform contract, the same AT quoting gate, the same
// error codes and kinds (firmware/errors.ts, firmware/modem/kinds.ts), and the one alarm
// outbox (firmware/alarm/outbox.ts) on top. It leaves out what needs room: attachments, CA
// upload (seclevel 1), cause texts (codes only), and the engine's queue (one command at a time).

import type { OutboxMail, OutboxOutcome, OutboxRadio } from "../alarm/types.js";

/** One mail: the outbox's (firmware/alarm/types.ts), whose id the compact mailer does not need. */
export type CompactMail = Omit<OutboxMail, "id"> & { id?: number };

/** How a send ended: the outbox's outcome (no cause texts here: codes only), with what the run took. */
export interface CompactOutcome extends OutboxOutcome {
  /** Commands written for this mail (bring-up included). */
  commands: number;
  /** Rungs of the recovery ladder taken (firmware/mail/ladder.ts: a retry, resend, re-activation, rebuild, reboot or restart). */
  recoveries: number;
}

/** Radio state for the mail text: AT+CSQ, the registration stat and the module's clock as it reports it. */
export type CompactRadio = OutboxRadio;
