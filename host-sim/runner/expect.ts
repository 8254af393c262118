// Checks a scenario's `expect` against what really happened: the mails the SMTP
// server accepted (headers, envelope, decoded content), the jobs' typed outcomes, the
// alarm mails as a whole (per-recipient rate, the counts they report), module-side
// counters, and that every planned power cut struck. Returns the list of violations
// (empty = the scenario held).
import { createHash } from "node:crypto";
import type { ExpectedMail, Scenario } from "../scenarios/scenario.js";
import type { ReceivedMail } from "../mailserver/server.js";
import { retryLater } from "../../firmware/errors.js";
import type { JobOutcome, JobSpec } from "./firmware.js";
import { causeName } from "./causes.js";

export interface Observed {
  mails: ReceivedMail[];
  outcomes: JobOutcome[];
  reboots: number;
  rxOverflow: number;
  /** AT+QSMTPPUT commands the module received. */
  puts?: number;
  /** Virtual time of each delivery, in the order of `mails`. */
  deliveredAt?: number[];
  /** The direct mail jobs the firmware was given (for `content: "given"`). */
  jobs?: JobSpec[];
  /** Alarms kept as failed at the end. */
  failedAlarms?: number;
  powerCuts?: { planned: number; struck: number };
}

const HOUR_MS = 3_600_000;

export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * A body as compared: every line end as CRLF, trailing line ends dropped. The module sends
 * the body's bytes as given; what a mail carries is text, whose line ends are CRLF on the
 * wire and may come back from the parser as LF, and whose final line end is not content.
 */
export function normalBody(text: string): string {
  return text.replace(/\r\n|\r|\n/g, "\r\n").replace(/(\r\n)+$/, "");
}

/** How the mail's decoded content differs from what the firmware was given ("" when it does not). */
function contentDiff(m: ReceivedMail, job: JobSpec | undefined): string {
  if (!job) return `no mail job with subject ${JSON.stringify(m.subject)} was given`;
  const got = sha256(normalBody(m.text));
  const want = sha256(normalBody(job.body));
  if (got !== want) return `body digest ${got.slice(0, 12)} differs from the given body's ${want.slice(0, 12)} (line ends as CRLF)`;
  const given = (job.attachments ?? []).map((a) => ({ name: a.name, digest: sha256(Buffer.from(a.base64, "base64")) }));
  if (given.length !== m.attachments.length) return `${m.attachments.length} attachment(s) arrived, ${given.length} given`;
  for (const g of given) {
    const a = m.attachments.find((x) => x.filename === g.name);
    if (!a) return `attachment ${g.name} did not arrive`;
    const d = sha256(a.content);
    if (d !== g.digest) return `attachment ${g.name}: digest ${d.slice(0, 12)} differs from the given bytes' ${g.digest.slice(0, 12)}`;
  }
  return "";
}

/** The alarm key and the count an alarm mail reports: "Alarm: <title> (<key>)" in the body, "(xN)" in the subject. */
export function reportedCount(m: ReceivedMail): { key: string; count: number } | null {
  const k = /^Alarm: .* \((.+)\)\s*$/m.exec(m.text);
  if (!k) return null;
  const x = / \(x(\d+)\)$/.exec(m.subject);
  return { key: k[1], count: x ? Number(x[1]) : 1 };
}

/** The largest number of mails any one recipient got within one sliding hour. */
export function maxPerRecipientPerHour(mails: ReceivedMail[], at: number[]): { rcpt: string; n: number } {
  const byRcpt = new Map<string, number[]>();
  mails.forEach((m, i) => {
    for (const r of m.envelope.rcptTo) {
      const key = r.toLowerCase();
      if (!byRcpt.has(key)) byRcpt.set(key, []);
      byRcpt.get(key)!.push(at[i] ?? 0);
    }
  });
  let worst = { rcpt: "", n: 0 };
  for (const [rcpt, times] of byRcpt) {
    times.sort((a, b) => a - b);
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] >= HOUR_MS) j++;
      if (i - j + 1 > worst.n) worst = { rcpt, n: i - j + 1 };
    }
  }
  return worst;
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
  if (e.rcptTo && !sameSet(e.rcptTo, m.envelope.rcptTo.map((r) => r.toLowerCase()).sort())) return false;
  return true;
}

/** Check the scenario's `expect` (one for every composition that can run it). */
export function checkExpect(s: Scenario, o: Observed): string[] {
  const problems: string[] = [];
  const exp = s.expect;
  if (exp.delivered) {
    let allowed = 0;
    for (const e of exp.delivered) {
      const min = e.minCount ?? 1;
      const max = e.maxCount ?? Math.max(1, min);
      allowed += max;
      const hits = o.mails.filter((m) => matches(m, e));
      const n = hits.length;
      if (n < min || n > max) problems.push(`expected ${min === max ? min : `${min}-${max}`} mail(s) with subject ${JSON.stringify(e.subject ?? "*")}${e.rcptTo ? ` to ${e.rcptTo.join(", ")} in the envelope` : ""}, got ${n}`);
      if (e.content === "given") {
        for (const m of hits) {
          const diff = contentDiff(m, (o.jobs ?? []).find((j) => j.subject === m.subject));
          if (diff) problems.push(`mail ${JSON.stringify(m.subject)}: ${diff}`);
        }
      }
    }
    if (o.mails.length > allowed) problems.push(`${o.mails.length} mails arrived, at most ${allowed} expected`);
    // Judged by each job's (and each alarm mail's) last outcome: an alarm attempt that failed and was retried is no failure.
    const last = new Map<string, JobOutcome>();
    for (const x of o.outcomes) last.set(x.id, x);
    for (const f of last.values()) if (!f.delivered) problems.push(`job ${f.id} failed (${f.code}: ${f.cause}) where delivery was expected`);
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
    if (exp.module.maxPuts !== undefined && (o.puts ?? 0) > exp.module.maxPuts) problems.push(`${o.puts} AT+QSMTPPUT sent, at most ${exp.module.maxPuts} expected`);
  }
  if (exp.alarms) {
    const a = exp.alarms;
    if (a.maxPerRecipientPerHour !== undefined) {
      const worst = maxPerRecipientPerHour(o.mails, o.deliveredAt ?? []);
      if (worst.n > a.maxPerRecipientPerHour) problems.push(`${worst.rcpt} got ${worst.n} mails within one hour, at most ${a.maxPerRecipientPerHour} expected`);
    }
    if (a.counts) {
      const sums: Record<string, number> = {};
      for (const m of o.mails) {
        const r = reportedCount(m);
        if (r) sums[r.key] = (sums[r.key] ?? 0) + r.count;
      }
      for (const [key, want] of Object.entries(a.counts)) {
        if ((sums[key] ?? 0) !== want) problems.push(`the mails report ${sums[key] ?? 0} raise(s) of alarm ${key}, ${want} expected`);
      }
      for (const key of Object.keys(sums)) if (!(key in a.counts)) problems.push(`mails report alarm ${key}, which \`counts\` does not name`);
    }
    if (a.failed !== undefined && (o.failedAlarms ?? 0) !== a.failed) problems.push(`${o.failedAlarms ?? 0} alarm(s) kept as failed, ${a.failed} expected`);
  }
  if (o.powerCuts && o.powerCuts.struck < o.powerCuts.planned) problems.push(`${o.powerCuts.planned - o.powerCuts.struck} planned power cut(s) never struck (the point was not reached)`);
  return problems;
}
