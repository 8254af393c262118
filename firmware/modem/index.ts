// Public surface of the EC800 driver.
export { Ec800 } from "./ec800.js";
export type { ModemListener, ModemStatus, Done, ModuleFiles } from "./ec800.js";
export { resolveConfig, SSL_NONE, SSL_IMPLICIT, SSL_STARTTLS } from "./config.js";
export type { ModemConfig, ResolvedConfig, CaCert } from "./config.js";
export { quoteAt, atSafe, AT_FIELD_MAX } from "./quote.js";
export { putResultToError, resultToError } from "./codes.js";
export type { CauseTexts } from "./codes.js";
