// The scenario format as schema tables (schema.ts): one table per object of
// docs/scenarios.md. validateScenario (scenario.ts) checks a parsed file against
// SCENARIO, so a field the docs do not name is an error with its path, and every number
// is checked for its type, range and, where a count or a byte index is meant, for being
// an integer. The firmware's configuration (`firmware.config`) is checked by the
// firmware's own validator (scenario.ts), not here.
import { any, anyOf, arr, bool, int, num, obj, oneOf, record, required, str, tagged, type Field, type Spec } from "./schema.js";
import { COMPOSITION_NAMES, MODULE_NAMES } from "../runner/compositions.js";

const ms = (): Spec => num(0, 1e10);
const count = (): Spec => int(1, 1e6);
const byteIndex = (): Spec => int(0, 1e9);
const smtpCode = (): Spec => int(0, 999);

const TIMING: Record<string, Field> = {
  bootMs: ms(), rebootSilenceMs: ms(), simBusyMs: ms(), urcGapMs: ms(), commandMs: ms(), perCommandMs: record(ms()),
  pdpActivateMs: ms(), pdpFailMs: ms(), pdpDeactivateMs: ms(), cgattMs: ms(), dataDoneMs: ms(), ackMs: ms(), smtpSendMs: ms(), powerDownMs: ms(),
  radioRttMs: ms(),
};

const MODULE = obj({
  profile: oneOf("typical", "worst"),
  timing: obj(TIMING),
  sim: oneOf("ready", "absent", "pin", "failure"),
  simPin: str(),
  registration: arr(obj({ afterMs: required(ms()), stat: required(int(0, 5)) })),
  rat: oneOf("lte", "gsm"),
  echo: bool(),
  cmee: int(0, 2),
  refuseCmee: bool(),
  urcPort: oneOf("usbat", "usbmodem", "uart1", "all"),
  baud: int(300, 4_000_000),
  operator: str(),
  networkTimeMs: num(0, 1e14),
  timeZoneQuarters: int(-48, 56),
  csq: arr(int(0, 99), 2, 2),
  ip: str({ nonEmpty: true }),
  iccid: str({ nonEmpty: true }),
  sslSendEcho: bool(),
  smtpSupported: bool(),
  bootGarbage: str(),
  bootUrcOrder: oneOf("sms-pb", "pb-sms"),
  maxLineLength: int(16, 65536),
});

const BYTE_FAULTS = obj({ lossRate: num(0, 1), corruptRate: num(0, 1), seed: int(0, 2 ** 32), dropAt: arr(byteIndex()), corruptAt: arr(byteIndex()) });

const LINK = obj({
  baud: int(300, 4_000_000),
  rxFifoBytes: int(1, 1 << 20),
  txBufferBytes: int(1, 1 << 20),
  chunking: tagged("mode", {
    byte: obj({}),
    fixed: obj({ size: required(int(1, 1 << 20)) }),
    random: obj({ max: required(int(1, 1 << 20)), seed: int(0, 2 ** 32) }),
    all: obj({}),
  }),
  readerLatencyMs: ms(),
  idleFlushMs: num(0.001, 1e6),
  toModule: BYTE_FAULTS,
  toFirmware: BYTE_FAULTS,
});

/** A refusal of the embedded SMTP server (host-sim/mailserver/server.ts `Refusal`). */
const REFUSAL = obj({
  stage: required(oneOf("connect", "auth", "mail", "rcpt", "data")),
  code: required(int(400, 599)),
  message: str(),
  times: count(),
  address: str({ nonEmpty: true }),
});

const SMTP = obj({
  server: obj({ auth: bool(), password: str(), refusals: arr(REFUSAL) }),
  outcomes: arr(
    anyOf('"deliver" or {err, protocolError}', oneOf("deliver"), obj({ err: required(smtpCode()), protocolError: smtpCode(), detail: str() })),
  ),
});

// ---- faults: a table per kind (host-sim/ec800/faults.ts `FaultSpec`)

const COMMAND_POINT: Record<string, Field> = {
  command: required(str()),
  form: oneOf("exec", "read", "write", "test"),
  match: str({ nonEmpty: true }),
  occurrence: count(),
  times: count(),
};
const URC_POINT: Record<string, Field> = { urc: required(str({ nonEmpty: true })), occurrence: count(), times: count() };
const KIND = { kind: any() };

