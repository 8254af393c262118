// cellmail's own SMTP client over the module's sockets (issue 14): an optional module on
// top of the mail layer. The composition (app/ or targets/) opens the socket through the
// EC800 driver, checks the configuration with socketTransportError, validates the job
// with prepareSocketMail, and runs SmtpClient.send with a MimeWriter started on the mail
// (SocketMailer, ./mailer.ts, holds the two and does both).
export { SocketMailer } from "./mailer.js";
export { SmtpClient, MIN_ROOM } from "./client.js";
export type { SmtpClientOptions, Envelope, MessageSource } from "./client.js";
export type { ByteStream, StreamSink } from "../../modem/stream.js";
export { MimeWriter } from "./mime.js";
export { prepareSocketMail, isMailError, nameError } from "./mail.js";
export type { SocketMail, SocketMailJob, Sender } from "./mail.js";
export { socketTransportError, heloError, replyError, replyErr } from "./refusal.js";
export { StoreSource, storeChunks } from "./store-source.js";
export { dateHeader, messageId } from "./headers.js";
