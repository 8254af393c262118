// Validation of the configuration at start-up. Every problem is reported, not just
// the first: each as a KIND_CONFIG CellError whose `field` is the path of the field
// ("smtp.port", "recipients.to[2]") and whose `cause` says why. Secrets never appear
// in a cause (only positions and lengths). Defaults and provider presets are filled
// into a new object; the input is not modified.
import type { CellError } from "../../errors.js";
import {
  cellError, E_ADDRESS, E_CONFIG, E_FIELD_EMPTY, E_FIELD_TOO_LONG, E_RECIPIENTS, E_STARTTLS_SOCKET, E_UNSAFE_CHAR, KIND_CONFIG,
} from "../../errors.js";
import { addressError } from "../../modem/address.js";
import { atSafe, AT_FIELD_MAX } from "../../modem/quote.js";
import {
  amazonHost, amazonSslTypeFor, isAmazonRegion, tencentHost, tencentRegionOfHost, TENCENT_MAILS_PER_HOUR,
  TENCENT_PORT, TENCENT_SSLTYPE,
} from "./presets.js";
import type { AlarmRulesConfig, CellmailConfig, InputConfig } from "./types.js";
import { PROVIDER_AMAZON, PROVIDER_GENERIC, PROVIDER_TENCENT } from "./types.js";

export const MAX_RECIPIENTS = 20;
export const MAX_INPUTS = 8;
export const CACERT_MAX = 8192;

/** validateConfig's answer: the completed configuration, or null with every problem. */
export interface ConfigResult {
  config: CellmailConfig | null;
  errors: CellError[];
}

/** What loadConfig throws: a KIND_CONFIG CellError carrying all the problems. */
export interface ConfigError extends CellError {
  errors: CellError[];
}

type Obj = { [name: string]: unknown };

class Checker {
  errors: CellError[];
  constructor() {
    this.errors = [];
  }

  fail(code: number, path: string, why: string): void {
    this.errors.push(cellError(KIND_CONFIG, code, path + ": " + why, path));
  }

  /** The object at `o[name]` ({} when absent and optional). */
  obj(o: Obj, name: string, path: string, required: boolean): Obj {
    const v = o[name];
    if (v === undefined && !required) return {};
    if (v === null || typeof v !== "object" || v instanceof Array) {
      this.fail(v === undefined ? E_FIELD_EMPTY : E_CONFIG, path, v === undefined ? "is required" : "must be an object");
      return {};
    }
    return v as Obj;
  }

  known(o: Obj, names: string[], path: string): void {
    for (const k in o) {
      if (Object.prototype.hasOwnProperty.call(o, k) && names.indexOf(k) < 0) {
        this.fail(E_CONFIG, join(path, k), "unknown field (expected one of: " + names.join(", ") + ")");
      }
    }
  }

  /** A string, or `dflt` when absent (undefined dflt = required). Type errors give "". */
  str(o: Obj, name: string, path: string, dflt: string | undefined): string {
    const v = o[name];
    if (v === undefined) {
      if (dflt === undefined) {
        this.fail(E_FIELD_EMPTY, path, "is required");
        return "";
      }
      return dflt;
    }
    if (typeof v !== "string") {
      this.fail(E_CONFIG, path, "must be a string");
      return "";
    }
    return v;
  }

  int(o: Obj, name: string, path: string, lo: number, hi: number, dflt: number | undefined): number {
    const v = o[name];
    if (v === undefined) {
      if (dflt === undefined) {
        this.fail(E_FIELD_EMPTY, path, "is required");
        return lo;
      }
      return dflt;
    }
    if (typeof v !== "number" || v !== Math.floor(v) || v < lo || v > hi) {
      this.fail(E_CONFIG, path, "must be an integer " + lo + ".." + hi + " (got " + show(v) + ")");
      return dflt === undefined ? lo : dflt;
    }
    return v;
  }

  bool(o: Obj, name: string, path: string, dflt: boolean): boolean {
    const v = o[name];
    if (v === undefined) return dflt;
    if (typeof v !== "boolean") {
      this.fail(E_CONFIG, path, "must be true or false");
      return dflt;
    }
    return v;
  }

  /** An array of strings (default [] when absent). */
  strings(o: Obj, name: string, path: string): string[] {
    const v = o[name];
    if (v === undefined) return [];
    if (!(v instanceof Array)) {
      this.fail(E_CONFIG, path, "must be a list of addresses");
      return [];
    }
    const out: string[] = [];
    for (let i = 0; i < v.length; i++) {
      if (typeof v[i] !== "string") this.fail(E_CONFIG, path + "[" + i + "]", "must be a string");
      else out.push(v[i]);
    }
    return out;
  }

