// The compact profile's contract: what its mailer accepts and reports. The compact
// profile is the whole core again in a form small enough for Espruino (16 KB minified
// with the adapters): the same platform contract, the same AT quoting gate, the same
// error codes and kinds (firmware/errors.ts, firmware/modem/kinds.ts), the same alarm
// subject and outbox guarantees. It leaves out what needs room: attachments, CA upload
// (seclevel 1), on-board validation of the full configuration, cause texts (codes
// only), and the engine's queue (one command at a time). docs/profiles.md compares.

/** One mail: plain strings, UTF-8 allowed in subject and body. */
export interface CompactMail {
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  body: string;
}

/** How a send ended. */
export interface CompactOutcome {
  delivered: boolean;
  /** 0 when delivered; else a module code (CME, 651-682) or a local E_* code. */
  code: number;
  /** SMTP reply from +QSMTPPUT (535, 550, ...), 0 when none. */
  proto: number;
  /** KIND_* of firmware/errors.ts; 0 when delivered. */
  kind: number;
  /** Commands written for this mail (bring-up included). */
  commands: number;
  /** Recovery steps taken (resend, PDP, reboot). */
  recoveries: number;
}

/** Radio state for the mail text: AT+CSQ and the registration stat. */
export interface CompactRadio {
  /** 0..31, 99 unknown. */
  csq: number;
  /** +CEREG stat (1 home, 5 roaming, ...), -1 unknown. */
  stat: number;
  /** The module's clock as it reports it ("26/11/23,14:05:11+32", quarter hours of zone), "" unknown. */
  clock: string;
}
