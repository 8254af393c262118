// The one device configuration (firmware/config/device.ts): what `cellmail config` writes
// for every board and what the on-board validator (firmware/ext/validate) makes from a
// user's JSON are the same record, every core reads it, and a record this firmware did
// not write is refused. startApp takes a record, or a user's JSON only when the build
// carries the validator.
import { describe, expect, it } from "vitest";
import { DEVICE_FORMAT, deviceCheck, deviceError, type DeviceConfig } from "../../firmware/config/device.js";
import { CA_FILE, resolveConfig, type ResolvedConfig } from "../../firmware/modem/config.js";
import { loadDevice, toDevice } from "../../firmware/ext/validate/device.js";
import { startApp } from "../../firmware/targets/app.js";
import { E_CONFIG, E_STARTTLS_SOCKET } from "../../firmware/errors.js";
import { Mailer } from "../../firmware/mail/mailer.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { toCompact } from "../../host-sim/config/compact.js";
import { MemStore } from "../alarm/fakes.js";

const SECRET = "s3cr3t-Pa55";
const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

function user(): any {
  return {
    board: "pump-house",
    smtp: { provider: "tencent", user: "alarm@ex.com", password: SECRET },
    recipients: { to: ["ops@ex.com"] },
    alarm: { inputs: [{ key: "leak", pin: 4, activeLevel: 0 }] },
  };
}

/** The interface's keys in order: deviceCheck mixes them in the order the writer wrote them. */
const KEYS = [
  "format", "check", "board", "apn", "apnUser", "apnPassword", "apnAuth", "contextId", "server", "port", "sslType", "sslCtxId",
  "user", "password", "senderName", "senderEmail", "putTimeoutS", "to", "cc", "bcc", "inputs", "coalesceMs", "perHour", "idleMs",
  "heartbeatMs", "capacity", "maxAttempts", "sslVersion", "cipherSuite", "secLevel", "caPem", "sni", "transport",
];

describe("the device record", () => {
  it("the validator makes it with every default filled, in the interface's key order, format and check set", () => {
    const d = toDevice(user());
    expect(d.errors).toEqual([]);
    const c = d.config!;
    expect(Object.keys(c)).toEqual(KEYS);
    expect(c.format).toBe(DEVICE_FORMAT);
    expect(deviceError(c)).toBe(0);
    expect(c).toMatchObject({
      board: "pump-house", server: "smtp.qcloudmail.com", port: 465, sslType: 1, sslCtxId: 1, contextId: 1,
      senderEmail: "alarm@ex.com", putTimeoutS: 300, to: ["ops@ex.com"], cc: [], bcc: [], perHour: 10,
      coalesceMs: 600000, idleMs: 1800000, heartbeatMs: 0, capacity: 32, maxAttempts: 12,
      sslVersion: 4, cipherSuite: "0xFFFF", secLevel: 0, caPem: "", sni: true, transport: 0,
    });
    expect(c.inputs).toEqual([{ key: "leak", title: "leak", pin: 4, activeLevel: 0, debounceMs: 50, notifyClear: false, raiseAtStart: true }]);
  });

  it("the host writer for boards without a validator gives the same record", () => {
    expect(toCompact(user()).config).toEqual(toDevice(user()).config);
  });

  it("a verified server carries its CA as PEM text, and the driver, given the record as it is, gets it as the file it uploads", () => {
    const raw = user();
    raw.smtp = { provider: "generic", server: "mail.example.org", port: 465, user: "u", password: SECRET, ssl: { type: 1, verify: true, cacert: PEM } };
    raw.sender = { address: "alarm@example.org" };
    const c = loadDevice(raw);
    expect([c.secLevel, c.caPem]).toEqual([1, PEM]);
    const m = resolveConfig(c) as ResolvedConfig;
    expect(m.caCert!.name).toBe(CA_FILE);
    expect(m.caCert!.data.length).toBe(PEM.length);
    expect(m.secLevel).toBe(1);
    // Every setting of the record reaches the driver unchanged; the timing gets its defaults.
    for (const k of ["apn", "server", "port", "user", "password", "senderName", "senderEmail", "sslType", "sslCtxId", "sslVersion", "cipherSuite", "sni", "putTimeoutS"] as const) {
      expect(m[k], k).toBe(c[k]);
    }
    expect(m.putMarginMs).toBe(30000);
    // Without verification there is no CA to upload.
    expect((resolveConfig(loadDevice(user())) as ResolvedConfig).caCert).toBeNull();
  });

  it("survives storage as JSON; an edited, truncated, stale or foreign record is refused with E_CONFIG", () => {
    const c = loadDevice(user());
    const stored = JSON.parse(JSON.stringify(c)) as DeviceConfig;
    expect(deviceError(stored)).toBe(0);
    const edit = (f: (x: any) => void): unknown => {
      const x = JSON.parse(JSON.stringify(c));
      f(x);
      return x;
    };
    expect(deviceError(edit((x) => (x.to = ["thief@ex.org"])))).toBe(E_CONFIG);
    expect(deviceError(edit((x) => delete x.sni))).toBe(E_CONFIG);
    expect(deviceError(edit((x) => ((x.format = 1), (x.check = deviceCheck(x)))))).toBe(E_CONFIG); // the compact profile's old record
    expect(deviceError(user())).toBe(E_CONFIG);
    expect(deviceError(null)).toBe(E_CONFIG);
    expect(deviceError("{}")).toBe(E_CONFIG);
  });

  it("every problem of a user's JSON is reported by field, never with a secret", () => {
    const raw = user();
    raw.smtp.port = 70000;
    raw.recipients.to = ["not an address"];
    const d = toDevice(raw);
    expect(d.config).toBeNull();
    expect(d.errors.map((e) => e.field).sort()).toEqual(["recipients.to[0]", "smtp.port"]);
    expect(JSON.stringify(d.errors)).not.toContain(SECRET);
  });
});