  /** A string for an AT command: printable ASCII without '"', <= limit bytes. */
  at(value: string, path: string, allowEmpty: boolean): void {
    const e = atSafe(value, AT_FIELD_MAX, path, allowEmpty);
    if (e !== null) this.errors.push(cellError(KIND_CONFIG, e.code, path + ": " + stripField(e.cause, path), path));
  }

  address(value: string, path: string): void {
    const e = addressError(value, path);
    if (e !== null) this.errors.push(cellError(KIND_CONFIG, e.code, path + ": " + stripField(e.cause, path), path));
  }

  /** Free text (UTF-8 allowed): no control characters, 1..maxBytes bytes. */
  text(value: string, path: string, maxBytes: number): void {
    if (value.length === 0) {
      this.fail(E_FIELD_EMPTY, path, "is empty");
      return;
    }
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x20 || c === 0x7f) {
        this.fail(E_UNSAFE_CHAR, path, "contains a control character at position " + i);
        return;
      }
    }
    const n = utf8Bytes(value);
    if (n > maxBytes) this.fail(E_FIELD_TOO_LONG, path, "is " + n + " bytes, limit " + maxBytes);
  }
}

/** Validate and complete a configuration; never throws. */
export function validateConfig(raw: unknown): ConfigResult {
  const c = new Checker();
  if (raw === null || typeof raw !== "object" || raw instanceof Array) {
    c.fail(E_CONFIG, "(root)", "the configuration must be an object");
    return { config: null, errors: c.errors };
  }
  const root = raw as Obj;
  c.known(root, ["board", "smtp", "sender", "recipients", "network", "alarm"], "");

  const board = c.str(root, "board", "board", "cellmail");
  c.text(board, "board", AT_FIELD_MAX);

  // --- smtp -------------------------------------------------------------------
  const s = c.obj(root, "smtp", "smtp", true);
  c.known(s, ["provider", "region", "server", "port", "user", "password", "ssl", "transport"], "smtp");
  const provider = c.str(s, "provider", "smtp.provider", undefined);
  const givenServer = c.str(s, "server", "smtp.server", "");
  let region = c.str(s, "region", "smtp.region", "");
  let server = givenServer;
  let port = c.int(s, "port", "smtp.port", 1, 65535, provider === PROVIDER_GENERIC ? undefined : 465);
  const sslIn = c.obj(s, "ssl", "smtp.ssl", false);
  c.known(sslIn, ["type", "verify", "cacert", "context"], "smtp.ssl");
  const sslGiven = sslIn.type !== undefined;
  let sslType = c.int(sslIn, "type", "smtp.ssl.type", 0, 2, port === 465 ? 1 : 2);
  const verify = c.bool(sslIn, "verify", "smtp.ssl.verify", false);
  const cacert = c.str(sslIn, "cacert", "smtp.ssl.cacert", "");
  const sslContext = c.int(sslIn, "context", "smtp.ssl.context", 0, 5, 1);

  if (provider === PROVIDER_TENCENT) {
    if (region === "" && givenServer !== "") region = tencentRegionOfHost(givenServer);
    if (region === "") region = "hongkong";
    const host = tencentHost(region);
    if (host === "") {
      c.fail(E_CONFIG, "smtp.region", "unknown Tencent SES region " + show(region) + " (hongkong, guangzhou, international)");
    } else {
      region = tencentRegionOfHost(host);
      if (givenServer !== "" && givenServer.toLowerCase() !== host) {
        c.fail(E_CONFIG, "smtp.server", show(givenServer) + " is not the Tencent SES host of region " + region + " (" + host + ")");
      }
      server = host;
    }
    if (port !== TENCENT_PORT) c.fail(E_CONFIG, "smtp.port", "Tencent SES accepts SMTP on port 465 only (25 is disabled)");
    port = TENCENT_PORT;
    if (sslGiven && sslType !== TENCENT_SSLTYPE) c.fail(E_CONFIG, "smtp.ssl.type", "Tencent SES on port 465 needs ssltype 1 (implicit TLS)");
    sslType = TENCENT_SSLTYPE;
  } else if (provider === PROVIDER_AMAZON) {
    if (!isAmazonRegion(region)) {
      c.fail(region === "" ? E_FIELD_EMPTY : E_CONFIG, "smtp.region", region === "" ? "is required for Amazon SES (e.g. eu-west-1)" : show(region) + " is not an AWS region name (e.g. eu-west-1)");
    } else {
      const host = amazonHost(region);
      if (givenServer !== "" && givenServer.toLowerCase() !== host) {
        c.fail(E_CONFIG, "smtp.server", show(givenServer) + " is not the Amazon SES host of region " + region + " (" + host + ")");
      }
      server = host;
    }
    const need = amazonSslTypeFor(port);
    if (need < 0) c.fail(E_CONFIG, "smtp.port", "Amazon SES listens on 465, 2465 (TLS) or 587, 2587, 25 (STARTTLS), not " + port);
    else if (sslGiven && sslType !== need) c.fail(E_CONFIG, "smtp.ssl.type", "Amazon SES on port " + port + " needs ssltype " + need + " (TLS is required)");
    if (need > 0) sslType = need;
  } else if (provider === PROVIDER_GENERIC) {
    if (region !== "") c.fail(E_CONFIG, "smtp.region", "only Tencent and Amazon SES have regions");
    if (givenServer === "") c.fail(E_FIELD_EMPTY, "smtp.server", "is required for a generic provider");
    else hostCheck(c, givenServer, "smtp.server");
  } else if (provider !== "") {
    c.fail(E_CONFIG, "smtp.provider", "unknown provider " + show(provider) + " (tencent, amazon, generic)");
  }
  if (sslType === 0 && verify) c.fail(E_CONFIG, "smtp.ssl.verify", "certificate verification needs SSL (ssl.type 1 or 2)");
  const transport = c.str(s, "transport", "smtp.transport", "module");
  if (transport !== "module" && transport !== "socket" && transport !== "auto") {
    c.fail(E_CONFIG, "smtp.transport", "unknown transport " + show(transport) + " (module, socket, auto)");
  } else if (transport !== "module" && sslType === 2) {
    // A module socket is TLS from its first byte (AT+QSSLOPEN) or never: it cannot upgrade.
    c.fail(E_STARTTLS_SOCKET, "smtp.transport", "STARTTLS (ssl.type 2) cannot be done on a module socket" + (transport === "auto" ? ", and auto falls back to the socket when the module has no SMTP engine" : "") + ": use implicit TLS (ssl.type 1, port 465) or transport \"module\"");
  }
  if (verify && cacert === "") c.fail(E_FIELD_EMPTY, "smtp.ssl.cacert", "is required when ssl.verify is true (PEM text of the CA)");
  if (cacert !== "") {
    if (cacert.indexOf("-----BEGIN CERTIFICATE-----") < 0) c.fail(E_CONFIG, "smtp.ssl.cacert", "is not a PEM certificate (no BEGIN CERTIFICATE line)");
    else if (cacert.length > CACERT_MAX) c.fail(E_FIELD_TOO_LONG, "smtp.ssl.cacert", "is " + cacert.length + " bytes, limit " + CACERT_MAX);
  }
  const user = c.str(s, "user", "smtp.user", undefined);
  if (typeof s.user === "string") c.at(user, "smtp.user", false);
  const password = c.str(s, "password", "smtp.password", undefined);
  if (typeof s.password === "string") c.at(password, "smtp.password", false);

  // --- sender -------------------------------------------------------------------
  const se = c.obj(root, "sender", "sender", false);
  c.known(se, ["name", "address"], "sender");
  const userIsAddress = user !== "" && addressError(user, "smtp.user") === null;
  const senderAddress = c.str(se, "address", "sender.address", userIsAddress ? user : undefined);
  if (typeof se.address === "string" || userIsAddress) c.address(senderAddress, "sender.address");
  const defaultName = atSafe(board, AT_FIELD_MAX, "board", false) === null ? board : "cellmail";
  const senderName = c.str(se, "name", "sender.name", defaultName);
  c.at(senderName, "sender.name", false);

  // --- recipients ---------------------------------------------------------------
  const rc = c.obj(root, "recipients", "recipients", true);
  c.known(rc, ["to", "cc", "bcc"], "recipients");
  const to = c.strings(rc, "to", "recipients.to");
  const cc = c.strings(rc, "cc", "recipients.cc");
  const bcc = c.strings(rc, "bcc", "recipients.bcc");
  if (to.length === 0) c.fail(E_RECIPIENTS, "recipients.to", "needs at least one address");
  const total = to.length + cc.length + bcc.length;
  if (total > MAX_RECIPIENTS) c.fail(E_RECIPIENTS, "recipients", total + " addresses, at most " + MAX_RECIPIENTS + " in to + cc + bcc");
  if (provider === PROVIDER_TENCENT) {
    if (cc.length > 0) c.fail(E_RECIPIENTS, "recipients.cc", "Tencent SES does not support Cc; put the addresses in recipients.to");
    if (bcc.length > 0) c.fail(E_RECIPIENTS, "recipients.bcc", "Tencent SES does not support Bcc; put the addresses in recipients.to");
  }
  const seen: string[] = [];
  addresses(c, to, "recipients.to", seen);
  addresses(c, cc, "recipients.cc", seen);
  addresses(c, bcc, "recipients.bcc", seen);

  // --- network -----------------------------------------------------------------
  const nw = c.obj(root, "network", "network", false);
  c.known(nw, ["apn", "user", "password", "auth", "context"], "network");
  const apn = c.str(nw, "apn", "network.apn", "");
  c.at(apn, "network.apn", true);
  const apnUser = c.str(nw, "user", "network.user", "");
  c.at(apnUser, "network.user", true);
  const apnPassword = c.str(nw, "password", "network.password", "");
  c.at(apnPassword, "network.password", true);
  const auth = c.int(nw, "auth", "network.auth", 0, 3, apnUser !== "" ? 3 : 0);
  const context = c.int(nw, "context", "network.context", 1, 16, 1);

  // --- alarm rules ---------------------------------------------------------------
  const alarm = alarmRules(c, c.obj(root, "alarm", "alarm", false), provider);

  if (c.errors.length > 0) return { config: null, errors: c.errors };
  return {
    config: {
      board: board,
      smtp: {
        provider: provider, region: region, server: server, port: port, user: user, password: password,
        ssl: { type: sslType, verify: verify, cacert: cacert, context: sslContext },
        transport: transport,
      },
      sender: { name: senderName, address: senderAddress },
      recipients: { to: to, cc: cc, bcc: bcc },
      network: { apn: apn, user: apnUser, password: apnPassword, auth: auth, context: context },
      alarm: alarm,
    },
    errors: [],
  };
}

