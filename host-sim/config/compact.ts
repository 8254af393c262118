// From the user's configuration to the compact profile's (firmware/compact/config.ts), on
// the host: `cellmail config --compact` / `--espruino`. The full validator runs here
// (validateConfig), the same mappings as the full profile resolve it (modemConfigFrom,
// resolveConfig for the modem defaults, alarmSettings and inputRules for the alarm
// layer), and the result is flattened into CompactConfig with `format` and `check`
// filled, so a board without room for the validator (Espruino) only checks those two.
// What the compact profile cannot do is refused with a field error instead of being
// dropped: certificate verification (seclevel 1 needs the CA upload it leaves out).
// Host-only (it runs in `cellmail config`, the simulator and the tests, never on a board),
// so it lives in host-sim/, not firmware/.
import type { CompactConfig, CompactInput } from "../../firmware/compact/config.js";
import { COMPACT_FORMAT, compactCheck } from "../../firmware/compact/config.js";
import { modemConfigFrom } from "../../firmware/app/modem-config.js";
import { resolveConfig } from "../../firmware/modem/config.js";
import type { ResolvedConfig } from "../../firmware/modem/config.js";
import type { CellError } from "../../firmware/errors.js";
import { alarmSettings, inputRules } from "../../firmware/app/alarm-options.js";
import { validateConfig } from "../../firmware/config/validate.js";

/** One problem: the field's path ("smtp.ssl.verify") and why, never a secret. */
export interface CompactProblem {
  field: string;
  cause: string;
}

export interface CompactResult {
  config: CompactConfig | null;
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
  const ssl = objAt(objAt(raw, "smtp"), "ssl");
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

function isCellError(r: ResolvedConfig | CellError): r is CellError {
  return (r as CellError).kind !== undefined && (r as CellError).cause !== undefined;
}

/**
 * Validate `raw` with the full validator and flatten it for the compact profile.
 * Every problem is returned at once (the validator's and the compact profile's limits);
 * `config` is null when there is any.
 */
export function toCompact(raw: unknown): CompactResult {
  const v = validateConfig(raw);
  const errors: CompactProblem[] = [];
  for (let i = 0; i < v.errors.length; i++) errors.push({ field: v.errors[i].field, cause: v.errors[i].cause });
  const limits = compactLimits(raw);
  for (let i = 0; i < limits.length; i++) errors.push(limits[i]);
  if (v.config === null || errors.length > 0) return { config: null, errors: errors };

  const c = v.config;
  const m = resolveConfig(modemConfigFrom(c));
  if (isCellError(m)) return { config: null, errors: [{ field: m.field, cause: m.cause }] };
  const a = alarmSettings(c);
  const rules = inputRules(c);
  const inputs: CompactInput[] = [];
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i].rule;
    inputs.push({
      key: r.key,
      title: r.title,
      pin: rules[i].pin,
      activeLevel: r.activeLevel,
      debounceMs: r.debounceMs,
      notifyClear: r.notifyClear,
      raiseAtStart: r.raiseAtStart,
    });
  }
  // Exactly the order of the CompactConfig interface: compactCheck mixes keys in order.
  const out: CompactConfig = {
    format: COMPACT_FORMAT,
    check: 0,
    board: a.board,
    apn: m.apn,
    apnUser: m.apnUser,
    apnPassword: m.apnPassword,
    apnAuth: m.apnAuth,
    contextId: m.contextId,
    server: m.server,
    port: m.port,
    sslType: m.sslType,
    sslCtxId: m.sslCtxId,
    user: m.user,
    password: m.password,
    senderName: m.senderName,
    senderEmail: m.senderEmail,
    putTimeoutS: m.putTimeoutS,
    to: a.to,
    cc: a.cc,
    bcc: a.bcc,
    inputs: inputs,
    coalesceMs: a.coalesceMs,
    perHour: a.perRecipientPerHour,
    idleMs: a.idleMs,
    heartbeatMs: a.heartbeatMs,
    capacity: a.capacity,
    maxAttempts: a.maxAttempts,
  };
  out.check = compactCheck(out);
  return { config: out, errors: [] };
}

/**
 * JSON text of a compact configuration with every non-ASCII character escaped as
 * \uXXXX, so the stored file is pure ASCII; JSON.parse gives the same strings back.
 */
export function compactJson(c: CompactConfig): string {
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