/** Where a power cut of the board (and by default the module) strikes. */
const POWER_CUT_COMMON: Record<string, Field> = { ...KIND, offMs: ms(), keepModule: bool() };

const FAULT = tagged("kind", {
  reboot: tagged("at", {
    command: obj({ ...KIND, ...COMMAND_POINT, phase: oneOf("before", "after") }),
    bodyData: obj({ ...KIND, afterBytes: required(byteIndex()), occurrence: count(), times: count() }),
    sendWait: obj({ ...KIND, afterMs: required(ms()), occurrence: count(), times: count() }),
    time: obj({ ...KIND, atMs: required(ms()) }),
  }),
  powerDown: obj({ atMs: required(ms()) }),
  pdpActivationFails: obj({ times: required(count()), occurrence: count() }),
  pdpDeactDuringSend: obj({ afterMs: required(ms()), cid: int(1, 16), occurrence: count(), times: count() }),
  pdpDeact: obj({ atMs: required(ms()), cid: int(1, 16) }),
  commandError: obj({ ...COMMAND_POINT, code: int(0, 999), plain: bool() }),
  loseFinal: obj({ ...COMMAND_POINT, what: oneOf("final", "all") }),
  lateFinal: obj({ ...COMMAND_POINT, delayMs: required(ms()) }),
  interleaveUrc: obj({ ...COMMAND_POINT, text: required(str()), where: required(oneOf("afterEcho", "afterInfo", "beforeFinal")) }),
  duplicateUrc: obj({ ...URC_POINT, count: count() }),
  loseUrc: obj(URC_POINT),
  damageUrc: obj({ ...URC_POINT, byte: byteIndex(), lineEnd: oneOf("cr", "lf") }),
  lateUrc: obj({ ...URC_POINT, delayMs: required(ms()) }),
  splitUrc: obj({ ...URC_POINT, afterBytes: required(int(1, 1000)), gapMs: required(ms()) }),
  urc: obj({ atMs: required(ms()), text: required(str()), service: bool() }),
  readerStall: obj({ atMs: required(ms()), forMs: required(ms()) }),
  corruptUpload: obj({ byte: required(byteIndex()), occurrence: count(), times: count() }),
  echoOff: obj(COMMAND_POINT),
  powerCut: tagged("at", {
    command: obj({ ...POWER_CUT_COMMON, ...COMMAND_POINT }),
    bodyData: obj({ ...POWER_CUT_COMMON, afterBytes: required(byteIndex()), occurrence: count(), times: count() }),
    // The cores keep different Store layouts, so the N-th write may be given per composition.
    storeWrite: obj({ ...POWER_CUT_COMMON, write: required(anyOf("a write number, or one per composition", count(), record(count(), COMPOSITION_NAMES))) }),
    time: obj({ ...POWER_CUT_COMMON, atMs: required(ms()) }),
  }),
  // The module's sockets (host-sim/ec800/faults.ts `SocketFaultSpec`, docs/sockets.md).
  socketOpenFails: obj({ err: int(1, 999), occurrence: count(), times: count() }),
  dnsFails: obj({ occurrence: count(), times: count() }),
  peerClose: obj({ afterDataBytes: required(byteIndex()), occurrence: count(), times: count() }),
  slowServer: obj({ delayMs: required(ms()), occurrence: count(), times: count() }),
  sendFail: obj(COMMAND_POINT),
  damageRead: obj({ byte: byteIndex(), occurrence: count(), times: count() }),
});

// ---- the firmware's work (host-sim/runner/config.ts `RunnerFirmware`)

const ADDRESSES = arr(str());
const MAIL = obj({
  to: required(ADDRESSES),
  cc: ADDRESSES,
  bcc: ADDRESSES,
  subject: required(str()),
  body: required(str()),
  attachments: arr(obj({ name: required(str()), size: int(0, 1 << 24), text: str() })),
});
const ALARM = obj({ key: required(str()), title: required(str()), text: str() });
/** Raises over time: `count` raises of one alarm, `everyMs` apart, from `atMs`. */
const RAISES = obj({ atMs: required(ms()), key: required(str()), title: required(str()), text: str(), count: count(), everyMs: ms() });

const FIRMWARE = obj({
  config: record(any()),
  mail: MAIL,
  more: arr(MAIL),
  alarm: ALARM,
  raises: arr(RAISES),
});

// ---- expectations (host-sim/runner/expect.ts)

