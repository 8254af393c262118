// Amazon SES's SMTP interface as the project's reference notes describe it
// (reference/mail-anchors.md, "Amazon SES SMTP" and complaint 12). Each rule cites its
// source; `assumption` marks the replies the notes do not give. The defaults are the
// sandbox's limits (1 message per second, 200 per 24 hours), the only figures the notes
// give; a fleet scenario sets an account's real ones.
import type { ProviderProfile } from "./types.js";

const ANCHORS = "reference/mail-anchors.md (Amazon SES SMTP)";

export interface AmazonOptions {
  /** Maximum send rate, recipients per second. Default 1 (sandbox). */
  maxSendRate?: number;
  /** Sending quota, recipients per 24 hours. Default 200 (sandbox). */
  dailyQuota?: number;
}

export function amazonProfile(o: AmazonOptions = {}): ProviderProfile {
  const rate = o.maxSendRate ?? 1;
  const quota = o.dailyQuota ?? 200;
  return {
    name: "amazon",
    title: "Amazon SES",
    listeners: [
      { port: 465, tls: "implicit" },
      { port: 2465, tls: "implicit" },
      { port: 25, tls: "starttls" },
      { port: 587, tls: "starttls" },
      { port: 2587, tls: "starttls" },
    ],
    listenerSource: {
      what: "TLS is mandatory: STARTTLS on 25, 587 and 2587 (MAIL FROM before it is refused with 530), implicit TLS on 465 and 2465",
      source: `${ANCHORS}: "TLS mandatory; STARTTLS on 25/587/2587, TLS wrapper on 465/2465"`,
    },
    rules: [
      {
        kind: "auth",
        id: "amazon.auth",
        what: "AUTH with the account's SMTP credentials (per region), before MAIL FROM",
        source: `${ANCHORS}: "SMTP credentials are per region"`,
        reply: { code: 530, enhanced: "5.7.0", text: "Authentication required" },
        badCredentials: { code: 535, text: "Authentication Credentials Invalid" },
        assumption: "the notes give no reply for a missing or wrong AUTH: the standard 530 and 535 (RFC 4954)",
      },
      {
        kind: "verifiedSender",
        id: "amazon.verified-sender",
        what: "the envelope sender and the From address must be verified identities",
        source: `${ANCHORS}: "554 Message rejected: Email address is not verified"`,
        reply: { code: 554, text: "Message rejected: Email address is not verified." },
      },
      {
        kind: "recipients",
        id: "amazon.recipients",
        what: "at most 50 recipients per message",
        max: 50,
        source: `${ANCHORS}: "50 recipients/message"`,
        reply: { code: 452, enhanced: "4.5.3", text: "Too many recipients" },
        assumption: "the notes give the limit but no reply: 452 4.5.3, the reply RFC 5321 gives for too many recipients",
      },
      {
        kind: "rate",
        id: "amazon.max-send-rate",
        what: `at most ${rate} recipient(s) per second (the account's maximum send rate; sandbox: 1)`,
        scope: "account",
        counts: "recipients",
        limit: rate,
        windowMs: 1000,
        source: `${ANCHORS}: "sandbox 200/24 h and 1/s"; "454 Throttling failure: Maximum sending rate exceeded"`,
        reply: { code: 454, text: "Throttling failure: Maximum sending rate exceeded." },
      },
      {
        kind: "rate",
        id: "amazon.daily-quota",
        what: `at most ${quota} recipients per 24 hours (the account's sending quota; sandbox: 200)`,
        scope: "account",
        counts: "recipients",
        limit: quota,
        windowMs: 24 * 3_600_000,
        source: `${ANCHORS}: "sandbox 200/24 h"; "454 Throttling failure: Daily message quota exceeded"`,
        reply: { code: 454, text: "Throttling failure: Daily message quota exceeded." },
      },
      {
        kind: "content",
        id: "amazon.message-size",
        what: "at most 40 MB per message after encoding",
        check: { what: "messageBytes", max: 40 * 1024 * 1024 },
        source: `${ANCHORS}: "max message 40 MB after base64"`,
        reply: { code: 552, enhanced: "5.3.4", text: "Message too long" },
        assumption: "the notes give the limit but no reply: 552 5.3.4, the standard reply for a message over the size limit",
      },
    ],
  };
}
