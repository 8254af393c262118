// The simulated board's configuration for a scenario: a realistic default (a generic
// provider on implicit TLS with AUTH, one recipient) that a scenario's
// `firmware.config` overrides field by field, plus the embedded server settings that
// must agree with it (TLS mode, credentials, CA for verification).
import type { Scenario } from "../scenarios/scenario.js";
import type { TlsMode } from "../mailserver/server.js";

/** The host name the simulated board is configured with; the module's DNS maps it to the embedded server. */
export const SIM_SMTP_HOST = "smtp.cellmail.test";
export const SIM_USER = "alarm@cellmail.test";
export const SIM_PASSWORD = "sim-Secret-42";

export interface RunnerFirmware {
  /** Overrides of the default configuration (deep-merged). */
  config?: Record<string, unknown>;
  /** One mail job submitted straight to the mailer. */
  mail?: { to: string[]; cc?: string[]; bcc?: string[]; subject: string; body: string; attachments?: { name: string; size?: number; text?: string }[] };
  /** Further jobs, submitted after the first finishes (e.g. "two mails in a row"). */
  more?: RunnerFirmware["mail"][];
  /** An alarm raised through the alarm layer (outbox, template, limits). */
  alarm?: { key: string; title: string; text?: string };
  /** Raises over virtual time (an alarm storm): `count` raises of one alarm, `everyMs` apart, from `atMs`. */
  raises?: { atMs: number; key: string; title: string; text?: string; count?: number; everyMs?: number }[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

export function firmwareSection(s: Scenario): RunnerFirmware {
  return (s.firmware ?? {}) as RunnerFirmware;
}

/** The raw configuration (validated by the firmware itself, as on a board). */
export function boardConfig(s: Scenario, caPem: string): Record<string, unknown> {
  const base: Record<string, unknown> = {
    board: "sim-board",
    smtp: {
      provider: "generic",
      server: SIM_SMTP_HOST,
      port: 465,
      user: SIM_USER,
      password: SIM_PASSWORD,
      ssl: { type: 1, verify: false },
    },
    sender: { name: "Cellmail board", address: SIM_USER },
    recipients: { to: ["ops@example.com"] },
    network: { apn: "internet" },
  };
  const merged = deepMerge(base, firmwareSection(s).config ?? {});
  const smtp = merged.smtp as Record<string, unknown>;
  const ssl = smtp.ssl as Record<string, unknown>;
  if (ssl.verify && !ssl.cacert) ssl.cacert = caPem;
  return merged;
}

/** The embedded server's TLS mode and AUTH, matching the board's SSL type. */
export function serverSettings(config: Record<string, unknown>, s: Scenario): { tls: TlsMode; auth?: { user: string; password: string } } {
  const smtp = config.smtp as { user: string; password: string; ssl: { type: number } };
  const tls: TlsMode = smtp.ssl.type === 1 ? "implicit" : smtp.ssl.type === 2 ? "starttls" : "none";
  const wantsAuth = s.smtp?.server?.auth ?? true;
  return { tls, auth: wantsAuth ? { user: smtp.user, password: s.smtp?.server?.password ?? smtp.password } : undefined };
}

/** Deterministic attachment bytes of a given size (all byte values, so binary safety is exercised). */
export function attachmentBytes(name: string, size: number): Buffer {
  const b = Buffer.alloc(size);
  let x = 0;
  for (let i = 0; i < name.length; i++) x = (x * 31 + name.charCodeAt(i)) >>> 0;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = (x >>> 16) & 0xff;
  }
  return b;
}
