// The alarm layer's contract with the mail side, the same on every board: the outbox
// (outbox.ts) hands one rendered mail at a time to an OutboxMailer and learns how it
// ended. Espruino's mailer (firmware/compact/mailer.ts) implements it directly; the full
// core's Mailer is adapted to it (firmware/app/alarm-mailer.ts). The alarm layer never
// talks to the modem or the AT engine.

/** One mail, fully rendered: plain strings, UTF-8 allowed in subject and body. */
export interface OutboxMail {
  /** The outbox entry's id: the same on a resend, so a duplicate can be recognised. */
  id: number;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  body: string;
}

/** How a send ended. */
export interface OutboxOutcome {
  delivered: boolean;
  /** 0 when delivered; else a module code (CME, 651-682) or a local E_* code (firmware/errors.ts). */
  code: number;
  /** The SMTP server's reply (535, 550, ...), 0 when none. */
  proto: number;
  /** KIND_* of firmware/errors.ts; 0 when delivered. The outbox decides by it: retry, "not now", or keep as failed. */
  kind: number;
  /** Words for the failure when the composition has them (firmware/ext/causes), else absent: one line of at most 60 bytes, never a secret. */
  cause?: string;
}

/** The radio's state for the mail text, read just before the send. */
export interface OutboxRadio {
  /** AT+CSQ: 0..31, 99 unknown. */
  csq: number;
  /** The registration stat (1 home, 5 roaming, ...), -1 unknown. */
  stat: number;
  /** The time as the module tells it ("26/11/23,14:05:11+32", or UTC text), "" unknown. */
  clock: string;
}

/**
 * What the outbox needs from the mail side. One thing at a time: the outbox asks `ready()`
 * before it starts anything and never overlaps radio, send and idle.
 */
export interface OutboxMailer {
  /** Nothing is being done: send, radio and idle are accepted. */
  ready(): boolean;
  /**
   * Send one mail. Returns 0 when accepted (`done` is called once, later), or the code that
   * refuses it at once (a bad address, subject or body): the entry is then kept as failed.
   */
  send(mail: OutboxMail, done: (o: OutboxOutcome) => void): number;
  /** Signal, registration and the time (bring-up first when needed); unknown values on failure. */
  radio(done: (r: OutboxRadio) => void): void;
  /** Nothing to send for a long time: deactivate the PDP context (seed step 5). */
  idle(): void;
}

/** A programmatic alarm. `key` is its identity for coalescing. */
export interface Alarm {
  /** 1..32 printable ASCII characters other than '"'; repeats with the same key coalesce. */
  key: string;
  /** Short title for the subject; clipped to 64 bytes. */
  title: string;
  /** Optional detail for the body; clipped to 512 bytes. */
  text?: string;
}
