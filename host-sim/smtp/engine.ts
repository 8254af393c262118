// The simulated module's SMTP engine: delivers an OutgoingMail for real with nodemailer and
// reports the outcome as the EC800 would, `+QSMTPPUT: <err>,<protocol_error>`.
//
// - ssltype 0: plain, STARTTLS ignored even when offered; 1: implicit TLS; 2: STARTTLS required.
// - seclevel 0: any certificate; 1 (and 2, we have no client certificate): verify the server
//   against the uploaded CA PEM only (no system roots; no CA file means verification fails),
//   including the host name check.
// - Host names are resolved here, not by nodemailer (see `resolve`), so the "network" of the
//   simulator is under the caller's control; names under `.invalid` never resolve (RFC 6761)
//   and cause no DNS traffic.
// - The put timeout is real time (the caller holds the virtual clock while this runs).
// - The outcome says what the transaction used of the radio (`radio`: DNS, connect, TLS,
//   the SMTP replies it waited for, counted from nodemailer's transaction log), so the model
//   can price it with its radio round trip; QUIT's 221 is not counted (the result is known
//   before it).
import { promises as dns } from "node:dns";
import net from "node:net";
import tls from "node:tls";
import nodemailer from "nodemailer";
import { buildMessage } from "./message.js";
import { classifyError, redact, secretsOf } from "./outcome.js";
import { QSMTP_ERR, errText } from "./codes.js";
import type { DeliverOptions, OutgoingMail, SmtpEngine, SmtpOutcome, SmtpSession } from "./types.js";
import type { RadioUse } from "../ec800/sockets/radio.js";

export interface NodemailerEngineOptions {
  /**
   * Resolve a host name to one IP address (the simulated network's DNS). Reject with an error
   * whose `code` is e.g. "ENOTFOUND" for a name that does not exist. Default: `hosts`, then
   * RFC 6761 special names (`*.invalid` -> ENOTFOUND, `localhost` -> 127.0.0.1), then the
   * system resolver (`dns.lookup`, IPv4 preferred).
   */
  resolve?: (host: string) => Promise<string>;
  /** A static host table consulted first (like /etc/hosts): name -> IP address. */
  hosts?: Record<string, string>;
  /**
   * The name the server certificate is checked against (and sent as SNI when the session's
   * sni is on), instead of session.server.host. Lets a test connect to 127.0.0.1 yet verify a
   * certificate issued for "localhost".
   */
  servername?: string;
  /** EHLO name the module introduces itself with. Default "ec800". */
  clientName?: string;
  /** Receives the SMTP conversation and engine notes, one line at a time, credentials redacted. */
  log?: (line: string) => void;
  /** Also log the message content sent after DATA (default false: only its size). */
  logMessageData?: boolean;
  /**
   * Upper bound on the real time one put may take, in ms. The put timeout (60-65535 s on the
   * module) is real time here, because the virtual clock is held during real I/O; a scenario
   * with a silent server can cap it so it costs seconds, not minutes. The outcome is still 658.
   */
  timeoutCapMs?: number;
}

/** An IPv4/IPv6 literal, with or without brackets. */
function ipLiteral(host: string): string | null {
  const h = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return net.isIP(h) ? h : null;
}

function dnsError(host: string, code: string, message?: string): Error {
  const err = new Error(message ?? `getaddrinfo ${code} ${host}`) as NodeJS.ErrnoException;
  err.code = code;
  return err;
}

/** Default resolver: RFC 6761 special names, then the system resolver. */
export async function defaultResolve(host: string): Promise<string> {
  const name = host.toLowerCase().replace(/\.$/, "");
  if (name === "invalid" || name.endsWith(".invalid")) throw dnsError(host, "ENOTFOUND");
  if (name === "localhost" || name.endsWith(".localhost")) return "127.0.0.1";
  const all = await dns.lookup(name, { all: true });
  const v4 = all.find((a) => a.family === 4);
  const pick = v4 ?? all[0];
  if (!pick) throw dnsError(host, "ENOTFOUND");
  return pick.address;
}

class PutTimeout extends Error {
  code = "EPUTTIMEOUT";
}

