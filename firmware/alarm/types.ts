// The alarm layer's contract with the outside: the narrow mail-sending interface
// it needs (AlarmMailer), what an alarm is when raised, and the shapes the
// service reports back (outbox entries, failures).
//
// The alarm layer never talks to the modem or the AT engine. The lead adapts the
// real Mailer (firmware/mail/) to AlarmMailer; tests use a fake.

/** One mail, fully rendered. Plain strings; UTF-8 allowed (the mail layer encodes). */
export interface AlarmMail {
  /** Outbox id; the same id on a resend, so a duplicate can be recognised. */
  id: number;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  body: string;
}

/** How one send ended. */
export interface SendOutcome {
  /** The module reported +QSMTPPUT: 0,0 (the server accepted the mail). */
  delivered: boolean;
  /** Not delivered and retrying cannot help (auth, rejected address, bad config). */
  permanent: boolean;
  /**
   * Not delivered because the server said "not now" (throttling, a 4xx reply): it answered,
   * so the path works; the mail is retried, with a longer backoff, for as long as it takes.
   */
  later?: boolean;
  /** The failure code (CME / 651-682 / SMTP reply); 0 when delivered. */
  code: number;
  /** Human-readable cause; "" when delivered. Must not contain secrets. */
  cause: string;
}

/** Radio state just before a send: `AT+CSQ` and `AT+CEREG?`/`AT+CREG?`. */
export interface RadioStatus {
  /** 0..31, or 99 when unknown. */
  csq: number;
  registered: boolean;
  /** Registration stat as reported (1 home, 5 roaming, 2 searching, ...); -1 unknown. */
  stat: number;
}

/**
 * What the alarm layer needs from the mail side. Each callback is called exactly
 * once, later or synchronously. Only one `send` is outstanding at a time (the
 * service never overlaps them), and `radioStatus` is never called during a send.
 */
export interface AlarmMailer {
  /** Bring the network up as needed and send one mail. */
  send(mail: AlarmMail, done: (outcome: SendOutcome) => void): void;
  /** Signal quality and registration now (the template prints them). */
  radioStatus(done: (status: RadioStatus) => void): void;
  /** Nothing to send for a long time: deactivate the PDP context (seed step 5). */
  idle(): void;
}

/** A programmatic alarm. `key` is its identity for coalescing. */
export interface Alarm {
  /** 1..32 bytes; repeats with the same key coalesce. */
  key: string;
  /** Short title for the subject; clipped to 64 bytes. */
  title: string;
  /** Optional detail for the body; clipped to 512 bytes. */
  text?: string;
}

/** Entry states. */
export const ENTRY_QUEUED = 0; //  waiting (maybe held back by coalescing, backoff or the rate limit)
export const ENTRY_SENDING = 1; // write-ahead marker: a send may have started
export const ENTRY_DONE = 2; //    delivered; kept briefly as the coalescing memory of its key
export const ENTRY_FAILED = 3; //  permanent failure or retries exhausted; kept until dismissed

export const STATE_NAMES = ["queued", "sending", "done", "failed"];

/** Public view of one outbox entry (a copy; changing it changes nothing). */
export interface EntryInfo {
  id: number;
  state: number;
  key: string;
  title: string;
  text: string;
  /** How many raises this entry stands for (capped at COUNT_CAP). */
  count: number;
  /** Clock ms of the first and last raise (rebased after a restart, see outbox.ts). */
  firstAt: number;
  lastAt: number;
  attempts: number;
  /** Last failure code and cause ("" when none). */
  code: number;
  cause: string;
}

/** Coalesce counters saturate here; the mail then says "at least". */
export const COUNT_CAP = 999999;

/** Reserved key of the overflow entry that absorbs alarms when the outbox is full. */
export const OVERFLOW_KEY = "~overflow";
/** Key of the heartbeat mail. */
export const HEARTBEAT_KEY = "~heartbeat";
