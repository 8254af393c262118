// Error codes the model reports and their verbose texts (AT+CMEE=2). 3GPP codes from
// the reference's table; 4xx file codes and the SMTP 65x-68x codes from the seed's
// chapter 5. Which codes stay numeric even under CMEE=2 follows the captures: the
// ASR platform mixes text and numbers in one session (421 always numeric).
export const CME_TEXT: Record<number, string> = {
  0: "phone failure",
  3: "operation not allowed",
  4: "operation not supported",
  10: "SIM not inserted",
  11: "SIM PIN required",
  12: "SIM PUK required",
  13: "SIM failure",
  14: "SIM busy",
  15: "SIM wrong",
  16: "incorrect password",
  20: "memory full",
  21: "invalid index",
  22: "not found",
  23: "memory failure",
  30: "no network service",
  31: "network timeout",
  32: "emergency calls only",
  100: "unknown",
  407: "file already exist",
};

/** Seed chapter 5: the <err> of SMTP commands and of +QSMTPPUT. */
export const SMTP_ERR_TEXT: Record<number, string> = {
  651: "Unknown error",
  652: "The SMTP server is busy, such as uploading the body or sending an email.",
  653: "Failed to get IP address according to the domain name.",
  654: "Network error",
  655: "Unsupported authentication type",
  656: "The connection for the SMTP server is closed by peer.",
  657: "GPRS/CSD context is deactivated.",
  658: "Timeout",
  659: "No recipient for the SMTP server",
  660: "Failed to send an email",
  661: "Failed to open a file",
  662: "No enough memory for the attachment",
  663: "Failed to save the attachment",
  664: "The input parameter is wrong",
  665: "SSL authentication failed",
  666: "Service not available, closing transmission channel",
  667: "Requested mail action not taken: mailbox unavailable",
  668: "Requested action aborted: local error in processing",
  669: "Requested action not taken: insufficient system storage",
  670: "Syntax error, command unrecognized",
  671: "Syntax error in parameters or arguments",
  672: "Command not implemented",
  673: "Bad sequence of commands",
  674: "Command parameter not implemented",
  675: "<domain> does not accept mail",
  676: "Access denied",
  677: "Authentication failed",
  678: "Requested action not taken: mailbox unavailable",
  679: "User not local; please try <forward-path>",
  680: "Requested mail action aborted: exceeded storage allocation",
  681: "Requested action not taken: mailbox name not allowed",
  682: "Transaction failed",
};

/** Seed chapter 6, in order: protocol error -> <err> 666..682. */
export const SMTP_REPLY_TO_ERR: Record<number, number> = {
  421: 666, 450: 667, 451: 668, 452: 669, 500: 670, 501: 671, 502: 672, 503: 673, 504: 674,
  521: 675, 530: 676, 535: 677, 550: 678, 551: 679, 552: 680, 553: 681, 554: 682,
};

/** Named error codes used by the model. */
export const E = {
  SIM_NOT_INSERTED: 10,
  SIM_PIN: 11,
  SIM_FAILURE: 13,
  SIM_BUSY: 14,
  NOT_ALLOWED: 3,
  FILE_DRIVE_FULL: 403,
  FILE_NOT_FOUND: 405,
  FILE_EXISTS: 407,
  FILE_TIMEOUT: 421,
  SMTP_BUSY: 652,
  SMTP_PARAM: 664,
  SMTP_FILE_OPEN: 661,
} as const;

/** The text form of a CME code under CMEE=2, or null to print the number. */
export function cmeText(code: number): string | null {
  return CME_TEXT[code] ?? null;
}
