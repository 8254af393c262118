// Builds the message the EC800 would send for an OutgoingMail: headers, body, attachments.
// MIME is nodemailer's job (MailComposer builds the tree, encoded words, transfer encodings);
// this file only decides what goes in.
import MailComposer from "nodemailer/lib/mail-composer";
import type MimeNode from "nodemailer/lib/mime-node";
import { decodeCharset, isAscii, MIME_CHARSET } from "./charset.js";
import type { OutgoingMail, SmtpSession } from "./types.js";

export interface BuiltMessage {
  /** The RFC 5322 message, as it goes after DATA. */
  raw: Buffer;
  /** SMTP envelope: MAIL FROM and RCPT TO (To, then Cc, then Bcc; duplicates removed). */
  envelope: { from: string; to: string[] };
  /** The decoded subject. */
  subject: string;
  /** The Message-ID header of the message, with angle brackets. */
  messageId: string;
}

/** Drive prefix of a Quectel file name ("UFS:", "RAM:", "SD:"), not part of the attachment name. */
const DRIVE_PREFIX = /^(?:UFS|RAM|SD|EFS):/i;

export function attachmentName(name: string): string {
  return name.replace(DRIVE_PREFIX, "");
}

/** The Content-Type of the body part: its charset, or none when bodyoriginal is on. */
export function bodyContentType(session: SmtpSession, mail: OutgoingMail): string {
  if (session.bodyOriginal) return "text/plain";
  const charset = mail.body.charset;
  // An "ASCII" body that carries bytes above 0x7F is labelled UTF-8 rather than falsely us-ascii.
  if (charset === 0 && !isAscii(mail.body.bytes)) return "text/plain; charset=utf-8";
  return `text/plain; charset=${MIME_CHARSET[charset]}`;
}

function uniq(list: string[]): string[] {
  const seen: Record<string, true> = {};
  const out: string[] = [];
  for (const a of list) {
    const key = a.trim().toLowerCase();
    if (!key || seen[key]) continue;
    seen[key] = true;
    out.push(a.trim());
  }
  return out;
}

/** Finds the body node (the first text/plain part that is not an attachment). */
function findBodyNode(node: MimeNode): MimeNode | undefined {
  const type = String(node.getHeader("Content-Type") || node.contentType || "").toLowerCase();
  if (type.startsWith("text/plain") && !node.filename) return node;
  for (const child of node.childNodes || []) {
    const found = findBodyNode(child);
    if (found) return found;
  }
  return undefined;
}

export async function buildMessage(session: SmtpSession, mail: OutgoingMail): Promise<BuiltMessage> {
  const subject = decodeCharset(mail.subject.charset, mail.subject.bytes);
  const hasBody = mail.body.bytes.length > 0;
  const composer = new MailComposer({
    from: { name: session.sender.name, address: session.sender.email },
    to: mail.to.length ? mail.to : undefined,
    cc: mail.cc.length ? mail.cc : undefined,
    // Bcc is never given to the composer: it goes on the envelope only.
    subject,
    // The body goes as its own bytes; its Content-Type (charset) is set on the node below.
    text: hasBody ? { content: Buffer.from(mail.body.bytes) } : undefined,
    attachments: mail.attachments.map((a) => ({
      filename: attachmentName(a.name),
      content: Buffer.from(a.bytes),
      contentTransferEncoding: "base64",
    })),
  });
  const root = composer.compile();
  if (hasBody) {
    const node = findBodyNode(root);
    if (!node) throw new Error("internal: body node not found");
    node.setHeader("Content-Type", bodyContentType(session, mail));
  }
  const raw = await root.build();
  return {
    raw,
    envelope: { from: session.sender.email, to: uniq([...mail.to, ...mail.cc, ...mail.bcc]) },
    subject,
    messageId: root.messageId(),
  };
}
