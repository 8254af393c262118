// The full core's Mailer (firmware/mail) as the alarm outbox's OutboxMailer
// (firmware/alarm/types.ts): one rendered alarm mail in, one outcome out; the radio's state
// and the time for the mail's text; PDP deactivation when the outbox has been idle. Every
// answer is handed to the outbox on a fresh turn (nextTurn, firmware/turn.ts), so what the
// outbox starts with it does not stack on the driver's calls (issue 11).
import type { Clock } from "../platform/types.js";
import type { OutboxMail, OutboxMailer, OutboxOutcome, OutboxRadio } from "../alarm/types.js";
import type { Mailer } from "../mail/mailer.js";
import { CHARSET_UTF8 } from "../mail/message.js";
import type { MailResult } from "../mail/job.js";
import { nextTurn } from "../turn.js";
import { oneLine } from "../text/one-line.js";
import { clipUtf8 } from "../text/utf8.js";
import { utcText } from "../text/utc.js";

/** Reports each finished mail job (for progress output and tests). */
export type JobObserver = (result: MailResult) => void;

function outcomeOf(r: MailResult): OutboxOutcome {
  if (r.delivered || !r.error) return { delivered: true, code: 0, proto: 0, kind: 0 };
  // The cause as the outbox keeps it with the entry: one line, 60 bytes (its record stays one Store value).
  return { delivered: false, code: r.error.code, proto: r.error.proto, kind: r.error.kind, cause: oneLine(clipUtf8(r.error.cause, 60)) };
}

export class MailerForAlarms implements OutboxMailer {
  private mailer: Mailer;
  private clock: Clock;
  private observer: JobObserver | null;
  /** The time as the board knows it (ms since 1970), or -1. */
  private wall: () => number;
  /** A radio reading, a send or a PDP deactivation of the outbox's is running. */
  private working = false;

  constructor(mailer: Mailer, clock: Clock, observer: JobObserver | null, wall: () => number) {
    this.mailer = mailer;
    this.clock = clock;
    this.observer = observer;
    this.wall = wall;
  }

  ready(): boolean {
    return !this.working && !this.mailer.busy() && this.mailer.queued() === 0;
  }

  send(mail: OutboxMail, done: (o: OutboxOutcome) => void): number {
    const refused = this.mailer.submit(
      // UTF-8 always (ASCII is UTF-8): Tencent SES refuses any other Content-Type (seed 000).
      { id: "a" + mail.id, to: mail.to, cc: mail.cc, bcc: mail.bcc, subject: mail.subject, body: mail.body, charset: CHARSET_UTF8 },
      (r) => {
        const o = outcomeOf(r);
        // The observer hears of the job once the outbox has recorded it (the fleet counts what is left then).
        nextTurn(this.clock, () => {
          this.working = false;
          done(o);
          if (this.observer) this.observer(r);
        });
      },
    );
    if (refused) return refused.code;
    this.working = true;
    return 0;
  }

  /** Brings the module up first, so the reading is the one the mail is sent with. */
  radio(done: (r: OutboxRadio) => void): void {
    this.working = true;
    this.mailer.start(() => {
      this.mailer.readStatus((err, s) => {
        const w = this.wall();
        const r: OutboxRadio = { csq: err ? 99 : s.rssi, stat: err ? -1 : s.reg, clock: w >= 0 ? utcText(w) : "" };
        nextTurn(this.clock, () => {
          this.working = false;
          done(r);
        });
      });
    });
  }

  idle(): void {
    if (!this.ready()) return;
    this.working = true;
    this.mailer.modem.deactivatePdp(() => {
      this.working = false;
    });
  }
}
