// Checks a scenario's `expect` against what really happened: the mails the SMTP
// server accepted, the jobs' typed outcomes, and module-side counters. Returns the
// list of violations (empty = the scenario held).
import { expectFor, type ExpectedMail, type ProfileName, type Scenario } from "../scenarios/scenario.js";
import type { ReceivedMail } from "../mailserver/server.js";
import { retryLater } from "../../firmware/errors.js";
import type { JobOutcome } from "./firmware.js";
import { causeName } from "./causes.js";

export interface Observed {
  mails: ReceivedMail[];
  outcomes: JobOutcome[];
  reboots: number;
  rxOverflow: number;
}

function addresses(list: { address: string }[]): string[] {
  return list.map((a) => a.address.toLowerCase()).sort();
}

function sameSet(a: string[], b: string[]): boolean {
  const x = a.map((s) => s.toLowerCase()).sort();
  const y = b.slice().sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function matches(m: ReceivedMail, e: ExpectedMail): boolean {
  if (e.subject !== undefined && m.subject !== e.subject) return false;
  if (e.to && !sameSet(e.to, addresses(m.to))) return false;
  if (e.cc && !sameSet(e.cc, addresses(m.cc))) return false;
  if (e.bcc) {
    const rcpt = m.envelope.rcptTo.map((r) => r.toLowerCase());
    for (const b of e.bcc) if (rcpt.indexOf(b.toLowerCase()) < 0 || m.rawHeaders.toLowerCase().indexOf(b.toLowerCase()) >= 0) return false;
  }
  if (e.attachments) {
    const names = m.attachments.map((a) => a.filename ?? "").sort();
    if (!sameSet(e.attachments, names.map((n) => n.toLowerCase()))) return false;
  }
  return true;
}

/** Check `expect` as it stands for the profile that ran (expectFor: per-profile overrides applied). */
export function checkExpect(s: Scenario, o: Observed, profile: ProfileName = "full"): string[] {
  const problems: string[] = [];
  const exp = expectFor(s, profile);
  if (exp.delivered) {
    let allowed = 0;
    for (const e of exp.delivered) {
      const min = e.minCount ?? 1;
      const max = e.maxCount ?? Math.max(1, min);
      allowed += max;
      const n = o.mails.filter((m) => matches(m, e)).length;
      if (n < min || n > max) problems.push(`expected ${min === max ? min : `${min}-${max}`} mail(s) with subject ${JSON.stringify(e.subject ?? "*")}, got ${n}`);
    }
    if (o.mails.length > allowed) problems.push(`${o.mails.length} mails arrived, at most ${allowed} expected`);
    const failed = o.outcomes.filter((x) => !x.delivered);
    for (const f of failed) problems.push(`job ${f.id} failed (${f.code}: ${f.cause}) where delivery was expected`);
  }
  if (exp.failure) {
    const f = exp.failure;
    if (o.mails.length > 0) problems.push(`expected no mail, but ${o.mails.length} arrived`);
    const last = o.outcomes[o.outcomes.length - 1];
    if (!last) problems.push("expected a typed failure, but no job finished");
    else if (last.delivered) problems.push("expected a failure, but the job reported delivery");
    else {
      if (f.code !== undefined && last.code !== f.code) problems.push(`expected error code ${f.code}, got ${last.code} (${last.cause})`);
      if (f.protocolError !== undefined && last.proto !== f.protocolError) problems.push(`expected SMTP reply ${f.protocolError}, got ${last.proto}`);
      const name = causeName(last);
      if (name !== f.cause) problems.push(`expected cause "${f.cause}", got "${name}" (${last.cause})`);
      if (f.retryable !== undefined && retryLater(last.kind) !== f.retryable) problems.push(`expected retryable=${f.retryable}, got ${retryLater(last.kind)}`);
    }
  }
  if (exp.module) {
    if (exp.module.reboots !== undefined && o.reboots !== exp.module.reboots) problems.push(`expected ${exp.module.reboots} module reboot(s), saw ${o.reboots}`);
    if (exp.module.maxRxOverflow !== undefined && o.rxOverflow > exp.module.maxRxOverflow) problems.push(`rx FIFO overflow ${o.rxOverflow} > ${exp.module.maxRxOverflow}`);
  }
  return problems;
}
