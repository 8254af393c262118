// Public surface of the mail layer.
export { Mailer } from "./mailer.js";
export type { MailerOptions } from "./mailer.js";
export type { MailJob, Attachment, PreparedMail } from "./message.js";
export { validateMail, prepareMail, CHARSET_AUTO, CHARSET_ASCII, CHARSET_UTF8, CHARSET_GB2312, CHARSET_BIG5 } from "./message.js";
export type { MailResult, RecoveryLimits } from "./job.js";
export { stateName } from "./job.js";
export { utf8Hex, utf8Bytes, utf8Length } from "../text/utf8.js";
