// Configuration of the module and the SMTP account, with its validation. Everything
// that ends up inside an AT command is checked here through atSafe (quote.ts) with the
// seed's limits, so a bad value is a KIND_CONFIG error at construction, not a module
// ERROR in the middle of a mail. Defaults are filled into a new object (no default
// parameters, no spread: ES2015 core rules).
import type { ByteSource } from "../at/types.js";
import { CellError, cellError, KIND_CONFIG, E_CONFIG } from "../errors.js";
import { atSafe, AT_FIELD_MAX } from "./quote.js";
import { addressError } from "./address.js";
import { bytesSource } from "../at/source.js";
import { utf8Bytes } from "../text/utf8.js";
import { BOOT_WAIT_MS, PROBE_TRIES, PUT_MARGIN_MS, REBOOT_SPACING_MS, REG_WAIT_MS, SIM_WAIT_MS } from "./timing.js";

export const SSL_NONE = 0; //     plain SMTP (port 25)
export const SSL_IMPLICIT = 1; // SMTPS, TLS from the first byte (465)
export const SSL_STARTTLS = 2; // upgrade with STARTTLS (25/587)

/** The UFS file name a CA given as PEM text (caPem) is uploaded under. */
export const CA_FILE = "cellmail-ca.pem";

/** A CA certificate to upload to UFS and verify the server against (seclevel 1). */
export interface CaCert {
  /** File name in UFS, e.g. "ca.pem" (sent as "UFS:ca.pem"). */
  name: string;
  data: ByteSource;
}

/**
 * The module's and the account's settings with every value present: what a device stores
 * (the device record, firmware/config/device.ts, extends it) and what the driver runs on.
 */
export interface ModemSettings {
  // PDP context (AT+QICSGP)
  apn: string;
  apnUser: string;
  apnPassword: string;
  /** 0 none, 1 PAP, 2 CHAP, 3 PAP or CHAP. Default 0. */
  apnAuth: number;
  /** PDP context id, 1..16. Default 1. */
  contextId: number;

  // SMTP server and account (AT+QSMTPCFG)
  server: string;
  port: number;
  user: string;
  /** Secret: never logged, never in an error cause. */
  password: string;
  senderName: string;
  senderEmail: string;
  /** SSL_NONE, SSL_IMPLICIT or SSL_STARTTLS. */
  sslType: number;
  /** SSL context id 0..5. Default 1. */
  sslCtxId: number;
  /** AT+QSSLCFG "sslversion": 0 SSL3, 1 TLS1.0, 2 TLS1.1, 3 TLS1.2, 4 all. Default 4. */
  sslVersion: number;
  /** AT+QSSLCFG "ciphersuite", e.g. "0xFFFF" (all). Default "0xFFFF". */
  cipherSuite: string;
  /** AT+QSSLCFG "seclevel": 0 no verification, 1 verify the server against the CA. Default 1 when a CA is given, else 0. */
  secLevel: number;
  /** PEM text of the CA certificate, uploaded as CA_FILE; "" none. */
  caPem: string;
  /** AT+QSSLCFG "sni" (needed on shared-IP servers). Default true. */
  sni: boolean;
  /** AT+QSMTPPUT=<timeout> in seconds, 60..65535. Default 300. */
  putTimeoutS: number;
}

/** The driver's timing (virtual-clock ms unless named otherwise); defaults in resolveConfig. */
export interface ModemTiming {
  /** Extra wait for the +QSMTPPUT URC beyond the put timeout. Default 30000. */
  putMarginMs: number;
  /** How long to poll the SIM through +CME ERROR: 14/13. Default 20000. */
  simWaitMs: number;
  /** Registration deadline. Default 120000. */
  regWaitMs: number;
  /** Wait for RDY after AT+CFUN=1,1 before probing with AT. Default 30000. */
  bootWaitMs: number;
  /** AT probes before giving up on a silent module. Default 10. */
  probeTries: number;
  /** Minimum time between two module reboots. Default 600000 (10 minutes, seed 4.2). */
  rebootSpacingMs: number;
}

/**
 * What the Mailer takes: the settings and the timing, where everything not listed here
 * has its default. A device record (firmware/config/device.ts) is one as it is.
 */
export interface ModemConfig extends Partial<ModemSettings>, Partial<ModemTiming> {
  apn: string;
  server: string;
  port: number;
  user: string;
  password: string;
  senderName: string;
  senderEmail: string;
  sslType: number;
  /** A CA given as a file to upload (name and bytes) instead of caPem. */
  caCert?: CaCert;
}

/** The configuration with every default filled in. */
export interface ResolvedConfig extends ModemSettings, ModemTiming {
  /** The CA file to upload when secLevel is 1 (from caCert or caPem), else null. */
  caCert: CaCert | null;
}

function pick(v: number | undefined, dflt: number): number {
  return v === undefined ? dflt : v;
}

function intIn(v: number, lo: number, hi: number): boolean {
  return typeof v === "number" && v === Math.floor(v) && v >= lo && v <= hi;
}

function rangeError(field: string, lo: number, hi: number): CellError {
  return cellError(KIND_CONFIG, E_CONFIG, field + " must be an integer " + lo + ".." + hi, field);
}