class Cancelled extends Error {
  code = "ECANCELLED";
  constructor(readonly err: number, message: string) {
    super(message);
  }
}

export class NodemailerSmtpEngine implements SmtpEngine {
  private readonly opts: NodemailerEngineOptions;

  constructor(options: NodemailerEngineOptions = {}) {
    this.opts = options;
  }

  async deliver(
    session: SmtpSession,
    mail: OutgoingMail,
    putTimeoutMs: number,
    options: DeliverOptions = {},
  ): Promise<SmtpOutcome> {
    const cap = this.opts.timeoutCapMs;
    const timeoutMs = cap !== undefined && cap > 0 ? Math.min(putTimeoutMs, cap) : putTimeoutMs;
    const secrets = secretsOf(session.account);
    const log = this.opts.log;
    const note = (line: string) => {
      if (log) log(redact(line, secrets));
    };
    const radio: RadioUse = { dns: !ipLiteral(session.server.host), connect: false, tls: false, replies: 0 };
    let settled = false;
    let greeted = false;
    /** nodemailer's transaction log: one entry per complete server reply. */
    const onReply = (text: string) => {
      if (settled || /^221[ -]/.test(text)) return;
      radio.replies++;
      if (/^220[ -]/.test(text)) {
        // The greeting, then (ssltype 2) the go-ahead for STARTTLS, which a handshake follows.
        if (greeted && session.sslType === 2) radio.tls = true;
        greeted = true;
      }
    };
    const finish = (o: SmtpOutcome): SmtpOutcome => {
      settled = true;
      if (session.sslType === 1 && radio.replies > 0) radio.tls = true;
      const out = { ...o, detail: redact(o.detail, secrets), radio: { ...radio } };
      note(`+QSMTPPUT: ${out.err},${out.protocolError} (${out.detail})`);
      return out;
    };

    if (mail.to.length + mail.cc.length + mail.bcc.length === 0) {
      return finish({ err: QSMTP_ERR.NO_RECIPIENT, protocolError: 0, detail: `${errText(659)}: no recipients` });
    }
    if (!session.sender.email) {
      return finish({ err: QSMTP_ERR.BAD_PARAM, protocolError: 0, detail: `${errText(664)}: no sender address` });
    }

    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const external = options.signal;
    let onCancel: (() => void) | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const e = new PutTimeout(`no result within the put timeout (${timeoutMs} ms)`);
        abort.abort(e);
        reject(e);
      }, Math.max(1, timeoutMs));
      if (external) {
        onCancel = () => {
          const reason = external.reason as { err?: unknown; message?: unknown } | undefined;
          const err = reason && typeof reason.err === "number" ? reason.err : QSMTP_ERR.PDP_DEACT;
          const why = reason && typeof reason.message === "string" ? reason.message : "cancelled by the caller";
          const e = new Cancelled(err, why);
          abort.abort(e);
          reject(e);
        };
        if (external.aborted) onCancel();
        else external.addEventListener("abort", onCancel, { once: true });
      }
    });
    let transporter: ReturnType<typeof nodemailer.createTransport> | undefined;
    try {
      const work = (async (): Promise<SmtpOutcome> => {
        const host = session.server.host;
        let address: string;
        try {
          address = await this.resolveHost(host);
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          if (!err.code) err.code = "ENOTFOUND";
          throw Object.assign(err, { stage: "DNS" });
        }
        if (abort.signal.aborted) throw abort.signal.reason;
        radio.connect = true;
        note(`resolved ${host} -> ${address}`);

        const built = await buildMessage(session, mail);
        const name = this.opts.servername ?? (ipLiteral(host) ?? host);
        const tlsOptions: tls.ConnectionOptions = {};
        if (session.sslType !== 0) {
          if (session.secLevel >= 1) {
            tlsOptions.rejectUnauthorized = true;
            // Only the uploaded CA is trusted; an empty list means an empty trust store.
            tlsOptions.ca = session.caCertPem ? [session.caCertPem] : [];
            tlsOptions.checkServerIdentity = (_h, cert) => tls.checkServerIdentity(name, cert);
          } else {
            tlsOptions.rejectUnauthorized = false;
          }
          if (session.sni && !ipLiteral(name)) tlsOptions.servername = name;
        }
        const user = session.account.user;
        transporter = nodemailer.createTransport({
          host: address,
          port: session.server.port,
          secure: session.sslType === 1,
          ignoreTLS: session.sslType === 0,
          requireTLS: session.sslType === 2,
          // SNI / identity for the STARTTLS upgrade as well (false: none).
          servername: session.sslType !== 0 && session.sni && !ipLiteral(name) ? name : undefined,
          tls: tlsOptions,
          auth: user ? { user, pass: session.account.password } : undefined,
          name: options.clientName ?? this.opts.clientName ?? "ec800",
          connectionTimeout: timeoutMs + 1000,
          greetingTimeout: timeoutMs + 1000,
          socketTimeout: timeoutMs + 1000,
          logger: makeLogger(log ? note : null, !!this.opts.logMessageData, onReply),
          debug: !!log,
          transactionLog: true,
        });
        const info = await transporter.sendMail({
          envelope: built.envelope,
          raw: built.raw,
          signal: abort.signal,
        });
        const rejected: string[] = ((info.rejected || []) as unknown[]).map((a) =>
          typeof a === "string" ? a : String((a as { address?: string }).address ?? a),
        );
        const response = String(info.response || "");
        return {
          err: 0,
          protocolError: 0,
          detail: `sent: ${response}${rejected.length ? `; rejected: ${rejected.join(", ")}` : ""}`,
          rejected: rejected.length ? rejected : undefined,
          messageId: built.messageId,
        };
      })();
      return finish(await Promise.race([work, deadline]));
    } catch (e) {
      const reason: unknown = abort.signal.aborted ? abort.signal.reason : e;
      if (reason instanceof Cancelled) {
        return finish({ err: reason.err, protocolError: 0, detail: `${errText(reason.err) || "aborted"}: ${reason.message}` });
      }
      if (e instanceof PutTimeout || abort.signal.aborted) {
        return finish({ err: QSMTP_ERR.TIMEOUT, protocolError: 0, detail: `${errText(658)}: no result within ${timeoutMs} ms` });
      }
      return finish(classifyError(e));
    } finally {
      clearTimeout(timer);
      if (external && onCancel) external.removeEventListener("abort", onCancel);
      if (!abort.signal.aborted) abort.abort(new Error("done"));
      try {
        transporter?.close();
      } catch {
        /* already closed */
      }
    }
  }

  private async resolveHost(host: string): Promise<string> {
    const literal = ipLiteral(host);
    if (literal) return literal;
    const table = this.opts.hosts;
    if (table) {
      const hit = table[host] ?? table[host.toLowerCase()];
      if (hit) return hit;
    }
    return (this.opts.resolve ?? defaultResolve)(host);
  }
}

