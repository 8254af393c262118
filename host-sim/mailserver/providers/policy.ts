// The rule engine: enforces one provider profile (types.ts) inside the embedded mail server
// (server.ts calls it through MailPolicy). Credentials at AUTH; AUTH before MAIL FROM;
// the recipient count at RCPT; at the end of DATA the verified sender, the content checks
// and the rate windows, in the order of the profile's table, the first rule broken
// answering with its reply. Rate windows slide on the virtual clock and count accepted
// mails only (a refused call does not use up the window). With tickets (tickets.ts) every
// decision is taken in the order and at the virtual time the transactions started.
import type { ParsedMail } from "mailparser";
import type { MailFacts, MailPolicy, Refusal, RefusalStage } from "../server.js";
import type { ContentCheck, ProviderAccount, ProviderProfile, ProviderRule, RateRule, Reply } from "./types.js";
import { Tickets } from "./tickets.js";

/** One refusal the provider gave, for the fleet's summary. */
export interface RefusalRecord {
  at: number;
  rule: string;
  code: number;
  sender: string;
}

/** A sliding window: event times (ascending) with their weights. */
class Window {
  private times: number[] = [];
  private weights: number[] = [];
  private head = 0;
  private sum = 0;

  /** The weight counted in (at - windowMs, at]. */
  used(at: number, windowMs: number): number {
    while (this.head < this.times.length && this.times[this.head] <= at - windowMs) {
      this.sum -= this.weights[this.head];
      this.head++;
    }
    if (this.head > 256 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.weights = this.weights.slice(this.head);
      this.head = 0;
    }
    return this.sum;
  }

  add(at: number, weight: number): void {
    this.times.push(at);
    this.weights.push(weight);
    this.sum += weight;
  }
}

function lower(s: string): string {
  return s.trim().toLowerCase();
}

function refusal(stage: RefusalStage, r: Reply): Refusal {
  return { stage, code: r.code, message: r.enhanced ? `${r.enhanced} ${r.text}` : r.text };
}

/** The value of a header in a raw header block (folded lines joined), or undefined. */
export function headerValue(rawHeaders: string, name: string): string | undefined {
  const unfolded = rawHeaders.replace(/\r?\n[ \t]+/g, " ");
  const re = new RegExp(`^${name}:[ \\t]*(.*)$`, "im");
  const m = re.exec(unfolded);
  return m ? m[1].trim() : undefined;
}

/** "text/plain; charset=\"UTF-8\"" -> "text/plain;charset=utf-8"; multipart types keep no parameters. */
export function normalContentType(value: string | undefined): string {
  if (value === undefined) return "text/plain;charset=us-ascii"; // RFC 2045's default
  const parts = value.split(";").map((p) => p.trim().toLowerCase());
  const type = parts[0].replace(/\s+/g, "");
  if (!type.startsWith("text/")) return type;
  const cs = parts.slice(1).find((p) => p.replace(/\s+/g, "").startsWith("charset="));
  const charset = cs ? cs.replace(/\s+/g, "").slice("charset=".length).replace(/^"|"$/g, "") : "us-ascii";
  return `${type};charset=${charset}`;
}

/** Longest line of the raw message, in bytes between line ends. */
export function longestLine(raw: Buffer): number {
  let longest = 0;
  let start = 0;
  for (;;) {
    const i = raw.indexOf(10, start);
    const end = i < 0 ? raw.length : i;
    const len = end - start - (end > start && raw[end - 1] === 13 ? 1 : 0);
    if (len > longest) longest = len;
    if (i < 0) return longest;
    start = i + 1;
  }
}

/** Whether the message as received passes one content check. */
export function passes(check: ContentCheck, raw: Buffer, rawHeaders: string, parsed: ParsedMail): boolean {
  const atts = parsed.attachments ?? [];
  switch (check.what) {
    case "messageBytes":
      return raw.length <= check.max;
    case "textBytes":
      return rawHeaders.length + Buffer.byteLength(parsed.text ?? "") + Buffer.byteLength(typeof parsed.html === "string" ? parsed.html : "") <= check.max;
    case "attachmentCount":
      return atts.length <= check.max;
    case "attachmentBytes":
      return atts.every((a) => a.size <= check.max);
    case "attachmentsTotalBytes":
      return atts.reduce((n, a) => n + a.size, 0) <= check.max;
    case "lineLength":
      return longestLine(raw) < check.max;
    case "contentType":
      return check.allowed.includes(normalContentType(headerValue(rawHeaders, "content-type")));
    case "mimeVersion": {
      const v = headerValue(rawHeaders, "mime-version");
      return v === undefined || v === "" || check.allowed.includes(v);
    }
    case "required":
      if (check.field === "from") return !!parsed.from && parsed.from.value.some((a) => !!a.address);
      if (check.field === "subject") return (parsed.subject ?? "").trim() !== "";
      return (parsed.text ?? "").trim() !== "" || (typeof parsed.html === "string" && parsed.html.trim() !== "");
  }
}

export interface ProviderPolicyOptions {
  profile: ProviderProfile;
  account: ProviderAccount;
  /** Virtual time for transactions without a ticket. */
  now: () => number;
  /** Decide ticketed transactions in ticket order, at ticket time (tickets.ts). */
  tickets?: Tickets;
}