/** validateConfig, throwing a ConfigError (KIND_CONFIG, all problems in `errors`) when invalid. */
export function loadConfig(raw: unknown): CellmailConfig {
  const r = validateConfig(raw);
  if (r.config !== null) return r.config;
  const causes: string[] = [];
  for (const e of r.errors) causes.push(e.cause);
  const err: ConfigError = {
    kind: KIND_CONFIG, code: r.errors[0].code, cause: "invalid configuration: " + causes.join("; "),
    field: r.errors[0].field, proto: 0, errors: r.errors,
  };
  throw err;
}

function alarmRules(c: Checker, a: Obj, provider: string): AlarmRulesConfig {
  c.known(a, ["inputs", "debounceMs", "coalesceSeconds", "perRecipientPerHour", "heartbeatHours", "idleMinutes", "outboxSize", "maxAttempts"], "alarm");
  const debounceMs = c.int(a, "debounceMs", "alarm.debounceMs", 0, 60000, 50);
  const rules: AlarmRulesConfig = {
    inputs: [],
    debounceMs: debounceMs,
    coalesceSeconds: c.int(a, "coalesceSeconds", "alarm.coalesceSeconds", 0, 86400, 600),
    perRecipientPerHour: c.int(a, "perRecipientPerHour", "alarm.perRecipientPerHour", 1, 1000, 10),
    heartbeatHours: c.int(a, "heartbeatHours", "alarm.heartbeatHours", 0, 720, 0),
    idleMinutes: c.int(a, "idleMinutes", "alarm.idleMinutes", 1, 1440, 30),
    outboxSize: c.int(a, "outboxSize", "alarm.outboxSize", 4, 64, 32),
    maxAttempts: c.int(a, "maxAttempts", "alarm.maxAttempts", 1, 100, 12),
  };
  if (provider === PROVIDER_TENCENT && rules.perRecipientPerHour > TENCENT_MAILS_PER_HOUR) {
    c.fail(E_CONFIG, "alarm.perRecipientPerHour", "Tencent SES allows at most " + TENCENT_MAILS_PER_HOUR + " mails per hour to one recipient");
  }
  const list = a.inputs;
  if (list === undefined) return rules;
  if (!(list instanceof Array)) {
    c.fail(E_CONFIG, "alarm.inputs", "must be a list");
    return rules;
  }
  if (list.length > MAX_INPUTS) c.fail(E_CONFIG, "alarm.inputs", list.length + " inputs, at most " + MAX_INPUTS);
  const keys: string[] = [];
  const pins: number[] = [];
  for (let i = 0; i < list.length && i < MAX_INPUTS; i++) {
    const p = "alarm.inputs[" + i + "]";
    const v = list[i];
    if (v === null || typeof v !== "object" || v instanceof Array) {
      c.fail(E_CONFIG, p, "must be an object");
      continue;
    }
    const o = v as Obj;
    c.known(o, ["key", "title", "pin", "activeLevel", "debounceMs", "notifyClear", "raiseAtStart"], p);
    const key = c.str(o, "key", p + ".key", undefined);
    if (typeof o.key === "string") keyCheck(c, key, p + ".key");
    if (key !== "" && keys.indexOf(key) >= 0) c.fail(E_CONFIG, p + ".key", "duplicate key " + show(key));
    keys.push(key);
    const title = c.str(o, "title", p + ".title", key === "" ? "alarm" : key);
    c.text(title, p + ".title", 64);
    const pin = c.int(o, "pin", p + ".pin", 0, 255, undefined);
    if (typeof o.pin === "number" && pins.indexOf(pin) >= 0) c.fail(E_CONFIG, p + ".pin", "pin " + pin + " is used by another input");
    pins.push(pin);
    const input: InputConfig = {
      key: key, title: title, pin: pin,
      activeLevel: c.int(o, "activeLevel", p + ".activeLevel", 0, 1, 1),
      debounceMs: c.int(o, "debounceMs", p + ".debounceMs", 0, 60000, debounceMs),
      notifyClear: c.bool(o, "notifyClear", p + ".notifyClear", false),
      raiseAtStart: c.bool(o, "raiseAtStart", p + ".raiseAtStart", true),
    };
    rules.inputs.push(input);
  }
  return rules;
}