const EXPECTED_MAIL = obj({
  subject: str(),
  to: ADDRESSES,
  cc: ADDRESSES,
  bcc: ADDRESSES,
  rcptTo: ADDRESSES,
  attachments: arr(str()),
  content: oneOf("given"),
  minCount: int(0, 1e6),
  maxCount: int(0, 1e6),
});

const EXPECT_FIELDS: Record<string, Field> = {
  delivered: arr(EXPECTED_MAIL),
  failure: obj({ code: int(0, 1e6), protocolError: smtpCode(), cause: required(str({ nonEmpty: true })), retryable: bool() }),
  module: obj({ reboots: int(0, 1e6), maxRxOverflow: int(0, 1e9), maxPuts: int(0, 1e6) }),
  alarms: obj({ maxPerRecipientPerHour: int(1, 1e6), counts: record(int(0, 1e9)), failed: int(0, 1e6) }),
  notes: str(),
};

const EXPECT = obj(EXPECT_FIELDS, (e) => (e.delivered === undefined && e.failure === undefined && e.alarms === undefined ? [["", "needs `delivered`, `failure` or `alarms`"]] : []));

/**
 * The modules a scenario's firmware part uses, as the runner would give them to the core:
 * an attachment needs `attachments`, a verified server (`verify: true`, or a CA given)
 * needs `ca-upload`, the socket transport (`smtp.transport` "socket" or "auto") needs
 * `socket` and `smtp-client`. Each with the path that shows it.
 */
export function usedModules(s: Record<string, unknown>): { module: string; at: string }[] {
  const fw = (s.firmware ?? {}) as { mail?: unknown; more?: unknown; config?: unknown };
  const out: { module: string; at: string }[] = [];
  // A module registered on a GSM cell is found only by the full driver's fallback queries.
  if ((s.module as { rat?: unknown } | undefined)?.rat === "gsm") out.push({ module: "reg-fallback", at: "module.rat" });
  const mails: [unknown, string][] = [[fw.mail, "firmware.mail"]];
  if (Array.isArray(fw.more)) fw.more.forEach((m, i) => mails.push([m, `firmware.more[${i}]`]));
  for (const [m, at] of mails) {
    const a = (m as { attachments?: unknown } | undefined)?.attachments;
    if (Array.isArray(a) && a.length > 0 && !out.some((u) => u.module === "attachments")) out.push({ module: "attachments", at: `${at}.attachments` });
  }
  const ssl = ((fw.config as { smtp?: { ssl?: { verify?: unknown; cacert?: unknown } } } | undefined)?.smtp?.ssl ?? {}) as { verify?: unknown; cacert?: unknown };
  if (ssl.verify === true) out.push({ module: "ca-upload", at: "firmware.config.smtp.ssl.verify" });
  else if (ssl.cacert !== undefined) out.push({ module: "ca-upload", at: "firmware.config.smtp.ssl.cacert" });
  const transport = (fw.config as { smtp?: { transport?: unknown } } | undefined)?.smtp?.transport;
  if (transport === "socket" || transport === "auto") {
    out.push({ module: "socket", at: "firmware.config.smtp.transport" });
    out.push({ module: "smtp-client", at: "firmware.config.smtp.transport" });
  }
  return out;
}

export const SCENARIO = obj(
  {
    name: required(str({ nonEmpty: true })),
    description: str(),
    durationMs: ms(),
    module: MODULE,
    link: LINK,
    smtp: SMTP,
    faults: arr(FAULT),
    firmware: FIRMWARE,
    needs: arr(oneOf(...MODULE_NAMES)),
    expect: required(EXPECT),
  },
  // What the firmware part uses must be declared: a composition without the module refuses the scenario instead of failing it.
  (s) => {
    const needs = Array.isArray(s.needs) ? (s.needs as unknown[]) : [];
    const out = usedModules(s)
      .filter((u) => !needs.includes(u.module))
      .map((u): [string, string] => ["needs", `must list "${u.module}": the scenario uses it (${u.at})`]);
    // The profile fields of old files: say what replaced them (besides "unknown field").
    for (const k of ["profiles", "profilesNote", "expectByProfile"]) {
      if (s[k] !== undefined) out.push([k, "profiles are gone: a scenario lists the modules it needs (`needs`, docs/scenarios.md) and has one `expect` for every composition"]);
    }
    return out;
  },
);