export class ProviderPolicy implements MailPolicy {
  readonly profile: ProviderProfile;
  readonly account: ProviderAccount;
  /** Every refusal given, in order. */
  readonly refusals: RefusalRecord[] = [];
  /** Mails accepted. */
  accepted = 0;
  private readonly now: () => number;
  private readonly tickets?: Tickets;
  private readonly windows = new Map<string, Window>();
  private readonly senders: Set<string>;

  constructor(o: ProviderPolicyOptions) {
    this.profile = o.profile;
    this.account = o.account;
    this.now = o.now;
    this.tickets = o.tickets;
    this.senders = new Set(o.account.senders.map((s) => lower(s.address)));
    const problems = accountProblems(o.profile, o.account);
    if (problems.length > 0) throw new Error(`${o.profile.title} account: ${problems.join("; ")}`);
  }

  /** Refusals counted by reply code. */
  refusalsByCode(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.refusals) out[r.code] = (out[r.code] ?? 0) + 1;
    return out;
  }

  /** Refusals counted by rule id. */
  refusalsByRule(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.refusals) out[r.rule] = (out[r.rule] ?? 0) + 1;
    return out;
  }

  private rule<K extends ProviderRule["kind"]>(kind: K): Extract<ProviderRule, { kind: K }> | undefined {
    return this.profile.rules.find((r) => r.kind === kind) as Extract<ProviderRule, { kind: K }> | undefined;
  }

  private refuse(stage: RefusalStage, rule: string, reply: Reply, at: number, sender: string): Refusal {
    this.refusals.push({ at, rule, code: reply.code, sender });
    return refusal(stage, reply);
  }

  private timeOf(ehloName: string | undefined): number {
    const t = this.tickets?.find(ehloName);
    return t ? t.at : this.now();
  }

  auth(user: string, password: string, ehloName?: string): Refusal | null | undefined {
    const rule = this.rule("auth");
    if (!rule) return undefined;
    if (this.account.senders.some((s) => s.user === user && s.password === password)) return null;
    return this.refuse("auth", rule.id, rule.badCredentials, this.timeOf(ehloName), "");
  }

  mailFrom(address: string, session: { user?: string; ehloName?: string }): Refusal | null | undefined {
    const rule = this.rule("auth");
    if (!rule) return undefined;
    if (!session.user) return this.refuse("mail", rule.id, rule.reply, this.timeOf(session.ehloName), address);
    return null;
  }

  rcptTo(address: string, session: { count: number; mailFrom: string; ehloName?: string }): Refusal | null {
    const rule = this.rule("recipients");
    if (rule && session.count >= rule.max) return this.refuse("rcpt", rule.id, rule.reply, this.timeOf(session.ehloName), session.mailFrom);
    return null;
  }

  async admit(f: MailFacts): Promise<{ refusal: Refusal | null; at: number; release: () => void }> {
    const ticket = this.tickets?.find(f.ehloName);
    if (ticket) await this.tickets!.turn(ticket);
    const at = ticket ? ticket.at : this.now();
    const release = () => {
      if (ticket) this.tickets!.finish(ticket);
    };
    const sender = lower(f.envelope.mailFrom);
    const rcpts = f.envelope.rcptTo.map(lower);
    for (const rule of this.profile.rules) {
      if (rule.kind === "verifiedSender") {
        const from = f.parsed.from?.value.map((a) => lower(a.address ?? "")) ?? [];
        if (!this.senders.has(sender) || from.some((a) => !this.senders.has(a))) return { refusal: this.refuse("data", rule.id, rule.reply, at, sender), at, release };
      } else if (rule.kind === "content") {
        if (!passes(rule.check, f.raw, f.rawHeaders, f.parsed)) return { refusal: this.refuse("data", rule.id, rule.reply, at, sender), at, release };
      } else if (rule.kind === "rate") {
        const weight = rule.counts === "recipients" ? rcpts.length : 1;
        for (const key of this.windowKeys(rule, sender, rcpts)) {
          if (this.window(key).used(at, rule.windowMs) + weight > rule.limit) return { refusal: this.refuse("data", rule.id, rule.reply, at, sender), at, release };
        }
      }
    }
    for (const rule of this.profile.rules) {
      if (rule.kind !== "rate") continue;
      const weight = rule.counts === "recipients" ? rcpts.length : 1;
      for (const key of this.windowKeys(rule, sender, rcpts)) this.window(key).add(at, weight);
    }
    this.accepted++;
    return { refusal: null, at, release };
  }

  private windowKeys(rule: RateRule, sender: string, rcpts: string[]): string[] {
    return rule.scope === "account" ? [rule.id] : rcpts.map((r) => `${rule.id} ${sender} ${r}`);
  }

  private window(key: string): Window {
    let w = this.windows.get(key);
    if (!w) this.windows.set(key, (w = new Window()));
    return w;
  }
}

/** What is wrong with an account for a profile (too many senders in one domain, none at all). */
export function accountProblems(profile: ProviderProfile, account: ProviderAccount): string[] {
  const out: string[] = [];
  if (profile.rules.some((r) => r.kind === "verifiedSender" || r.kind === "auth") && account.senders.length === 0) out.push("no verified sender address");
  const max = profile.sendersPerDomain;
  if (max !== undefined) {
    const perDomain = new Map<string, number>();
    for (const s of account.senders) {
      const d = lower(s.address.slice(s.address.lastIndexOf("@") + 1));
      perDomain.set(d, (perDomain.get(d) ?? 0) + 1);
    }
    for (const [d, n] of perDomain) if (n > max) out.push(`${n} sender addresses in the domain ${d}, at most ${max} allowed`);
  }
  return out;
}
