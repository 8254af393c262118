// The <err> codes of the module's TCP/IP and SSL socket commands (+QIOPEN: <id>,<err>,
// +QSSLOPEN: <id>,<err>, AT+QIGETERROR), as Table 2 "Summary of Error Codes" of the
// Quectel EC200U&EG915U Series TCP/IP Application Note V1.1 prints them (docs/sockets.md).
// The SSL application note reuses the same numbers (a real EG800K reports every TLS
// verification failure as 566).

/** Table 2: every code with its description, as AT+QIGETERROR prints it. */
export const SOCKET_ERR_TEXT: Readonly<Record<number, string>> = {
  0: "operation success",
  550: "unknown error",
  551: "operation blocked",
  552: "invalid parameters",
  553: "memory not enough",
  554: "socket creation failed",
  555: "operation not supported",
  556: "socket bind failed",
  557: "socket listen failed",
  558: "socket write failed",
  559: "socket read failed",
  560: "socket accept failed",
  561: "PDP context opening failed",
  562: "PDP context closure failed",
  563: "socket identity has been used",
  564: "DNS busy",
  565: "DNS parse failed",
  566: "socket connect failed",
  567: "socket has been closed",
  568: "operation busy",
  569: "operation timeout",
  570: "PDP context broken down",
  571: "cancel sending",
  572: "operation not allowed",
  573: "APN not configured",
  574: "port busy",
};

/** The codes the model reports, by name. */
export const SOCKET_ERR = {
  OK: 0,
  UNKNOWN: 550,
  INVALID_PARAM: 552,
  SOCKET_WRITE: 558,
  PDP_OPEN: 561,
  ID_IN_USE: 563,
  DNS: 565,
  CONNECT: 566,
  CLOSED: 567,
  TIMEOUT: 569,
  PDP_BROKEN: 570,
  NOT_ALLOWED: 572,
} as const;

export type SocketErr = (typeof SOCKET_ERR)[keyof typeof SOCKET_ERR];

/** The description of a code ("" when the table has none). */
export function socketErrText(code: number): string {
  return SOCKET_ERR_TEXT[code] ?? "";
}