describe("startApp: a record, or a user's JSON where the build carries the validator", () => {
  function board(config: unknown) {
    const logs: string[] = [];
    let closed = 0;
    return {
      logs,
      closed: () => closed,
      board: {
        platform: "test",
        uart: { attach() {}, write: (_d: Uint8Array, s: number, e: number) => e - s, close: () => void closed++ },
        clock: new VirtualClock(0),
        store: new MemStore(),
        openInput: undefined,
        log: (_l: number, m: string) => void logs.push(m),
        config,
      },
    };
  }

  it("starts on a record `cellmail config` wrote, with or without the validator", () => {
    for (const modules of [{}, { toDevice }]) {
      const b = board(JSON.parse(JSON.stringify(loadDevice(user()))));
      const app = startApp(b.board, modules);
      expect(app.cellmail, b.logs.join("\n")).not.toBeNull();
      app.stop();
    }
  });

  it("starts on a user's JSON with the validator; without it, refuses and says how to write the record", () => {
    const withValidator = board(user());
    const a = startApp(withValidator.board, { toDevice });
    expect(a.cellmail).not.toBeNull();
    a.stop();
    const without = board(user());
    const b = startApp(without.board, {});
    expect(b.cellmail).toBeNull();
    expect(without.logs.join("\n")).toMatch(/carries no validator: write the configuration with `cellmail config`/);
    b.stop();
    expect(without.closed()).toBe(1);
  });

  it("refuses an edited record and a bad user's JSON, naming the field", () => {
    const edited = JSON.parse(JSON.stringify(loadDevice(user())));
    edited.server = "evil.example.org";
    const e = board(edited);
    expect(startApp(e.board, { toDevice }).cellmail).toBeNull();
    expect(e.logs.join("\n")).toMatch(/not one this firmware wrote/);
    const raw = user();
    raw.smtp.port = 70000;
    const u = board(raw);
    expect(startApp(u.board, { toDevice }).cellmail).toBeNull();
    expect(u.logs.join("\n")).toMatch(/config smtp\.port: .*1\.\.65535[\s\S]*not started/);
  });
});

describe("smtp.transport in the record", () => {
  it("module (default), socket, auto; anything else refused by field", () => {
    expect(loadDevice(user()).transport).toBe(0);
    for (const [t, n] of [["module", 0], ["socket", 1], ["auto", 2]] as const) {
      const raw = user();
      raw.smtp.transport = t;
      expect(loadDevice(raw).transport).toBe(n);
    }
    const raw = user();
    raw.smtp.transport = "carrier-pigeon";
    expect(toDevice(raw).errors.map((e) => [e.field, e.cause])).toEqual([["smtp.transport", "smtp.transport: unknown transport \"carrier-pigeon\" (module, socket, auto)"]]);
  });

  it("STARTTLS cannot go over a module socket: socket and auto are refused with E_STARTTLS_SOCKET", () => {
    for (const t of ["socket", "auto"]) {
      const raw = user();
      raw.smtp = { provider: "generic", server: "mail.example.org", port: 587, user: "u@example.org", password: SECRET, ssl: { type: 2 }, transport: t };
      const e = toDevice(raw).errors;
      expect(e.map((x) => [x.field, x.code])).toEqual([["smtp.transport", E_STARTTLS_SOCKET]]);
    }
    const ok = user();
    ok.smtp = { provider: "generic", server: "mail.example.org", port: 587, user: "u@example.org", password: SECRET, ssl: { type: 2 }, transport: "module" };
    expect(toDevice(ok).errors).toEqual([]);
  });

  it("the espruino composition's writer refuses the socket transport (it does not carry it)", () => {
    const raw = user();
    raw.smtp.transport = "socket";
    expect(toCompact(raw).errors.map((e) => e.field)).toEqual(["smtp.transport"]);
  });

  it("a Mailer asked for the socket transport without one refuses at construction, by field", () => {
    const raw = user();
    raw.smtp.transport = "socket";
    const c = loadDevice(raw);
    let thrown: { field?: string; kind?: number } | null = null;
    try {
      new Mailer({ prefix: () => ({}) as never, send: () => true, room: () => 1, onUrc: () => {}, flush: () => {}, takeOpenLine: () => {}, consecutiveTimeouts: () => 0, stats: () => ({}) as never, close: () => {} }, new VirtualClock(0), c, { transport: c.transport });
    } catch (e) {
      thrown = e as { field?: string; kind?: number };
    }
    expect(thrown?.field).toBe("smtp.transport");
  });
});
