// What a provider profile is made of: the listeners a provider offers (port and TLS), the
// account (verified senders and their SMTP passwords), and a table of rules, each with the
// reply the provider gives when the rule is broken and where that reply comes from. The
// rule engine (policy.ts) enforces a profile inside the embedded mail server; the profiles
// themselves are data (tencent.ts, amazon.ts, open.ts). docs/fleet.md lists every rule.

/** An SMTP reply: code, enhanced status (RFC 3463) and text. */
export interface Reply {
  code: number;
  enhanced?: string;
  text: string;
}

/** Where a rule comes from, and whether its reply is documented or our choice. */
export interface RuleSource {
  /** e.g. "seed 000, SMTP Sending Frequency". */
  source: string;
  /** Set when the documents do not give the reply: why we chose this one. */
  assumption?: string;
}

interface RuleBase extends RuleSource {
  /** Stable name, e.g. "tencent.sender-recipient-per-hour". */
  id: string;
  /** One line for people: what the provider enforces. */
  what: string;
  reply: Reply;
}

/** Who may send: AUTH before MAIL FROM, with the account's credentials. */
export interface AuthRule extends RuleBase {
  kind: "auth";
  /** The reply to wrong credentials (`reply` is the one to a MAIL FROM without AUTH). */
  badCredentials: Reply;
}

/** The envelope sender and the From header must be verified addresses of the account. */
export interface VerifiedSenderRule extends RuleBase {
  kind: "verifiedSender";
}

/** At most `max` recipients in one message (refused at the RCPT that exceeds it). */
export interface RecipientsRule extends RuleBase {
  kind: "recipients";
  max: number;
}

/** Checks of the message as it arrived at the end of DATA. */
export interface ContentRule extends RuleBase {
  kind: "content";
  check: ContentCheck;
}

export type ContentCheck =
  /** The whole message, in bytes. */
  | { what: "messageBytes"; max: number }
  /** The message without its attachments (text parts and headers), in bytes. */
  | { what: "textBytes"; max: number }
  | { what: "attachmentCount"; max: number }
  /** Any one attachment, decoded bytes. */
  | { what: "attachmentBytes"; max: number }
  /** All attachments together, decoded bytes. */
  | { what: "attachmentsTotalBytes"; max: number }
  /** Longest line of the message as sent (characters between line ends), must be below `max`. */
  | { what: "lineLength"; max: number }
  /** Top-level Content-Type, compared case-insensitively without spaces. */
  | { what: "contentType"; allowed: string[] }
  /** MIME-Version header: absent or one of these. */
  | { what: "mimeVersion"; allowed: string[] }
  /** These headers must be present and not empty ("from", "subject") or the body must not be empty ("body"). */
  | { what: "required"; field: "from" | "subject" | "body" };

/** A sliding window on the virtual clock: at most `limit` in any `windowMs`. */
export interface RateRule extends RuleBase {
  kind: "rate";
  /** One window for the whole account, or one per (envelope sender, recipient) pair. */
  scope: "account" | "senderRecipient";
  /** What one accepted message adds: 1, or its number of recipients. */
  counts: "messages" | "recipients";
  limit: number;
  windowMs: number;
}

export type ProviderRule = AuthRule | VerifiedSenderRule | RecipientsRule | ContentRule | RateRule;

/** A port the provider listens on and how TLS starts there (fleet.md: a port not listed refuses the connection). */
export interface Listener {
  port: number;
  tls: "implicit" | "starttls";
}

export interface ProviderProfile {
  name: ProviderName;
  title: string;
  /** Empty: whatever the board is configured for (the `open` profile, today's behaviour). */
  listeners: Listener[];
  /** A rule for the listeners, written down with the others (no reply: the port is closed or TLS fails). */
  listenerSource?: RuleSource & { what: string };
  /** Most verified sender addresses one domain may have (Tencent: 10), checked when the account is made. */
  sendersPerDomain?: number;
  senderDomainSource?: RuleSource;
  rules: ProviderRule[];
}

export type ProviderName = "tencent" | "amazon" | "open";

/** The account the boards send through: its verified senders and their SMTP credentials. */
export interface ProviderAccount {
  /** Verified sender addresses, each with the SMTP user and password that may send as it. */
  senders: { address: string; user: string; password: string }[];
}

/** A reply as text, e.g. "454 Throttling failure: Maximum sending rate exceeded." */
export function replyText(r: Reply): string {
  return `${r.code}${r.enhanced ? ` ${r.enhanced}` : ""} ${r.text}`;
}
