// Names for why a job failed, as scenario files and the CLI's JSON speak them
// ("auth", "dns", "tls", ...), derived from the core's typed error code. A table, so
// the mapping is reviewable in one place.
import {
  E_NOT_REGISTERED, E_NO_BOOT, E_PDP, E_PDP_DEACT, E_POWERED_DOWN, E_REBOOTED, E_REBOOT_SPACING, E_REG_DENIED, E_SIM, E_STREAM_DAMAGED, E_TIMEOUT, KIND_NETWORK,
} from "../../firmware/errors.js";
import { describeCme, describeSmtpErr, describeSmtpProto, newCodeInfo } from "../../firmware/ext/causes/texts.js";
import type { JobOutcome } from "./firmware.js";

const BY_CODE: Record<number, string> = {
  10: "sim-not-inserted",
  11: "sim-locked",
  12: "sim-locked",
  13: "sim-failure",
  [E_SIM]: "sim",
  [E_NOT_REGISTERED]: "not-registered",
  [E_REG_DENIED]: "registration-denied",
  653: "dns",
  654: "network",
  656: "network",
  657: "network",
  [E_PDP]: "network",
  [E_PDP_DEACT]: "network",
  665: "tls",
  677: "auth",
  655: "auth",
  676: "rate-limited",
  [E_TIMEOUT]: "module-unresponsive",
  [E_NO_BOOT]: "module-unresponsive",
  [E_REBOOT_SPACING]: "module-unresponsive",
  [E_REBOOTED]: "module-unresponsive",
  [E_POWERED_DOWN]: "module-unresponsive",
  [E_STREAM_DAMAGED]: "uart",
};

const BY_PROTO: Record<number, string> = {
  535: "auth",
  530: "rate-limited",
  454: "rate-limited",
  421: "rate-limited",
  550: "mailbox",
  553: "mailbox",
};

/** The cause name of a failed job ("" when it was delivered). */
export function causeName(o: JobOutcome): string {
  if (o.delivered) return "";
  const byProto = BY_PROTO[o.proto];
  if (byProto) return byProto;
  // 566 on a socket open: a failed TLS handshake or certificate (kind config), or a refused TCP connection (network).
  if (o.code === 566) return o.kind === KIND_NETWORK ? "network" : "tls";
  const byCode = BY_CODE[o.code];
  if (byCode) return byCode;
  if (o.kind === KIND_NETWORK) return "network";
  return o.code >= 666 && o.code <= 682 ? "smtp" : "other";
}

// ---- cause texts from codes alone (the compact core reports codes, no texts)

/** Our local codes (firmware/errors.ts), as the full core words them. */
const LOCAL_CAUSE: Record<number, string> = {
  1001: "a required field is empty",
  1002: "a field is over the module's byte limit",
  1003: "a '\"', CR, LF, control or non-ASCII byte in an AT string",
  1004: "e-mail address syntax",
  1005: "no recipient, or more than 20 in all",
  1006: "attachments: more than 10, duplicate or bad names, empty data (the compact profile sends none)",
  1007: "body not 1..10240 bytes",
  1008: "charset does not fit the text",
  1009: "subject too long or contains control characters",
  1010: "a configuration value out of range",
  1011: "the mailer is busy (queue full)",
  1020: "the module did not answer a command in time",
  1021: "ERROR (unknown command, bad parameter or SIM)",
  1022: "the command was cancelled (module reboot or flush)",
  1023: "the AT engine refused the request",
  1024: "NO CARRIER",
  1025: "no +QSMTPPUT result within the put timeout",
  1026: "file upload checksum mismatch",
  1027: "the module took fewer body bytes than sent",
  1028: "SIM not ready after its busy window",
  1029: "not registered before the deadline",
  1030: "PDP context could not be activated",
  1031: "PDP context deactivated (+QIURC: \"pdpdeact\") during the mail",
  1032: "module rebooted during the mail",
  1033: "reboot needed, but the last one was less than 10 minutes ago",
  1034: "module silent after reboot or power-up",
  1035: "the mailer was closed",
  1036: "+QSMTPPUT error outside the known table",
  1037: "module powered down (POWERED DOWN): only a power cycle brings it back",
  1038: "the module received a command other than the one sent (its echo differs): a byte lost or changed on the wire",
  1039: "registration denied by the network (stat 3) before the deadline",
  1040: "SEND FAIL: the module's socket send buffer was full",
  1041: "a socket stream damaged on the UART (bytes of a read lost, or whether a send left unknown)",
  1042: "the AT engine had no room for one more waiting command",
  1043: "no word from the mailer about the send within an hour (a fault of the mail side)",
};

/**
 * A short cause text for a code and SMTP reply, from the host-side tables only: the
 * module's tables of firmware/modem/codes.ts for module codes (CME, SMTP <err> 651-682,
 * SMTP replies) and LOCAL_CAUSE for our own E_* codes. The compact profile reports codes
 * without texts (firmware/compact/types.ts); this is how the runner and the CLI show them.
 */
export function describeCode(code: number, proto: number): string {
  if (code === 0) return "";
  const info = newCodeInfo();
  let text = LOCAL_CAUSE[code] ?? "";
  if (!text && code >= 651 && code <= 682 && describeSmtpErr(code, info)) text = info.cause;
  if (!text && describeCme(code, info)) text = info.cause;
  if (!text) text = `error ${code}`;
  if (proto > 0 && describeSmtpProto(proto, info) && text.indexOf(String(proto)) < 0) text += `; server: ${info.cause}`;
  return text;
}
