// toCompact / compactJson (host-sim/config/compact.ts): the host validates the full
// configuration and flattens it for the compact profile (Espruino). Field by field for a
// Tencent preset and a generic server, defaults filled, `check` filled so the board's
// deviceError() accepts it and a hand edit is caught, what the compact profile cannot do
// refused with a field path, the validator's own problems passed through, and non-ASCII
// text stored as pure ASCII that JSON.parse restores.
import { describe, expect, it } from "vitest";
import { compactJson, toCompact } from "../../host-sim/config/compact.js";
import { DEVICE_FORMAT, deviceCheck, deviceError, type DeviceConfig } from "../../firmware/config/device.js";
import { E_CONFIG } from "../../firmware/errors.js";

const SECRET = "s3cr3t-Pa55";
const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

function tencent(): any {
  return {
    board: "pump-house-3",
    smtp: { provider: "tencent", region: "guangzhou", user: "alarm@example.com", password: SECRET },
    recipients: { to: ["ops@example.com", "boss@example.com"] },
    network: { apn: "cmnet" },
    alarm: { inputs: [{ key: "leak", title: "Water leak", pin: 0, activeLevel: 0 }] },
  };
}

function generic(): any {
  return {
    board: "gate",
    smtp: { provider: "generic", server: "mail.example.org", port: 587, user: "AKIA123", password: SECRET, ssl: { context: 3 } },
    sender: { name: "Gate house", address: "gate@example.org" },
    recipients: { to: ["a@example.org"], cc: ["b@example.org"], bcc: ["c@example.org"] },
    network: { apn: "internet.v6", user: "web", password: "apn-Pw", context: 2 },
    alarm: {
      debounceMs: 20, coalesceSeconds: 120, perRecipientPerHour: 50, heartbeatHours: 24, idleMinutes: 5, outboxSize: 16, maxAttempts: 3,
      inputs: [
        { key: "door", title: "Door open", pin: 12, notifyClear: true },
        { key: "fire", pin: 13, activeLevel: 0, debounceMs: 0, raiseAtStart: false },
      ],
    },
  };
}

const FIELD_ORDER = [
  "format", "check", "board", "apn", "apnUser", "apnPassword", "apnAuth", "contextId", "server", "port", "sslType", "sslCtxId", "user",
  "password", "senderName", "senderEmail", "putTimeoutS", "to", "cc", "bcc", "inputs", "coalesceMs", "perHour", "idleMs", "heartbeatMs",
  "capacity", "maxAttempts", "sslVersion", "cipherSuite", "secLevel", "caPem", "sni", "transport",
];

function compactOf(raw: unknown): DeviceConfig {
  const r = toCompact(raw);
  expect(r.errors).toEqual([]);
  expect(r.config).not.toBeNull();
  return r.config!;
}