function addresses(c: Checker, list: string[], path: string, seen: string[]): void {
  for (let i = 0; i < list.length; i++) {
    const p = path + "[" + i + "]";
    c.address(list[i], p);
    const low = list[i].toLowerCase();
    if (seen.indexOf(low) >= 0) c.fail(E_ADDRESS, p, "duplicate address " + show(list[i]));
    seen.push(low);
  }
}

function keyCheck(c: Checker, key: string, path: string): void {
  if (key.length === 0) {
    c.fail(E_FIELD_EMPTY, path, "is empty");
    return;
  }
  if (key.length > 32) c.fail(E_FIELD_TOO_LONG, path, "is " + key.length + " characters, limit 32");
  for (let i = 0; i < key.length; i++) {
    const ch = key.charCodeAt(i);
    if (ch <= 0x20 || ch > 0x7e || ch === 0x2f || ch === 0x7e) {
      c.fail(E_UNSAFE_CHAR, path, "may contain printable ASCII except space, '/' and '~' (position " + i + ")");
      return;
    }
  }
}

function hostCheck(c: Checker, host: string, path: string): void {
  const before = c.errors.length;
  c.at(host, path, false);
  if (c.errors.length > before) return;
  for (let i = 0; i < host.length; i++) {
    const ch = host.charCodeAt(i);
    const ok = (ch >= 48 && ch <= 57) || (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122) || ch === 45 || ch === 46;
    if (!ok) {
      c.fail(E_CONFIG, path, "is not a host name (character " + show(host.charAt(i)) + " at position " + i + ")");
      return;
    }
  }
  if (host.charAt(0) === "." || host.charAt(host.length - 1) === "." || host.indexOf("..") >= 0) {
    c.fail(E_CONFIG, path, "is not a host name (misplaced '.')");
  }
}

function join(path: string, name: string): string {
  return path === "" ? name : path + "." + name;
}

/** atSafe/addressError causes start with the field name; we prefix "path: " ourselves. */
function stripField(cause: string, path: string): string {
  return cause.indexOf(path + " ") === 0 ? cause.substring(path.length + 1) : cause;
}

function show(v: unknown): string {
  if (typeof v === "string") return '"' + (v.length > 40 ? v.substring(0, 40) + "..." : v) + '"';
  if (typeof v === "number" || typeof v === "boolean") return "" + v;
  if (v === null) return "null";
  return v instanceof Array ? "a list" : typeof v;
}

function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 0x80) n += 1;
    else if (ch < 0x800) n += 2;
    else if (ch >= 0xd800 && ch <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
