// The one typed configuration of a cellmail board, as validated and completed by
// validateConfig() (validate.ts). Users write the same shape as JSON (host), in
// mc/config or Preference (Moddable) or a Storage file (Espruino); fields marked
// "default" may be left out.

import type { DeviceInput } from "../../config/device.js";

export const PROVIDER_TENCENT = "tencent"; // Tencent Cloud SES (regions: hongkong, guangzhou, international)
export const PROVIDER_AMAZON = "amazon"; //   Amazon SES (region e.g. "eu-west-1")
export const PROVIDER_GENERIC = "generic"; // any SMTP server

/** AT+QSMTPCFG "ssltype". */
export const SSLTYPE_NONE = 0;
export const SSLTYPE_IMPLICIT = 1; // TLS from the first byte (465)
export const SSLTYPE_STARTTLS = 2;

export interface SslConfig {
  /** 0 none, 1 implicit TLS, 2 STARTTLS. Default from the provider preset (1). */
  type: number;
  /** Verify the server certificate against `cacert` (AT+QSSLCFG "seclevel",ctx,1). Default false. */
  verify: boolean;
  /** PEM text of the CA certificate; required when verify. Default "". */
  cacert: string;
  /** SSL context id 0..5. Default 1. */
  context: number;
}

export interface SmtpConfig {
  provider: string;
  /** Tencent: "hongkong" (default, smtp.qcloudmail.com), "guangzhou", "international"; Amazon: required; generic: "". */
  region: string;
  /** Host name, <= 50 bytes. Filled from the preset; required for generic. */
  server: string;
  /** Default from the preset (465). */
  port: number;
  /** Account, <= 50 bytes. */
  user: string;
  /** Secret, <= 50 bytes. Never logged: use redact(). */
  password: string;
  ssl: SslConfig;
  /**
   * How mails go out: "module" (the module's SMTP engine, AT+QSMTP*), "socket" (cellmail's own
   * SMTP client over the module's sockets; no STARTTLS) or "auto" (the engine when
   * AT+QSMTPCFG=? answers, the socket otherwise). Default "module".
   */
  transport: string;
}

export interface SenderConfig {
  /** Display name, <= 50 bytes ASCII. Default: the board name. */
  name: string;
  /** <= 50 bytes. Default: smtp.user when that is an address. */
  address: string;
}

export interface RecipientsConfig {
  /** At least one; at most 20 addresses in to + cc + bcc, each <= 50 bytes. */
  to: string[];
  /** Default []. Not supported by Tencent SES. */
  cc: string[];
  bcc: string[];
}

export interface NetworkConfig {
  /** APN for AT+QICSGP, <= 50 bytes; "" lets the network choose. Default "". */
  apn: string;
  user: string;
  password: string;
  /** 0 none, 1 PAP, 2 CHAP, 3 PAP or CHAP. Default 0. */
  auth: number;
  /** PDP context id 1..16. Default 1. */
  context: number;
}

/** One alarm input: the device record's own shape (firmware/config/device.ts DeviceInput). */
export type InputConfig = DeviceInput;

export interface AlarmRulesConfig {
  /** At most 8. Default []. */
  inputs: InputConfig[];
  /** 0..60000. Default 50. */
  debounceMs: number;
  /** Repeats within this window become one mail. 0..86400. Default 600. */
  coalesceSeconds: number;
  /** 1..1000; at most 10 with Tencent SES. Default 10. */
  perRecipientPerHour: number;
  /** 0 = off (default); 24 = daily. 0..720. */
  heartbeatHours: number;
  /** Deactivate PDP after this many idle minutes, 1..1440. Default 30. */
  idleMinutes: number;
  /** Outbox entries 4..64. Default 32. */
  outboxSize: number;
  /** Retryable failures are retried this many times, 1..100. Default 12. */
  maxAttempts: number;
}

export interface CellmailConfig {
  /** Board name used in mails, 1..50 bytes. Default "cellmail". */
  board: string;
  smtp: SmtpConfig;
  sender: SenderConfig;
  recipients: RecipientsConfig;
  network: NetworkConfig;
  alarm: AlarmRulesConfig;
}
