// firmware/config: the typed configuration, its validation, presets and redaction.
export type {
  AlarmRulesConfig, CellmailConfig, InputConfig, NetworkConfig, RecipientsConfig, SenderConfig, SmtpConfig, SslConfig,
} from "./types.js";
export { PROVIDER_AMAZON, PROVIDER_GENERIC, PROVIDER_TENCENT, SSLTYPE_IMPLICIT, SSLTYPE_NONE, SSLTYPE_STARTTLS } from "./types.js";
export { loadConfig, validateConfig, MAX_RECIPIENTS } from "./validate.js";
export type { ConfigError, ConfigResult } from "./validate.js";
export { redact, redactedText } from "./redact.js";
export { amazonHost, tencentHost } from "./presets.js";
