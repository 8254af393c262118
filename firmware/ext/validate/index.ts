// firmware/ext/validate: the user's configuration (the JSON of docs/configuration.md), its
// validation with field paths, provider presets, redaction, and the device record made
// from it (device.ts). The host always runs it (`cellmail config`); Moddable and Node
// boards carry it so a user's JSON works on the board as it is.
export type {
  AlarmRulesConfig, CellmailConfig, InputConfig, NetworkConfig, RecipientsConfig, SenderConfig, SmtpConfig, SslConfig,
} from "./types.js";
export { PROVIDER_AMAZON, PROVIDER_GENERIC, PROVIDER_TENCENT, SSLTYPE_IMPLICIT, SSLTYPE_NONE, SSLTYPE_STARTTLS } from "./types.js";
export { loadConfig, validateConfig, MAX_RECIPIENTS } from "./validate.js";
export type { ConfigError, ConfigResult } from "./validate.js";
export { redact, redactedText } from "./redact.js";
export { amazonHost, tencentHost } from "./presets.js";
export { deviceFrom, loadDevice, toDevice } from "./device.js";
export type { DeviceResult } from "./device.js";
