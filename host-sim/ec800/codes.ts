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

// The SMTP <err> and reply tables live with the module's SMTP engine (host-sim/smtp/codes.ts).

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
