export { MailServer } from "./server.js";
export type {
  MailServerOptions,
  MailAddress,
  ReceivedAttachment,
  ReceivedMail,
  Refusal,
  RefusalStage,
  TlsMode,
} from "./server.js";
export { makeTestCa, makeServerCredentials } from "./certs.js";
export type { TestCa, TlsCredentials } from "./certs.js";
export { startRawServer, refusedPort } from "./raw.js";
export type { RawBehaviour, RawServer } from "./raw.js";