/** A bunyan-style logger for nodemailer that passes formatted lines to `note`. The message
 * content itself (debug entries of the "message" transaction) is left out unless asked for. */
function makeLogger(note: ((line: string) => void) | null, withData: boolean, onReply: (text: string) => void) {
  const fmt = (args: unknown[]): string => {
    let rest = args;
    if (rest.length && typeof rest[0] === "object" && rest[0] !== null && !(rest[0] instanceof Error)) rest = rest.slice(1);
    const [first, ...more] = rest;
    let i = 0;
    const text = String(first ?? "").replace(/%[sdj%]/g, (m) => (m === "%%" ? "%" : String(more[i++])));
    return text;
  };
  const level = (...args: unknown[]) => {
    if (!note) return;
    for (const line of fmt(args).split(/\r?\n/)) if (line) note(line);
  };
  const debug = (...args: unknown[]) => {
    const meta = args[0] as { tnx?: string } | undefined;
    if (meta && typeof meta === "object" && meta.tnx === "server") onReply(fmt(args));
    if (!withData && meta && typeof meta === "object" && meta.tnx === "message") return;
    level(...args);
  };
  return { trace: level, debug, info: level, warn: level, error: level, fatal: level };
}

/** Convenience factory. */
export function createSmtpEngine(options: NodemailerEngineOptions = {}): SmtpEngine {
  return new NodemailerSmtpEngine(options);
}
