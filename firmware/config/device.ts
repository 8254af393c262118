// The device configuration: the one shape every board's core reads (issue 12). It is the
// user's configuration (docs/configuration.md) validated, with every default and provider
// preset filled in and flattened to the values the core uses. Two things make it:
// `cellmail config` on the host (every target; the only way for a board that carries no
// validator, Espruino), and the optional on-board validator (firmware/ext/validate), which
// Moddable and Node carry so a user's JSON in mc/config or a file works as it is.
//
// The record says which writer made it (`format`) and carries a check over its fields, so
// a hand-edited, truncated or stale record is refused with E_CONFIG instead of being half
// used. Every string still passes the AT quoting gate when it is sent (modem/quote.ts), so
// nothing here can inject a command even if the check were bypassed.
import { E_CONFIG } from "../errors.js";
import type { ModemSettings } from "../modem/config.js";

/** Bump when a field is added, removed or changes meaning. 1: the compact profile's record; 2: one record for every board. */
export const DEVICE_FORMAT = 2;

// How mails go out (`transport`): the module's SMTP engine (AT+QSMTP*), cellmail's own SMTP
// client over the module's sockets, or the engine when the module has it and the socket
// otherwise (firmware/mail/transport.ts).
export const TRANSPORT_MODULE = 0;
export const TRANSPORT_SOCKET = 1;
export const TRANSPORT_AUTO = 2;

/** One alarm input, as the user writes it (defaults filled) and as the record keeps it. */
export interface DeviceInput {
  /** Alarm key (coalescing identity), 1..32 printable ASCII, no '/'. */
  key: string;
  /** Subject title, 1..64 bytes UTF-8. Default: the key. */
  title: string;
  /** Pin number for the platform adapter, 0..255. */
  pin: number;
  /** Level that means "alarm", 0 or 1. Default 1. */
  activeLevel: number;
  /** Default: alarm.debounceMs. */
  debounceMs: number;
  /** Also mail when the input returns to normal. Default false. */
  notifyClear: boolean;
  /** Raise at start-up when the input is already active. Default true. */
  raiseAtStart: boolean;
}

/**
 * The record: the module's settings (modem/config.ts ModemSettings: so the driver takes
 * a record as it is) plus the board's name, the recipients and the alarm rules. The writer
 * (ext/validate deviceFrom) sets the keys in a fixed order, which deviceCheck mixes in.
 */
export interface DeviceConfig extends ModemSettings {
  /** DEVICE_FORMAT of the writer. */
  format: number;
  /** deviceCheck() of the other fields: catches hand edits and truncation. */
  check: number;
  board: string;
  // recipients of every alarm mail
  to: string[];
  cc: string[];
  bcc: string[];
  // alarm rules
  inputs: DeviceInput[];
  coalesceMs: number;
  /** Mails per recipient per hour. */
  perHour: number;
  idleMs: number;
  heartbeatMs: number;
  capacity: number;
  maxAttempts: number;
  /** TRANSPORT_MODULE, TRANSPORT_SOCKET or TRANSPORT_AUTO. */
  transport: number;
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
  for (let i = 0, k = 0; i < s.length; i++) if ((k = s.charCodeAt(i)) < 0x80) h = (h * 31 + k) & 0xffff;
  return (h * 31 + 7) & 0xffff;
}

/**
 * A 16-bit check over every key and value except `check` itself, in the order the writer
 * wrote them. Not security: a guard against editing the stored record by hand.
 */
export function deviceCheck(c: DeviceConfig): number {
  return mix(1, c);
}

/** 0 when `x` is a device configuration this firmware can use, else E_CONFIG. */
export function deviceError(x: unknown): number {
  const c = x as DeviceConfig;
  return c && c.format === DEVICE_FORMAT && c.check === mix(1, c) ? 0 : E_CONFIG; // mix(1, c): deviceCheck(c)
}

/** Whether `x` looks like a device record (it names a format) rather than a user's configuration. */
export function isDeviceRecord(x: unknown): boolean {
  return x !== null && typeof x === "object" && (x as { format?: unknown }).format !== undefined;
}
