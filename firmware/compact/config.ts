// The compact profile's configuration: the full configuration (firmware/config),
// validated and resolved on the host by `cellmail config --compact`, flattened to the
// values the compact core uses. A board with little RAM (Espruino) stores this and
// never carries the validator; it checks only that the object was made by that
// command for this format (`format` and `check`), so a hand-edited or stale file is
// refused with E_CONFIG instead of being half-used. Every string still passes the AT
// quoting gate when it is sent (firmware/modem/quote.ts), so nothing here can inject
// a command even if the check were bypassed.
import { E_CONFIG } from "../errors.js";

/** Bump when a field is added, removed or changes meaning. */
export const COMPACT_FORMAT = 1;

export interface CompactInput {
  key: string;
  title: string;
  pin: number;
  activeLevel: number;
  debounceMs: number;
  notifyClear: boolean;
  raiseAtStart: boolean;
}

export interface CompactConfig {
  /** COMPACT_FORMAT of the command that wrote it. */
  format: number;
  /** compactCheck() of the other fields: catches hand edits and truncation. */
  check: number;
  board: string;
  // network (AT+QICSGP / AT+QIACT)
  apn: string;
  apnUser: string;
  apnPassword: string;
  apnAuth: number;
  contextId: number;
  // SMTP server and account (AT+QSSLCFG / AT+QSMTPCFG)
  server: string;
  port: number;
  sslType: number;
  sslCtxId: number;
  user: string;
  password: string;
  senderName: string;
  senderEmail: string;
  putTimeoutS: number;
  // recipients of every alarm mail
  to: string[];
  cc: string[];
  bcc: string[];
  // alarm rules
  inputs: CompactInput[];
  coalesceMs: number;
  perHour: number;
  idleMs: number;
  heartbeatMs: number;
  capacity: number;
  maxAttempts: number;
}

/** Mixes the keys and values of `v` (objects in key order, arrays in index order) into h. */
function mix(h: number, v: unknown): number {
  if (v !== null && typeof v === "object") {
    const o = v as { [k: string]: unknown };
    for (const k in o) if (k !== "check") h = mix(mix(h, k), o[k]);
    return h;
  }
  // ASCII only: engines differ in how they hold other characters (Espruino builds without
  // Unicode strings keep bytes), and the check must come out the same on all of them.
  const s = String(v);
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x80) h = (h * 31 + s.charCodeAt(i)) & 0xffff;
  return (h * 31 + 7) & 0xffff;
}

/**
 * A 16-bit check over every key and value except `check` itself, in the order the host
 * wrote them. Not security: a guard against editing the stored file by hand.
 */
export function compactCheck(c: CompactConfig): number {
  return mix(1, c);
}

/** 0 when `x` is a compact configuration this firmware can use, else E_CONFIG. */
export function compactError(x: unknown): number {
  const c = x as CompactConfig;
  return c && c.format === COMPACT_FORMAT && c.check === compactCheck(c) ? 0 : E_CONFIG;
}
