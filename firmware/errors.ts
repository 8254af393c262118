// Typed errors for the whole core: one small plain-object shape, a handful of kinds
// that tell a caller what to do about it, and our own numeric codes for failures
// that do not come from the module. Module codes (+CME ERROR numbers, the SMTP <err>
// 651-682, SMTP protocol replies) are passed through as `code` unchanged.
//
// Kinds (what the caller should do):
//   KIND_CONFIG     the input or the configuration is wrong (bad address, field too long,
//                   password rejected by the module's syntax, SSL/CA set-up). Fix it; retrying
//                   the same thing can never succeed.
//   KIND_PERMANENT  the server or the module refused this mail for good (535 authentication,
//                   550 mailbox, 554 transaction failed, SIM missing). Fail at once.
//   KIND_RETRYABLE  a transient failure (timeout, busy, 421/450, lost connection): the same
//                   mail may succeed when resent.
//   KIND_NETWORK    the data path is down (654, 657, pdpdeact, DNS, not registered): re-activate
//                   the PDP context, then retry.
//   KIND_MODEM      the module itself misbehaves (no answer, reboots): the last resort is a reboot.
//   KIND_THROTTLED  the server limits the sender (530 "sent too often", 454): retry much later,
//                   not now.
// Non-retryable kinds for the current attempt: CONFIG, PERMANENT, THROTTLED (see isFinal).
//
// ES2015 core: no classes extending Error, no enums; a plain object keeps XS and Espruino happy.

export const KIND_CONFIG = 1;
export const KIND_PERMANENT = 2;
export const KIND_RETRYABLE = 3;
export const KIND_NETWORK = 4;
export const KIND_MODEM = 5;
export const KIND_THROTTLED = 6;

export function kindName(kind: number): string {
  switch (kind) {
    case KIND_CONFIG: return "config";
    case KIND_PERMANENT: return "permanent";
    case KIND_RETRYABLE: return "retryable";
    case KIND_NETWORK: return "network";
    case KIND_MODEM: return "modem";
    case KIND_THROTTLED: return "throttled";
  }
  return "kind" + kind;
}

// Local codes (>= 1000, never clash with module codes).
export const E_FIELD_EMPTY = 1001; //       a required field is empty
export const E_FIELD_TOO_LONG = 1002; //    over the module's byte limit
export const E_UNSAFE_CHAR = 1003; //       '"', CR, LF, control or non-ASCII byte in an AT string
export const E_ADDRESS = 1004; //           e-mail address syntax
export const E_RECIPIENTS = 1005; //        none, or more than 20 in all
export const E_ATTACHMENTS = 1006; //       more than 10, duplicate or bad names, empty data
export const E_BODY_LENGTH = 1007; //       body not 1..10240 bytes
export const E_CHARSET = 1008; //           charset does not fit the text
export const E_SUBJECT = 1009; //           subject too long or contains control characters
export const E_CONFIG = 1010; //            a configuration value out of range
export const E_QUEUE_FULL = 1011; //        mailer queue is full
export const E_TIMEOUT = 1020; //           the module did not answer a command in time
export const E_AT_ERROR = 1021; //          plain ERROR (unknown command / bad parameter / SIM)
export const E_CANCELLED = 1022; //         the command was flushed (module reboot, close)
export const E_REJECTED = 1023; //          the AT engine refused the request (our bug)
export const E_NO_CARRIER = 1024;
export const E_SEND_TIMEOUT = 1025; //      no +QSMTPPUT result within put timeout + margin
export const E_CHECKSUM = 1026; //          QFUPL checksum mismatch after all re-uploads
export const E_BODY_SHORT = 1027; //        the module took fewer body bytes than sent
export const E_SIM = 1028; //               SIM not ready after its busy window
export const E_NOT_REGISTERED = 1029; //    not registered before the deadline (searching, not registered: stat 0, 2, 4)
export const E_PDP = 1030; //               PDP context could not be activated / verified
export const E_PDP_DEACT = 1031; //         +QIURC: "pdpdeact" during the job
export const E_REBOOTED = 1032; //          module rebooted too often during one job
export const E_REBOOT_SPACING = 1033; //    reboot needed, but the last one was < 10 min ago
export const E_NO_BOOT = 1034; //           module silent after reboot / power-up
export const E_CLOSED = 1035; //            the mailer was closed
export const E_SMTP = 1036; //              +QSMTPPUT: <err> outside the known table
export const E_POWERED_DOWN = 1037; //      the module said POWERED DOWN: only a power cycle (PWRKEY) brings it back
export const E_GARBLED = 1038; //           the module's echo of a command differs from what was sent (a byte lost or changed on the wire)
export const E_REG_DENIED = 1039; //        registration denied by the network (stat 3) until the deadline
export const E_SEND_FAIL = 1040; //         SEND FAIL: the module's socket send buffer was full, the payload not taken
export const E_STREAM_DAMAGED = 1041; //    a socket read's bytes, or whether a send left, were lost on the UART: the connection cannot go on
export const E_AT_BUSY = 1042; //           the AT engine had no room for one more waiting command (a build without the command queue holds one)
export const E_NO_ANSWER = 1043; //         the mailer told nothing of a send within an hour (a fault of the mail side): the outbox retries
// 1050-1059: cellmail's own SMTP client over the module's sockets (firmware/ext/smtp).
export const E_SMTP_REPLY = 1050; //        the server refused a step with a reply outside the 666-682 table (proto holds it)
export const E_SMTP_GARBLED = 1051; //      a server reply that is not SMTP (no 3-digit code, codes differ inside one reply)
export const E_STARTTLS_SOCKET = 1052; //   STARTTLS asked for on the socket transport (a module socket cannot upgrade)

export interface CellError {
  kind: number;
  code: number;
  /** Human-readable cause; never contains a secret. */
  cause: string;
  /** The job or configuration field at fault ("to[2]", "subject", "password"), or "". */
  field: string;
  /** SMTP protocol reply from +QSMTPPUT (e.g. 535), 0 when none. */
  proto: number;
}

export function cellError(kind: number, code: number, cause: string, field: string): CellError {
  return { kind: kind, code: code, cause: cause, field: field, proto: 0 };
}

/** True when retrying the same mail now cannot help. */
export function isFinal(kind: number): boolean {
  return kind === KIND_CONFIG || kind === KIND_PERMANENT || kind === KIND_THROTTLED;
}

/**
 * True when the same mail may succeed if submitted again later (for an outbox): everything
 * but configuration and permanent refusals. THROTTLED is "later", never "now".
 */
export function retryLater(kind: number): boolean {
  return kind !== KIND_CONFIG && kind !== KIND_PERMANENT;
}

/** One line for logs: "permanent 677/535: authentication failed". */
export function describeError(e: CellError): string {
  let s = kindName(e.kind) + " " + e.code;
  if (e.proto) s += "/" + e.proto;
  if (e.field) s += " [" + e.field + "]";
  return s + ": " + e.cause;
}