/** Fill defaults and validate; returns the resolved config or a KIND_CONFIG error. */
export function resolveConfig(c: ModemConfig): ResolvedConfig | CellError {
  const r: ResolvedConfig = {
    apn: c.apn,
    apnUser: c.apnUser === undefined ? "" : c.apnUser,
    apnPassword: c.apnPassword === undefined ? "" : c.apnPassword,
    apnAuth: pick(c.apnAuth, 0),
    contextId: pick(c.contextId, 1),
    server: c.server,
    port: c.port,
    user: c.user,
    password: c.password,
    senderName: c.senderName,
    senderEmail: c.senderEmail,
    sslType: c.sslType,
    sslCtxId: pick(c.sslCtxId, 1),
    sslVersion: pick(c.sslVersion, 4),
    cipherSuite: c.cipherSuite === undefined ? "0xFFFF" : c.cipherSuite,
    secLevel: pick(c.secLevel, c.caCert || c.caPem ? 1 : 0),
    caPem: c.caPem === undefined ? "" : c.caPem,
    caCert: c.caCert ? c.caCert : c.caPem ? { name: CA_FILE, data: bytesSource(utf8Bytes(c.caPem)) } : null,
    sni: c.sni === undefined ? true : c.sni,
    putTimeoutS: pick(c.putTimeoutS, 300),
    putMarginMs: pick(c.putMarginMs, PUT_MARGIN_MS),
    simWaitMs: pick(c.simWaitMs, SIM_WAIT_MS),
    regWaitMs: pick(c.regWaitMs, REG_WAIT_MS),
    bootWaitMs: pick(c.bootWaitMs, BOOT_WAIT_MS),
    probeTries: pick(c.probeTries, PROBE_TRIES),
    rebootSpacingMs: pick(c.rebootSpacingMs, REBOOT_SPACING_MS),
  };
  let e: CellError | null =
    atSafe(r.apn, 62, "apn", true) ||
    atSafe(r.apnUser, AT_FIELD_MAX, "apnUser", true) ||
    atSafe(r.apnPassword, AT_FIELD_MAX, "apnPassword", true) ||
    atSafe(r.server, AT_FIELD_MAX, "server", false) ||
    atSafe(r.user, AT_FIELD_MAX, "user", true) ||
    atSafe(r.password, AT_FIELD_MAX, "password", true) ||
    atSafe(r.senderName, AT_FIELD_MAX, "senderName", true) ||
    addressError(r.senderEmail, "senderEmail");
  if (e) return e;
  for (let i = 0; i < r.server.length; i++) {
    const ch = r.server.charAt(i);
    if (ch === "," || ch === " " || ch === "/" || ch === "@") {
      return cellError(KIND_CONFIG, E_CONFIG, "server must be a host name or IP address", "server");
    }
  }
  if (!intIn(r.apnAuth, 0, 3)) return rangeError("apnAuth", 0, 3);
  if (!intIn(r.contextId, 1, 16)) return rangeError("contextId", 1, 16);
  if (!intIn(r.port, 1, 65535)) return rangeError("port", 1, 65535);
  if (!intIn(r.sslType, 0, 2)) return rangeError("sslType", 0, 2);
  if (!intIn(r.sslCtxId, 0, 5)) return rangeError("sslCtxId", 0, 5);
  if (!intIn(r.sslVersion, 0, 4)) return rangeError("sslVersion", 0, 4);
  if (!intIn(r.secLevel, 0, 1)) return rangeError("secLevel", 0, 1);
  if (!intIn(r.putTimeoutS, 60, 65535)) return rangeError("putTimeoutS", 60, 65535);
  if (!intIn(r.probeTries, 1, 1000)) return rangeError("probeTries", 1, 1000);
  e = cipherError(r.cipherSuite);
  if (e) return e;
  if (r.secLevel === 1) {
    if (!r.caCert) return cellError(KIND_CONFIG, E_CONFIG, "secLevel 1 needs caCert", "caCert");
    e = fileNameError(r.caCert.name, "caCert.name");
    if (e) return e;
    if (!(r.caCert.data.length > 0)) return cellError(KIND_CONFIG, E_CONFIG, "caCert is empty", "caCert.data");
  }
  return r;
}

function cipherError(s: string): CellError | null {
  const ok = typeof s === "string" && s.length >= 3 && s.length <= 6 && (s.substring(0, 2) === "0x" || s.substring(0, 2) === "0X");
  if (ok) {
    for (let i = 2; i < s.length; i++) {
      if (hexValue(s.charCodeAt(i)) < 0) return rangeError("cipherSuite", 0, 0xffff);
    }
    return null;
  }
  return cellError(KIND_CONFIG, E_CONFIG, "cipherSuite must look like 0xFFFF", "cipherSuite");
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * A UFS file name we create: letters, digits, '.', '_', '-'; 1..40 bytes so that
 * "UFS:" + name stays within the 50-byte field.
 */
export function fileNameError(name: string, field: string): CellError | null {
  if (typeof name !== "string" || name.length === 0 || name.length > 40) {
    return cellError(KIND_CONFIG, E_CONFIG, field + " must be 1..40 characters", field);
  }
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 95 || c === 45;
    if (!ok) return cellError(KIND_CONFIG, E_CONFIG, field + " may hold only letters, digits, '.', '_' and '-'", field);
  }
  if (name.charAt(0) === ".") return cellError(KIND_CONFIG, E_CONFIG, field + " must not start with '.'", field);
  return null;
}