describe("toCompact: the full configuration, validated and flattened", () => {
  it("Tencent preset: server, port, ssltype and every default filled, in the interface's order", () => {
    const c = compactOf(tencent());
    expect(Object.keys(c)).toEqual(FIELD_ORDER);
    expect(c).toEqual({
      format: DEVICE_FORMAT,
      check: deviceCheck(c),
      board: "pump-house-3",
      apn: "cmnet", apnUser: "", apnPassword: "", apnAuth: 0, contextId: 1,
      server: "gz-smtp.qcloudmail.com", port: 465, sslType: 1, sslCtxId: 1,
      user: "alarm@example.com", password: SECRET,
      senderName: "pump-house-3", senderEmail: "alarm@example.com",
      putTimeoutS: 300,
      to: ["ops@example.com", "boss@example.com"], cc: [], bcc: [],
      inputs: [{ key: "leak", title: "Water leak", pin: 0, activeLevel: 0, debounceMs: 50, notifyClear: false, raiseAtStart: true }],
      coalesceMs: 600000, perHour: 10, idleMs: 1800000, heartbeatMs: 0, capacity: 32, maxAttempts: 12,
      sslVersion: 4, cipherSuite: "0xFFFF", secLevel: 0, caPem: "", sni: true, transport: 0,
    });
    expect(Object.keys(c.inputs[0])).toEqual(["key", "title", "pin", "activeLevel", "debounceMs", "notifyClear", "raiseAtStart"]);
    expect(deviceError(c)).toBe(0);
  });

  it("generic server: every given value carried, units converted", () => {
    const c = compactOf(generic());
    expect(Object.keys(c)).toEqual(FIELD_ORDER);
    expect(c).toEqual({
      format: DEVICE_FORMAT,
      check: deviceCheck(c),
      board: "gate",
      apn: "internet.v6", apnUser: "web", apnPassword: "apn-Pw", apnAuth: 3, contextId: 2,
      server: "mail.example.org", port: 587, sslType: 2, sslCtxId: 3,
      user: "AKIA123", password: SECRET,
      senderName: "Gate house", senderEmail: "gate@example.org",
      putTimeoutS: 300,
      to: ["a@example.org"], cc: ["b@example.org"], bcc: ["c@example.org"],
      inputs: [
        { key: "door", title: "Door open", pin: 12, activeLevel: 1, debounceMs: 20, notifyClear: true, raiseAtStart: true },
        { key: "fire", title: "fire", pin: 13, activeLevel: 0, debounceMs: 0, notifyClear: false, raiseAtStart: false },
      ],
      coalesceMs: 120000, perHour: 50, idleMs: 300000, heartbeatMs: 86400000, capacity: 16, maxAttempts: 3,
      sslVersion: 4, cipherSuite: "0xFFFF", secLevel: 0, caPem: "", sni: true, transport: 0,
    });
    expect(deviceError(c)).toBe(0);
  });

  it("the check catches a hand edit, a truncation and a stale format", () => {
    const c = compactOf(tencent());
    expect(deviceError(JSON.parse(compactJson(c)))).toBe(0);
    const edited = JSON.parse(compactJson(c));
    edited.to.push("someone@example.com");
    expect(deviceError(edited)).toBe(E_CONFIG);
    const port = JSON.parse(compactJson(c));
    port.port = 25;
    expect(deviceError(port)).toBe(E_CONFIG);
    const cut = JSON.parse(compactJson(c));
    delete cut.maxAttempts;
    expect(deviceError(cut)).toBe(E_CONFIG);
    expect(deviceError({ ...c, format: DEVICE_FORMAT + 1 })).toBe(E_CONFIG);
    expect(deviceError(null)).toBe(E_CONFIG);
  });

  it("refuses certificate verification with its field path (the compact profile has no CA upload)", () => {
    const raw = generic();
    raw.smtp.ssl = { type: 2, verify: true, cacert: CA };
    const r = toCompact(raw);
    expect(r.config).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].field).toBe("smtp.ssl.verify");
    expect(r.errors[0].cause).toMatch(/^smtp\.ssl\.verify: /);
    expect(r.errors[0].cause).toMatch(/full profile \(Moddable\/Node\)/);
    expect(r.errors[0].cause).toMatch(/verify: false/);
  });

  it("refuses a CA certificate that would only be dropped", () => {
    const raw = generic();
    raw.smtp.ssl = { type: 2, verify: false, cacert: CA };
    const r = toCompact(raw);
    expect(r.config).toBeNull();
    expect(r.errors.map((e) => e.field)).toEqual(["smtp.ssl.cacert"]);
  });

  it("reports the validator's problems with their field paths, together with the compact profile's", () => {
    const raw = tencent();
    raw.smtp.port = 25;
    raw.recipients.to.push("nobody");
    raw.smtp.ssl = { verify: true };
    const r = toCompact(raw);
    expect(r.config).toBeNull();
    expect(r.errors.map((e) => e.field)).toEqual(["smtp.port", "smtp.ssl.cacert", "recipients.to[2]", "smtp.ssl.verify"]);
    expect(r.errors[0].cause).toBe("smtp.port: Tencent SES accepts SMTP on port 465 only (25 is disabled)");
    for (const e of r.errors) expect(e.cause).not.toContain(SECRET);
    expect(toCompact("not an object").errors).toEqual([{ field: "(root)", cause: "(root): the configuration must be an object" }]);
  });
});

describe("compactJson: pure ASCII that JSON.parse restores", () => {
  it("escapes every non-ASCII character as \\uXXXX", () => {
    const raw = tencent();
    raw.board = "Pumpwerk Süd";
    raw.sender = { name: "Pumpwerk Sued" };
    raw.alarm.inputs[0].title = "漏水 – Wasser im Keller 🚰";
    const c = compactOf(raw);
    const text = compactJson(c);
    expect(/^[\x20-\x7e]*$/.test(text)).toBe(true);
    expect(text).toContain("Pumpwerk S\\u00fcd");
    expect(text).toContain("\\u6f0f\\u6c34 \\u2013 Wasser im Keller \\ud83d\\udeb0");
    const back = JSON.parse(text) as DeviceConfig;
    expect(back).toEqual(c);
    expect(back.inputs[0].title).toBe("漏水 – Wasser im Keller 🚰");
    expect(deviceError(back)).toBe(0);
  });

  it("is plain JSON.stringify for ASCII-only configurations", () => {
    const c = compactOf(generic());
    expect(compactJson(c)).toBe(JSON.stringify(c));
  });
});
