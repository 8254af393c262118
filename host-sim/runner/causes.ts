// Names for why a job failed, as scenario files and the CLI's JSON speak them
// ("auth", "dns", "tls", ...), derived from the core's typed error code. A table, so
// the mapping is reviewable in one place.
import {
  E_NOT_REGISTERED, E_NO_BOOT, E_PDP, E_PDP_DEACT, E_POWERED_DOWN, E_REBOOTED, E_REBOOT_SPACING, E_SIM, E_TIMEOUT, KIND_NETWORK,
} from "../../firmware/errors.js";
import type { JobOutcome } from "./firmware.js";

const BY_CODE: Record<number, string> = {
  10: "sim-not-inserted",
  13: "sim-failure",
  [E_SIM]: "sim",
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
  if (o.code === E_NOT_REGISTERED) return o.cause.indexOf("denied") >= 0 ? "registration-denied" : "not-registered";
  const byProto = BY_PROTO[o.proto];
  if (byProto) return byProto;
  const byCode = BY_CODE[o.code];
  if (byCode) return byCode;
  if (o.kind === KIND_NETWORK) return "network";
  return o.code >= 666 && o.code <= 682 ? "smtp" : "other";
}
