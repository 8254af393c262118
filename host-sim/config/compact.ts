// From the user's configuration to the device record (firmware/config/device.ts) for a
// board that carries no validator, on the host: `cellmail config --compact` / `--espruino`.
// The validator and the record are the ones every board uses (firmware/ext/validate
// toDevice), so a board without room for the validator (Espruino) only checks the
// record's `format` and `check`.
// What the compact profile cannot do is refused with a field error instead of being
// dropped: certificate verification (seclevel 1 needs the CA upload it leaves out).
// Host-only (it runs in `cellmail config`, the simulator and the tests, never on a board),
// so it lives in host-sim/, not firmware/.
import type { DeviceConfig } from "../../firmware/config/device.js";
import { toDevice } from "../../firmware/ext/validate/device.js";

/** One problem: the field's path ("smtp.ssl.verify") and why, never a secret. */
export interface CompactProblem {
  field: string;
  cause: string;
}

export interface CompactResult {
  config: DeviceConfig | null;
  errors: CompactProblem[];
}

type Obj = { [name: string]: unknown };

function objAt(o: unknown, name: string): Obj | null {
  if (o === null || typeof o !== "object" || o instanceof Array) return null;
  const v = (o as Obj)[name];
  return v !== null && typeof v === "object" && !(v instanceof Array) ? (v as Obj) : null;
}

/** What the compact profile cannot do, read from the raw input (so it is reported with the validator's problems). */
function compactLimits(raw: unknown): CompactProblem[] {
  const out: CompactProblem[] = [];
  const smtp = objAt(raw, "smtp");
  if (smtp !== null && smtp.transport !== undefined && smtp.transport !== "module") {
    out.push({
      field: "smtp.transport",
      cause: "smtp.transport: the espruino composition sends through the module's SMTP engine only (cellmail's own SMTP client does not fit its 16 KB); use \"module\", or the Moddable or Node composition for the socket transport",
    });
  }
  const ssl = objAt(smtp, "ssl");
  if (ssl === null) return out;
  if (ssl.verify === true) {
    out.push({
      field: "smtp.ssl.verify",
      cause: "smtp.ssl.verify: the compact profile (Espruino) cannot verify the server certificate (seclevel 1 needs a CA upload, which it leaves out); use the full profile (Moddable/Node) to verify the server, or set verify: false",
    });
  } else if (typeof ssl.cacert === "string" && ssl.cacert !== "") {
    out.push({
      field: "smtp.ssl.cacert",
      cause: "smtp.ssl.cacert: the compact profile (Espruino) does not upload a CA certificate; remove it (verify: false), or use the full profile (Moddable/Node) to verify the server",
    });
  }
  return out;
}

/**
 * Validate `raw` and make the device record (firmware/ext/validate toDevice) for a board
 * without the CA upload. Every problem is returned at once (the validator's and the
 * compact profile's limits); `config` is null when there is any.
 */
export function toCompact(raw: unknown): CompactResult {
  const d = toDevice(raw);
  const errors: CompactProblem[] = [];
  for (let i = 0; i < d.errors.length; i++) errors.push({ field: d.errors[i].field, cause: d.errors[i].cause });
  const limits = compactLimits(raw);
  for (let i = 0; i < limits.length; i++) errors.push(limits[i]);
  if (d.config === null || errors.length > 0) return { config: null, errors: errors };
  return { config: d.config, errors: [] };
}

/**
 * JSON text of a compact configuration with every non-ASCII character escaped as
 * \uXXXX, so the stored file is pure ASCII; JSON.parse gives the same strings back.
 */
export function compactJson(c: DeviceConfig): string {
  const s = JSON.stringify(c);
  let out = "";
  let from = 0;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 0x80) continue;
    const hex = "000" + ch.toString(16);
    out += s.substring(from, i) + "\\u" + hex.substring(hex.length - 4);
    from = i + 1;
  }
  return from === 0 ? s : out + s.substring(from);
}
