// From the user's configuration to the device record (firmware/config/device.ts): the
// validator's problems, then the modem defaults (modem/config.ts resolveConfig) and the
// alarm rules flattened into the one shape every board reads, with `format` and `check`
// filled. The host runs it in `cellmail config` for every target; Moddable and Node also
// carry it on the board (the targets hand it to startApp), so a user's JSON works there
// as it is.
import type { CellError } from "../../errors.js";
import { resolveConfig, type ResolvedConfig } from "../../modem/config.js";
import { DEVICE_FORMAT, deviceCheck, TRANSPORT_AUTO, TRANSPORT_MODULE, TRANSPORT_SOCKET, type DeviceConfig, type DeviceInput } from "../../config/device.js";
import { loadConfig, validateConfig } from "./validate.js";
import type { CellmailConfig } from "./types.js";

export interface DeviceResult {
  /** The record, or null when there is any problem. */
  config: DeviceConfig | null;
  /** Every problem at once, each with the field's path ("smtp.port") and why, never a secret. */
  errors: CellError[];
}

function isCellError(r: ResolvedConfig | DeviceConfig | CellError): r is CellError {
  return (r as CellError).kind !== undefined && (r as CellError).cause !== undefined;
}

/** The record for a validated configuration, or the modem layer's refusal of a value. */
export function deviceFrom(c: CellmailConfig): DeviceConfig | CellError {
  const ssl = c.smtp.ssl;
  const m = resolveConfig({
    apn: c.network.apn,
    apnUser: c.network.user,
    apnPassword: c.network.password,
    apnAuth: c.network.auth,
    contextId: c.network.context,
    server: c.smtp.server,
    port: c.smtp.port,
    user: c.smtp.user,
    password: c.smtp.password,
    senderName: c.sender.name,
    senderEmail: c.sender.address,
    sslType: ssl.type,
    sslCtxId: ssl.context,
    secLevel: ssl.verify ? 1 : 0,
    caPem: ssl.verify ? ssl.cacert : "",
  });
  if (isCellError(m)) return m;
  const inputs: DeviceInput[] = [];
  for (let i = 0; i < c.alarm.inputs.length; i++) {
    const r = c.alarm.inputs[i];
    inputs.push({
      key: r.key, title: r.title, pin: r.pin, activeLevel: r.activeLevel, debounceMs: r.debounceMs,
      notifyClear: r.notifyClear, raiseAtStart: r.raiseAtStart,
    });
  }
  // Exactly the order of the DeviceConfig interface: deviceCheck mixes keys in order.
  const out: DeviceConfig = {
    format: DEVICE_FORMAT,
    check: 0,
    board: c.board,
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
    to: c.recipients.to.slice(0),
    cc: c.recipients.cc.slice(0),
    bcc: c.recipients.bcc.slice(0),
    inputs: inputs,
    coalesceMs: c.alarm.coalesceSeconds * 1000,
    perHour: c.alarm.perRecipientPerHour,
    idleMs: c.alarm.idleMinutes * 60000,
    heartbeatMs: c.alarm.heartbeatHours * 3600000,
    capacity: c.alarm.outboxSize,
    maxAttempts: c.alarm.maxAttempts,
    sslVersion: m.sslVersion,
    cipherSuite: m.cipherSuite,
    secLevel: m.secLevel,
    caPem: m.caPem,
    sni: m.sni,
    transport: c.smtp.transport === "socket" ? TRANSPORT_SOCKET : c.smtp.transport === "auto" ? TRANSPORT_AUTO : TRANSPORT_MODULE,
  };
  out.check = deviceCheck(out);
  return out;
}

/** Validate `raw` and make its record; every problem is returned at once. */
export function toDevice(raw: unknown): DeviceResult {
  const v = validateConfig(raw);
  if (v.config === null) return { config: null, errors: v.errors };
  const d = deviceFrom(v.config);
  if (isCellError(d)) return { config: null, errors: [d] };
  return { config: d, errors: [] };
}

/** toDevice for code that stops on a bad configuration: throws loadConfig's ConfigError (every problem) or the modem layer's CellError. */
export function loadDevice(raw: unknown): DeviceConfig {
  const d = deviceFrom(loadConfig(raw));
  if (isCellError(d)) throw d;
  return d;
}
