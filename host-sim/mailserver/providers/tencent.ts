// Tencent Cloud SES as its SMTP guide describes it (seed 000). Each rule cites the part of
// the guide it comes from; where the guide gives no reply, `assumption` says which standard
// reply we chose and why. Business errors (sizes, content, the call rate) come, per the
// guide's "Error Codes" section, as `554 5.0.0 Error: transaction failed, blame it on the
// weather: ##SES-response-json: {...}` at the end of DATA.
import type { ProviderProfile, Reply } from "./types.js";

const SEED = "seed 000 (Tencent Cloud SES SMTP guide)";

/** The guide's business-error reply: 554 with the API's error structure as JSON. */
export function tencentBusinessError(code: string, message: string): Reply {
  const json = JSON.stringify({ Response: { RequestId: "00000000-0000-0000-0000-000000000000", QcloudError: { Error: { Code: code, Message: message } } } });
  return { code: 554, enhanced: "5.0.0", text: `Error: transaction failed, blame it on the weather: ##SES-response-json: ${json}` };
}

export interface TencentOptions {
  /** SMTP calls per second per account (appId). Default 20. */
  callsPerSecond?: number;
  /** Mails per hour from one sender to one recipient. Default 10. */
  perSenderRecipientPerHour?: number;
}

export function tencentProfile(o: TencentOptions = {}): ProviderProfile {
  return {
    name: "tencent",
    title: "Tencent Cloud SES",
    listeners: [{ port: 465, tls: "implicit" }],
    listenerSource: {
      what: "SMTP on port 465 with implicit TLS only; port 25 is disabled (any other port refuses the connection)",
      source: `${SEED}: "SMTP port: 465", "For security reasons, port 25 is currently disabled", "465 (SSL encryption)"`,
    },
    sendersPerDomain: 10,
    senderDomainSource: { source: `${SEED}: "Each domain supports up to 10 sender addresses only"` },
    rules: [
      {
        kind: "auth",
        id: "tencent.auth",
        what: "AUTH with the SMTP password set for the sender address in the console, before MAIL FROM",
        source: `${SEED}: "Configure the SMTP password" for each sender address; the samples authenticate as the sender`,
        reply: { code: 530, enhanced: "5.7.0", text: "Authentication required" },
        badCredentials: { code: 535, enhanced: "5.7.8", text: "Authentication credentials invalid" },
        assumption: "the guide gives no reply for a missing or wrong AUTH: the standard 530 and 535 (RFC 4954)",
      },
      {
        kind: "verifiedSender",
        id: "tencent.verified-sender",
        what: "the envelope sender and the From address must be a sender address created in the console",
        source: `${SEED}: "Sender address" set-up; business errors come in the 554 form`,
        reply: tencentBusinessError("FailedOperation.NotAuthenticatedSender", "The sender address is not verified."),
        assumption: "the guide lists no error for an unknown sender; we use its business-error form with an error code of our choosing",
      },
      {
        kind: "rate",
        id: "tencent.calls-per-second",
        what: `at most ${o.callsPerSecond ?? 20} SMTP calls per second per account (accepted mails, sliding second)`,
        scope: "account",
        counts: "messages",
        limit: o.callsPerSecond ?? 20,
        windowMs: 1000,
        source: `${SEED}: "limited to 20 times per second under the same Tencent Cloud account appId"; error RequestLimitExceeded.SmtpRateLimit`,
        reply: tencentBusinessError("RequestLimitExceeded.SmtpRateLimit", "smtp sending frequency limit. The SMTP call rate limit is reached."),
      },
      {
        kind: "rate",
        id: "tencent.sender-recipient-per-hour",
        what: `at most ${o.perSenderRecipientPerHour ?? 10} mails per hour from one sender to one recipient (sliding hour)`,
        scope: "senderRecipient",
        counts: "messages",
        limit: o.perSenderRecipientPerHour ?? 10,
        windowMs: 3_600_000,
        source: `${SEED}: "the same sender can send up to 10 emails per hour to the same recipient"`,
        reply: { code: 450, enhanced: "4.2.1", text: "Sending frequency to this recipient exceeded, try again later" },
        assumption: "the guide gives no reply for this limit: 450 4.2.1, the transient reply large providers give for a per-recipient rate",
      },
      {
        kind: "content",
        id: "tencent.text-size",
        what: "the mail without its attachments at most 1 MB",
        check: { what: "textBytes", max: 1024 * 1024 },
        source: `${SEED}: "The email body other than attachments cannot exceed 1 MB in size"`,
        reply: tencentBusinessError("FailedOperation", "The email is too large. Remove some content."),
      },
      {
        kind: "content",
        id: "tencent.attachment-count",
        what: "at most 10 attachments",
        check: { what: "attachmentCount", max: 10 },
        source: `${SEED}: "The number of attachments should not exceed 10"`,
        reply: tencentBusinessError("FailedOperation", "Too many attachments."),
        assumption: "the guide gives the limit but no error for it: its business-error form",
      },
      {
        kind: "content",
        id: "tencent.attachment-size",
        what: "each attachment at most 5 MB (the guide recommends 4 MB)",
        check: { what: "attachmentBytes", max: 5 * 1024 * 1024 },
        source: `${SEED}: "The size of a single attachment exceeds 5 MB" (error table; the note says 4 MB)`,
        reply: tencentBusinessError("FailedOperation", "The attachments are too large. Make sure they do not exceed the limit."),
      },
      {
        kind: "content",
        id: "tencent.attachments-total",
        what: "all attachments together at most 10 MB (the guide recommends 8 MB)",
        check: { what: "attachmentsTotalBytes", max: 10 * 1024 * 1024 },
        source: `${SEED}: "the total size of all attachments exceeds 10 MB" (error table; the note says 8 MB)`,
        reply: tencentBusinessError("FailedOperation", "The attachments are too large. Make sure they do not exceed the limit."),
      },
      {
        kind: "content",
        id: "tencent.line-length",
        what: "no line of 2,000 characters or more",
        check: { what: "lineLength", max: 2000 },
        source: `${SEED}: "There are 2,000 or more characters in a single line in the email body"`,
        reply: { code: 554, enhanced: "5.0.0", text: "Error: transaction failed, blame it on the weather: smtp: too longer line in input stream" },
      },
      {
        kind: "content",
        id: "tencent.content-type",
        what: "top-level Content-Type text/plain or text/html with charset=UTF-8, or multipart/mixed, related or alternative",
        check: {
          what: "contentType",
          allowed: ["text/plain;charset=utf-8", "text/html;charset=utf-8", "multipart/mixed", "multipart/related", "multipart/alternative"],
        },
        source: `${SEED}: Content-Type "Currently, you can pass in only text/plain; charset=UTF-8, text/html; charset=UTF-8, multipart/mixed, multipart/related, or multipart/alternative; otherwise, an error will be reported"`,
        reply: tencentBusinessError("FailedOperation", "Content-Type must in text/plain; charset=UTF-8, text/html; charset=UTF-8, multipart/mixed, multipart/related, multipart/alternative."),
      },
      {
        kind: "content",
        id: "tencent.mime-version",
        what: "MIME-Version absent or 1.0",
        check: { what: "mimeVersion", allowed: ["1.0"] },
        source: `${SEED}: MIME-Version "Leave it empty or pass in 1.0; otherwise, an error will be reported"`,
        reply: tencentBusinessError("FailedOperation", "Mime-Version must in 1.0."),
      },
      {
        kind: "content",
        id: "tencent.from-required",
        what: "a From header",
        check: { what: "required", field: "from" },
        source: `${SEED}: business error "msg.From is null"`,
        reply: tencentBusinessError("FailedOperation", "msg.From is null"),
      },
      {
        kind: "content",
        id: "tencent.subject-required",
        what: "a Subject",
        check: { what: "required", field: "subject" },
        source: `${SEED}: business error "msg.Subject is null"`,
        reply: tencentBusinessError("FailedOperation", "msg.Subject is null"),
      },
      {
        kind: "content",
        id: "tencent.body-required",
        what: "a body",
        check: { what: "required", field: "body" },
        source: `${SEED}: business error "msg.Body is null"`,
        reply: tencentBusinessError("FailedOperation", "msg.Body is null"),
      },
    ],
  };
}
