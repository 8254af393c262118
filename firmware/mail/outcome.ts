// A finished mail job as plain data: the MailResult flattened to numbers and strings,
// so it can cross a boundary (the XS bridge's JSON, the CLI's output) unchanged. Every
// target that reports jobs outward uses this one shape.
import type { MailResult } from "./job.js";

export interface JobOutcome {
  id: string;
  delivered: boolean;
  code: number;
  proto: number;
  kind: number;
  cause: string;
  attempts: number;
  commands: number;
  startedAt: number;
  firstPutAt: number;
  finishedAt: number;
  /** Socket path: SMTP exchanges the last send waited for (0 on the module path). */
  smtpRoundTrips: number;
}

export function jobOutcome(r: MailResult): JobOutcome {
  const e = r.error;
  return {
    id: r.id,
    delivered: r.delivered,
    code: e ? e.code : 0,
    proto: e ? e.proto : 0,
    kind: e ? e.kind : 0,
    cause: e ? e.cause : "",
    attempts: r.attempts,
    commands: r.commands,
    startedAt: r.startedAt,
    firstPutAt: r.firstPutAt,
    finishedAt: r.finishedAt,
    smtpRoundTrips: r.smtpRoundTrips,
  };
}
