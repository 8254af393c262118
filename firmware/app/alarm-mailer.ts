// Adapts the Mailer (firmware/mail) to the narrow AlarmMailer interface the alarm
// layer speaks: one rendered alarm mail in, one SendOutcome out; radio status for the
// templates; PDP deactivation when the outbox has been idle.
import type { AlarmMail, AlarmMailer, RadioStatus, SendOutcome } from "../alarm/types.js";
import { KIND_CONFIG, KIND_PERMANENT } from "../errors.js";
import { notNow } from "../modem/kinds.js";
import type { Mailer } from "../mail/mailer.js";
import { CHARSET_UTF8 } from "../mail/message.js";
import type { MailResult } from "../mail/job.js";

/** Reports each finished mail job (for progress output and tests). */
export type JobObserver = (result: MailResult) => void;

function outcomeOf(r: MailResult, server: string): SendOutcome {
  if (r.delivered || !r.error) return { delivered: true, permanent: false, code: 0, cause: "" };
  const kind = r.error.kind;
  // Throttling (530, 454), a 4xx reply and Tencent's 554 are "not now": retried later by the outbox.
  const later = notNow(kind, r.error.proto, server);
  return {
    delivered: false,
    permanent: !later && (kind === KIND_CONFIG || kind === KIND_PERMANENT),
    later: later,
    code: r.error.code,
    cause: r.error.cause,
  };
}

export class MailerForAlarms implements AlarmMailer {
  private mailer: Mailer;
  private observer: JobObserver | null;

  constructor(mailer: Mailer, observer: JobObserver | null) {
    this.mailer = mailer;
    this.observer = observer;
  }

  send(mail: AlarmMail, done: (outcome: SendOutcome) => void): void {
    const refused = this.mailer.submit(
      // UTF-8 always (ASCII is UTF-8): Tencent SES refuses any other Content-Type (seed 000).
      { id: "a" + mail.id, to: mail.to, cc: mail.cc, bcc: mail.bcc, subject: mail.subject, body: mail.body, charset: CHARSET_UTF8 },
      (r) => {
        if (this.observer) this.observer(r);
        done(outcomeOf(r, this.mailer.modem.config.server));
      },
    );
    if (refused) {
      const permanent = refused.kind === KIND_CONFIG || refused.kind === KIND_PERMANENT;
      done({ delivered: false, permanent: permanent, code: refused.code, cause: refused.cause });
    }
  }

  /** Brings the module up first, so the reading is the one the mail is sent with. */
  radioStatus(done: (status: RadioStatus) => void): void {
    this.mailer.start(() => {
      this.mailer.readStatus((err, s) => {
        if (err) {
          done({ csq: 99, registered: false, stat: -1 });
          return;
        }
        done({ csq: s.rssi, registered: s.reg === 1 || s.reg === 5, stat: s.reg });
      });
    });
  }

  idle(): void {
    if (this.mailer.busy() || this.mailer.queued() > 0) return;
    this.mailer.modem.deactivatePdp(() => undefined);
  }
}
