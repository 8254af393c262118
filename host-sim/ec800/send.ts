// The module's side of AT+QSMTPPUT: after its OK, collect the session (AT+QSMTPCFG and
// the SSL context it names) and the mail (recipients, subject decoded from its hex
// form, body, attachments read from UFS now), then hand them to the SmtpEngine. The
// transaction takes the profile's smtpSendMs of virtual time plus one radio round trip
// (radioRttMs) per exchange it made over the radio (the outcome's `radio`: DNS, connect,
// TLS handshake, each SMTP reply waited for; sockets/radio.ts): its result goes out as the
// service URC "+QSMTPPUT: <err>,<protocol_error>" that long after the send started,
// whatever the real I/O took. The clock is held at smtpSendMs until the real I/O is done
// (it may move up to it meanwhile, so the boards of a fleet overlap their transactions).
// Checks the module makes before any I/O: no recipient -> 659, PDP context not active
// -> 654 (network error), attachment file missing -> 661.
// Faults: pdpdeact during the send (URC +QIURC: "pdpdeact" then 657, no delivery),
// reboot during the send wait (the engine's result is then ignored).
import type { OutgoingMail, SmtpOutcome, SmtpSession, Charset } from "../smtp/types.js";
import type { Ec800, SendRecord } from "./modem.js";
import { canonicalFile, newSslContext } from "./state.js";
import { pdpDeact } from "./commands/pdp.js";
import { radioTrips } from "./sockets/radio.js";

function hexBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16);
  return out;
}

export function buildSession(m: Ec800): SmtpSession {
  const c = m.session.smtp;
  const ssl = m.session.ssl.get(c.sslctxid) ?? newSslContext();
  let caCertPem: string | undefined;
  if (ssl.seclevel >= 1 && ssl.cacert) {
    const name = canonicalFile(ssl.cacert);
    const data = name ? m.persistent.files.get(name) : undefined;
    if (data) caCertPem = Buffer.from(data).toString("utf8");
  }
  return {
    server: { host: c.host, port: c.port },
    sslType: c.ssltype as 0 | 1 | 2,
    secLevel: ssl.seclevel as 0 | 1 | 2,
    caCertPem,
    sni: ssl.sni === 1,
    account: { user: c.user, password: c.password },
    sender: { name: c.senderName, email: c.senderEmail },
    bodyOriginal: c.bodyoriginal === 1,
  };
}

/** The mail as the module holds it, or the error code that stops it before any I/O. */
export function buildMail(m: Ec800): OutgoingMail | number {
  const d = m.session.mail;
  const pick = (t: number) => d.recipients.filter((r) => r.type === t).map((r) => r.addr);
  const attachments: { name: string; bytes: Uint8Array }[] = [];
  for (const [, name] of [...d.attachments.entries()].sort((a, b) => a[0] - b[0])) {
    const canon = canonicalFile(name);
    const data = canon ? m.persistent.files.get(canon) : undefined;
    if (!data) return 661;
    attachments.push({ name: (canon as string).slice(4), bytes: data.slice() });
  }
  const sub = d.subject;
  return {
    to: pick(1),
    cc: pick(2),
    bcc: pick(3),
    subject: { charset: sub.charset as Charset, bytes: sub.charset === 0 ? Buffer.from(sub.text, "latin1") : hexBytes(sub.text) },
    body: { charset: (d.body?.charset ?? 0) as Charset, bytes: d.body ? d.body.bytes.slice() : new Uint8Array(0) },
    attachments,
  };
}

export function startSend(m: Ec800, timeoutS: number): void {
  const epoch = m.epochNow;
  const session = buildSession(m);
  const built = buildMail(m);
  const record: SendRecord = {
    startedAt: m.clock.now(),
    session: { ...session, account: { user: session.account.user, password: session.account.password ? "***" : "" } },
    mail: typeof built === "number" ? { to: [], cc: [], bcc: [], subject: { charset: 0, bytes: new Uint8Array(0) }, body: { charset: 0, bytes: new Uint8Array(0) }, attachments: [] } : built,
  };
  m.sends.push(record);
  m.emit("send start", record);
  let done = false;
  const finish = (o: SmtpOutcome, afterMs: number) => {
    m.later(afterMs, () => {
      if (done) return;
      done = true;
      record.outcome = o;
      record.endedAt = m.clock.now();
      m.sending = false;
      m.emit(`send end ${o.err},${o.protocolError}${o.detail ? ` (${o.detail})` : ""}`, record);
      m.urc(`+QSMTPPUT: ${o.err},${o.protocolError}`, true);
    });
  };
  const fail = (err: number, detail: string, afterMs = m.profile.commandMs * 10) =>
    finish({ err, protocolError: 0, detail }, afterMs);

  if (typeof built === "number") return fail(built, "attachment file missing");
  if (built.to.length + built.cc.length + built.bcc.length === 0) return fail(659, "no recipient");
  const cid = m.session.smtp.contextid;
  if (!m.session.active.has(cid)) return fail(654, `PDP context ${cid} not active`);

  for (const f of m.faults.atEvent("sendWait")) {
    if (f.kind === "reboot" && f.at === "sendWait") m.later(f.afterMs, () => m.reboot("fault during the send wait"));
  }
  const deact = m.faults.atEvent("pdpDeactDuringSend")[0];
  if (deact && deact.kind === "pdpDeactDuringSend") {
    record.abandoned = "PDP context deactivated by the network during the send";
    m.later(deact.afterMs, () => {
      pdpDeact(m, deact.cid ?? cid);
      fail(657, "PDP context deactivated", m.profile.urcGapMs);
    });
    return;
  }

  const startedAt = m.clock.now();
  const sendMs = m.profile.smtpSendMs;
  const release = m.clock.hold(sendMs);
  let promise: Promise<SmtpOutcome>;
  try {
    promise = m.smtp.deliver(session, built, timeoutS * 1000);
  } catch (e) {
    promise = Promise.reject(e);
  }
  promise
    .then(
      (o) => o,
      (e: unknown): SmtpOutcome => ({ err: 651, protocolError: 0, detail: `engine error: ${(e as Error)?.message ?? e}` }),
    )
    .then((o) => {
      release();
      if (m.epochNow !== epoch) {
        record.abandoned = record.abandoned ?? "module reset during the send";
        record.outcome = o;
        return;
      }
      const radioMs = o.radio ? radioTrips(o.radio) * m.profile.radioRttMs : 0;
      finish(o, Math.max(0, startedAt + sendMs + radioMs - m.clock.now()));
    });
}
