import { describe, expect, it } from "vitest";
import { KIND_CONFIG, E_ADDRESS, E_FIELD_EMPTY, E_FIELD_TOO_LONG, E_RECIPIENTS, E_UNSAFE_CHAR } from "../../firmware/errors.js";
import { loadConfig, redact, redactedText, validateConfig } from "../../firmware/ext/validate/index.js";
import { loadDevice } from "../../firmware/ext/validate/device.js";
import type { ConfigError } from "../../firmware/ext/validate/index.js";

const SECRET = "s3cr3t-Pa55";

function tencent(): any {
  return {
    board: "pump-house",
    smtp: { provider: "tencent", user: "alarm@ex.com", password: SECRET },
    recipients: { to: ["ops@ex.com"] },
    network: { apn: "cmnet" },
    alarm: { inputs: [{ key: "leak", pin: 4, activeLevel: 0 }] },
  };
}

function errorsOf(raw: unknown): { field: string; cause: string; code: number; kind: number }[] {
  const r = validateConfig(raw);
  expect(r.config).toBeNull();
  return r.errors;
}

describe("configuration: presets and defaults", () => {
  it("Tencent SES: host of the region, port 465, ssltype 1, defaults filled", () => {
    const r = validateConfig(tencent());
    expect(r.errors).toEqual([]);
    const c = r.config!;
    expect(c.smtp).toMatchObject({ provider: "tencent", region: "hongkong", server: "smtp.qcloudmail.com", port: 465 });
    expect(c.smtp.ssl).toEqual({ type: 1, verify: false, cacert: "", context: 1 });
    expect(c.sender).toEqual({ name: "pump-house", address: "alarm@ex.com" });
    expect(c.recipients).toEqual({ to: ["ops@ex.com"], cc: [], bcc: [] });
    expect(c.network).toEqual({ apn: "cmnet", user: "", password: "", auth: 0, context: 1 });
    expect(c.alarm).toMatchObject({ debounceMs: 50, coalesceSeconds: 600, perRecipientPerHour: 10, heartbeatHours: 0, idleMinutes: 30, outboxSize: 32 });
    expect(c.alarm.inputs[0]).toEqual({ key: "leak", title: "leak", pin: 4, activeLevel: 0, debounceMs: 50, notifyClear: false, raiseAtStart: true });
  });

  it("Tencent regions by name or by host", () => {
    for (const [region, host] of [["guangzhou", "gz-smtp.qcloudmail.com"], ["gz", "gz-smtp.qcloudmail.com"], ["international", "sg-smtp.qcloudmail.com"]]) {
      const raw = tencent();
      raw.smtp.region = region;
      expect(validateConfig(raw).config!.smtp.server).toBe(host);
    }
    const raw = tencent();
    raw.smtp.server = "sg-smtp.qcloudmail.com";
    expect(validateConfig(raw).config!.smtp.region).toBe("international");
  });

  it("Amazon SES by region; STARTTLS ports get ssltype 2", () => {
    const raw = tencent();
    raw.smtp = { provider: "amazon", region: "eu-west-1", user: "AKIAXXXX", password: SECRET };
    raw.sender = { address: "alarm@ex.com", name: "Pump" };
    const c = validateConfig(raw).config!;
    expect(c.smtp).toMatchObject({ server: "email-smtp.eu-west-1.amazonaws.com", port: 465 });
    expect(c.smtp.ssl.type).toBe(1);
    raw.smtp.port = 587;
    expect(validateConfig(raw).config!.smtp.ssl.type).toBe(2);
  });

  it("generic SMTP with verification against a CA", () => {
    const raw = tencent();
    raw.smtp = {
      provider: "generic", server: "mail.example.org", port: 465, user: "u", password: SECRET,
      ssl: { type: 1, verify: true, cacert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" },
    };
    raw.sender = { address: "alarm@example.org" };
    raw.recipients = { to: ["a@x.org"], cc: ["b@x.org"], bcc: ["c@x.org"] };
    const c = validateConfig(raw).config!;
    expect(c.smtp.ssl.verify).toBe(true);
    expect(c.recipients.cc).toEqual(["b@x.org"]);
  });

  it("maps, through the device record, to the alarm outbox's settings and input rules", () => {
    const raw = tencent();
    raw.alarm.heartbeatHours = 24;
    const c = loadDevice(raw);
    const { board, to, cc, bcc, coalesceMs, perHour, idleMs, heartbeatMs, capacity, maxAttempts, inputs } = c;
    expect({ board, to, cc, bcc, coalesceMs, perHour, idleMs, heartbeatMs, capacity, maxAttempts }).toEqual({
      board: "pump-house", to: ["ops@ex.com"], cc: [], bcc: [], coalesceMs: 600000, perHour: 10,
      idleMs: 1800000, heartbeatMs: 86400000, capacity: 32, maxAttempts: 12,
    });
    expect(inputs).toEqual([{ key: "leak", title: "leak", pin: 4, activeLevel: 0, debounceMs: 50, notifyClear: false, raiseAtStart: true }]);
  });
});

describe("configuration errors: each invalid field reports which and why", () => {
  const cases: [string, (c: any) => void, string, string, number?][] = [
    ["missing smtp", (c) => delete c.smtp, "smtp", "is required", E_FIELD_EMPTY],
    ["unknown provider", (c) => (c.smtp.provider = "gmail"), "smtp.provider", "unknown provider", undefined],
    ["port out of range", (c) => ((c.smtp.provider = "generic"), (c.smtp.server = "m.x.org"), (c.smtp.port = 70000)), "smtp.port", "must be an integer 1..65535", undefined],
    ["port not a number", (c) => ((c.smtp.provider = "generic"), (c.smtp.server = "m.x.org"), (c.smtp.port = "465")), "smtp.port", "must be an integer", undefined],
    ["Tencent on port 25", (c) => (c.smtp.port = 25), "smtp.port", "port 465 only", undefined],
    ["Tencent without SSL", (c) => (c.smtp.ssl = { type: 0 }), "smtp.ssl.type", "ssltype 1", undefined],
    ["Tencent unknown region", (c) => (c.smtp.region = "mars"), "smtp.region", "unknown Tencent SES region", undefined],
    ["Tencent wrong host", (c) => (c.smtp.server = "smtp.example.com"), "smtp.server", "is not the Tencent SES host", undefined],
    ["Tencent Cc", (c) => (c.recipients.cc = ["b@ex.com"]), "recipients.cc", "does not support Cc", E_RECIPIENTS],
    ["Tencent over 10/hour", (c) => (c.alarm.perRecipientPerHour = 20), "alarm.perRecipientPerHour", "at most 10 mails per hour", undefined],
    ["Amazon without region", (c) => (c.smtp = { provider: "amazon", user: "u@x.org", password: "p" }), "smtp.region", "is required for Amazon SES", E_FIELD_EMPTY],
    ["Amazon bad region", (c) => (c.smtp = { provider: "amazon", region: "Europe", user: "u@x.org", password: "p" }), "smtp.region", "is not an AWS region", undefined],
    ["Amazon plain SMTP", (c) => (c.smtp = { provider: "amazon", region: "us-east-1", port: 587, ssl: { type: 0 }, user: "u@x.org", password: "p" }), "smtp.ssl.type", "TLS is required", undefined],
    ["Amazon odd port", (c) => (c.smtp = { provider: "amazon", region: "us-east-1", port: 26, user: "u@x.org", password: "p" }), "smtp.port", "Amazon SES listens on", undefined],
    ["generic without server", (c) => (c.smtp = { provider: "generic", port: 25, user: "u@x.org", password: "p" }), "smtp.server", "is required", E_FIELD_EMPTY],
    ["generic bad host", (c) => (c.smtp = { provider: "generic", server: "mail_x.org", port: 25, user: "u@x.org", password: "p" }), "smtp.server", "is not a host name", undefined],
    ["server over 50 bytes", (c) => (c.smtp = { provider: "generic", server: "m".repeat(47) + ".org", port: 25, user: "u@x.org", password: "p" }), "smtp.server", "limit 50", E_FIELD_TOO_LONG],
    ["user over 50 bytes", (c) => (c.smtp.user = "u".repeat(51)), "smtp.user", "is 51 bytes, limit 50", E_FIELD_TOO_LONG],
    ["user missing", (c) => delete c.smtp.user, "smtp.user", "is required", E_FIELD_EMPTY],
    ["password with a quote", (c) => (c.smtp.password = 'ab"cd'), "smtp.password", "contains a double quote at position 2", E_UNSAFE_CHAR],
    ["password with CR", (c) => (c.smtp.password = "ab\rcd"), "smtp.password", "contains CR", E_UNSAFE_CHAR],
    ["password over 50", (c) => (c.smtp.password = "p".repeat(51)), "smtp.password", "limit 50", E_FIELD_TOO_LONG],
    ["verify without CA", (c) => (c.smtp.ssl = { verify: true }), "smtp.ssl.cacert", "is required when ssl.verify", E_FIELD_EMPTY],
    ["CA not PEM", (c) => (c.smtp.ssl = { verify: true, cacert: "hello" }), "smtp.ssl.cacert", "is not a PEM certificate", undefined],
    ["ssl context", (c) => (c.smtp.ssl = { context: 9 }), "smtp.ssl.context", "0..5", undefined],
    ["sender address bad", (c) => (c.sender = { address: "alarm.ex.com" }), "sender.address", "is not a valid address", E_ADDRESS],
    ["sender missing when user is no address", (c) => (c.smtp.user = "AKIA123"), "sender.address", "is required", E_FIELD_EMPTY],
    ["sender name non-ASCII", (c) => (c.sender = { name: "Pumpe Süd" }), "sender.name", "non-ASCII", E_UNSAFE_CHAR],
    ["no recipients", (c) => (c.recipients.to = []), "recipients.to", "at least one", E_RECIPIENTS],
    ["recipients not a list", (c) => (c.recipients.to = "ops@ex.com"), "recipients.to", "must be a list", undefined],
    ["bad recipient", (c) => (c.recipients.to = ["ops@ex.com", "nobody"]), "recipients.to[1]", "is not a valid address", E_ADDRESS],
    ["recipient over 50", (c) => (c.recipients.to = ["a".repeat(45) + "@ex.com"]), "recipients.to[0]", "limit 50", E_FIELD_TOO_LONG],
    ["duplicate recipient", (c) => (c.recipients.to = ["ops@ex.com", "OPS@ex.com"]), "recipients.to[1]", "duplicate address", E_ADDRESS],
    ["21 recipients", (c) => (c.recipients.to = Array.from({ length: 21 }, (_, i) => "r" + i + "@ex.com")), "recipients", "at most 20", E_RECIPIENTS],
    ["APN with LF", (c) => (c.network.apn = "cm\nnet"), "network.apn", "contains LF", E_UNSAFE_CHAR],
    ["APN auth", (c) => (c.network.auth = 4), "network.auth", "0..3", undefined],
    ["PDP context", (c) => (c.network.context = 0), "network.context", "1..16", undefined],
    ["board too long", (c) => (c.board = "温".repeat(17)), "board", "is 51 bytes, limit 50", E_FIELD_TOO_LONG],
    ["input without pin", (c) => delete c.alarm.inputs[0].pin, "alarm.inputs[0].pin", "is required", E_FIELD_EMPTY],
    ["input active level", (c) => (c.alarm.inputs[0].activeLevel = 2), "alarm.inputs[0].activeLevel", "0..1", undefined],
    ["input key with slash", (c) => (c.alarm.inputs[0].key = "a/b"), "alarm.inputs[0].key", "except space, '/'", E_UNSAFE_CHAR],
    ["duplicate input", (c) => c.alarm.inputs.push({ key: "leak", pin: 4 }), "alarm.inputs[1].key", "duplicate key", undefined],
    ["duplicate pin", (c) => c.alarm.inputs.push({ key: "door", pin: 4 }), "alarm.inputs[1].pin", "used by another input", undefined],
    ["debounce range", (c) => (c.alarm.debounceMs = -1), "alarm.debounceMs", "0..60000", undefined],
    ["outbox size", (c) => (c.alarm.outboxSize = 100), "alarm.outboxSize", "4..64", undefined],
    ["heartbeat not integer", (c) => (c.alarm.heartbeatHours = 1.5), "alarm.heartbeatHours", "must be an integer", undefined],
    ["typo in a field name", (c) => (c.smtp.pasword = "x"), "smtp.pasword", "unknown field", undefined],
    ["wrong type of section", (c) => (c.network = "cmnet"), "network", "must be an object", undefined],
  ];
  for (const [name, mutate, field, why, code] of cases) {
    it(name + " -> " + field, () => {
      const raw = tencent();
      mutate(raw);
      const errs = errorsOf(raw);
      const e = errs.find((x) => x.field === field);
      expect(e, JSON.stringify(errs)).toBeDefined();
      expect(e!.kind).toBe(KIND_CONFIG);
      expect(e!.cause).toContain(field + ": ");
      expect(e!.cause).toContain(why);
      if (code !== undefined) expect(e!.code).toBe(code);
      for (const x of errs) expect(x.cause).not.toContain(SECRET);
    });
  }

  it("reports every problem at once, and loadConfig throws them as one KIND_CONFIG error", () => {
    const raw = tencent();
    raw.smtp.port = 25;
    raw.recipients.to = ["nobody"];
    raw.alarm.idleMinutes = 0;
    const errs = errorsOf(raw);
    expect(errs.map((e) => e.field)).toEqual(["smtp.port", "recipients.to[0]", "alarm.idleMinutes"]);
    let thrown: ConfigError | null = null;
    try {
      loadConfig(raw);
    } catch (e) {
      thrown = e as ConfigError;
    }
    expect(thrown!.kind).toBe(KIND_CONFIG);
    expect(thrown!.errors.length).toBe(3);
    expect(thrown!.field).toBe("smtp.port");
    expect(thrown!.cause).toContain("invalid configuration: smtp.port: ");
    expect(validateConfig(null).errors[0].cause).toContain("must be an object");
  });
});

describe("redact", () => {
  it("never lets a password or the CA text through, even for invalid input", () => {
    const raw = tencent();
    raw.network.password = "apn-" + SECRET;
    raw.smtp.ssl = { cacert: "-----BEGIN CERTIFICATE-----xyz" };
    const text = redactedText(raw);
    expect(text).not.toContain(SECRET);
    expect(text).toContain('"password":"***"');
    expect(text).toContain("<30 bytes>");
    const c = loadConfig(tencent());
    expect(JSON.stringify(redact(c))).not.toContain(SECRET);
    expect((redact(c) as any).smtp.user).toBe("alarm@ex.com");
    expect(c.smtp.password).toBe(SECRET); // the original is untouched
  });
});
