// Maps a failed delivery (a Node or nodemailer error) to `+QSMTPPUT: <err>,<protocol_error>`,
// and keeps credentials out of every text the engine hands back.
import {
  DNS_ERROR_CODES,
  NETWORK_ERROR_CODES,
  PEER_CLOSED_CODES,
  QSMTP_ERR,
  TIMEOUT_CODES,
  errForSmtpReply,
  errText,
} from "./codes.js";
import type { SmtpOutcome } from "./types.js";

interface ErrorLike {
  message?: string;
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  stage?: string;
  reason?: unknown;
}

/** Node's certificate-verification codes (OpenSSL's X509_V_ERR names) and TLS error codes. */
export function isTlsErrorCode(code: string | undefined): boolean {
  if (!code) return false;
  return (
    code === "ETLS" ||
    code === "EREQUIRETLS" ||
    code === "EPROTO" ||
    code.startsWith("ERR_SSL_") ||
    code.startsWith("ERR_TLS_") ||
    code.includes("CERT") ||
    code.includes("SELF_SIGNED") ||
    code.startsWith("UNABLE_TO_") ||
    code === "HOSTNAME_MISMATCH"
  );
}

function outcome(err: number, protocolError: number, what: string): SmtpOutcome {
  const text = errText(err);
  return { err, protocolError, detail: text ? `${text}: ${what}` : what };
}

/** Classifies a delivery failure. Codes of the underlying system error win over nodemailer's wrapper. */
export function classifyError(e: unknown): SmtpOutcome {
  const err = (e && typeof e === "object" ? e : { message: String(e) }) as ErrorLike;
  const message = String(err.message ?? e);
  const codes = [err.originalCode, err.code].filter((c): c is string => typeof c === "string");
  const has = (list: readonly string[]) => codes.some((c) => list.includes(c));

  // The server refused with a reply code: chapter 6 of the note.
  const rc = typeof err.responseCode === "number" ? err.responseCode : 0;
  if (rc >= 400 && rc < 600) {
    const at = err.command ? ` (${err.command})` : "";
    return outcome(errForSmtpReply(rc), rc, `${message}${at}`);
  }
  if (err.stage === "DNS" || has(DNS_ERROR_CODES)) return outcome(QSMTP_ERR.DNS, 0, message);
  if (codes.some(isTlsErrorCode) || /certificate|\bssl\b|\btls\b|handshake/i.test(message)) {
    // A timeout during the TLS handshake is still a timeout.
    if (has(TIMEOUT_CODES)) return outcome(QSMTP_ERR.TIMEOUT, 0, message);
    return outcome(QSMTP_ERR.SSL, 0, message);
  }
  if (has(TIMEOUT_CODES)) return outcome(QSMTP_ERR.TIMEOUT, 0, message);
  // Reset or closed by the peer (nodemailer: ECONNECTION "Connection closed unexpectedly").
  if (has(PEER_CLOSED_CODES)) return outcome(QSMTP_ERR.PEER_CLOSED, 0, message);
  if (has(NETWORK_ERROR_CODES)) return outcome(QSMTP_ERR.NETWORK, 0, message);
  if (codes.includes("EAUTH") || codes.includes("ENOAUTH")) return outcome(QSMTP_ERR.AUTH_TYPE, 0, message);
  if (codes.includes("EENVELOPE")) {
    return /recipient/i.test(message) ? outcome(QSMTP_ERR.NO_RECIPIENT, 0, message) : outcome(QSMTP_ERR.SEND_FAILED, 0, message);
  }
  if (codes.includes("EMESSAGE") || codes.includes("EPROTOCOL") || codes.includes("ESTREAM")) {
    return outcome(QSMTP_ERR.SEND_FAILED, 0, message);
  }
  return outcome(QSMTP_ERR.UNKNOWN, 0, message);
}

/** The strings that must never appear in a detail or log line: the password and its SASL forms. */
export function secretsOf(account: { user: string; password: string }): string[] {
  const p = account.password;
  if (!p) return [];
  const u = account.user;
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  return [p, b64(p), b64(`\u0000${u}\u0000${p}`), b64(`${u}\u0000${u}\u0000${p}`)].filter((s) => s.length > 0);
}

/** Replaces every secret in `text` with "***" (longest first, so no part of one survives). */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s) out = out.split(s).join("***");
  }
  return out;
}
