import type { Charset, OutgoingMail, SmtpSession } from "../../host-sim/smtp/types.js";

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

export function session(port: number, over: Partial<SmtpSession> = {}): SmtpSession {
  return {
    server: { host: "127.0.0.1", port },
    sslType: 0,
    secLevel: 0,
    sni: false,
    account: { user: "", password: "" },
    sender: { name: "Cellmail Alarm", email: "alarm@cellmail.test" },
    bodyOriginal: false,
    ...over,
  };
}

export function mail(over: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    to: ["ops@example.test"],
    cc: [],
    bcc: [],
    subject: { charset: 0 as Charset, bytes: enc("TEST SMTP") },
    body: { charset: 0 as Charset, bytes: enc("Alarm: input 1 went high.\r\n") },
    attachments: [],
    ...over,
  };
}

/** Every byte value 0..255, twice, then a few more, so no encoding shortcut can pass by luck. */
export function allBytes(): Uint8Array {
  const b = new Uint8Array(256 * 2 + 7);
  for (let i = 0; i < b.length; i++) b[i] = i & 0xff;
  return b;
}
