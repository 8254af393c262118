// The scenario format's `needs` (docs/scenarios.md, "Compositions"): the modules a scenario
// needs, checked against what its firmware part uses; the profile fields it replaced are
// refused with what replaced them; one `expect` judges every composition; the host-side
// cause texts the compact core (the espruino composition) is shown with.
import { describe, expect, it } from "vitest";
import { validateScenario, type Scenario } from "../../host-sim/scenarios/scenario.js";
import { checkExpect } from "../../host-sim/runner/expect.js";
import { causeName, describeCode } from "../../host-sim/runner/causes.js";
import { compactJobOutcome, compactPreCheck, compactRefusal } from "../../host-sim/runner/compact-firmware.js";
import { E_ATTACHMENTS, E_NOT_REGISTERED, E_POWERED_DOWN, E_SUBJECT, KIND_NETWORK, KIND_PERMANENT } from "../../firmware/errors.js";

const base: Scenario = { name: "x", expect: { failure: { cause: "registration-denied", retryable: true }, module: { reboots: 0 } } };
const mail = (attachments?: unknown[]) => ({ to: ["ops@example.com"], subject: "s", body: "b", ...(attachments ? { attachments } : {}) });

describe("scenario format: needs", () => {
  it("needs: absent means none; module names only", () => {
    expect(validateScenario(base)).toEqual([]);
    expect(validateScenario({ ...base, needs: ["attachments", "ca-upload"] })).toEqual([]);
    expect(validateScenario({ ...base, needs: ["tiny"] })).toEqual([
      "needs[0]: expected one of attachments, ca-upload, causes, reg-fallback, cme-texts, validate, queue, legacy-outbox, socket, smtp-client",
    ]);
  });

  it("a scenario that sends an attachment or verifies the server must list the module, with the path that uses it", () => {
    expect(validateScenario({ ...base, firmware: { mail: mail([{ name: "log.csv" }]) } })).toEqual([
      'needs: must list "attachments": the scenario uses it (firmware.mail.attachments)',
    ]);
    expect(validateScenario({ ...base, firmware: { mail: mail(), more: [mail([]), mail([{ name: "a" }])] } })).toEqual([
      'needs: must list "attachments": the scenario uses it (firmware.more[1].attachments)',
    ]);
    expect(validateScenario({ ...base, firmware: { mail: mail([{ name: "log.csv" }]) }, needs: ["attachments"] })).toEqual([]);
    expect(validateScenario({ ...base, firmware: { mail: mail([]) } })).toEqual([]); // an empty list uploads nothing
    expect(validateScenario({ ...base, firmware: { config: { smtp: { ssl: { verify: true } } } } })).toEqual([
      'needs: must list "ca-upload": the scenario uses it (firmware.config.smtp.ssl.verify)',
    ]);
    expect(validateScenario({ ...base, firmware: { config: { smtp: { ssl: { cacert: "x" } } } } })).toEqual([
      'needs: must list "ca-upload": the scenario uses it (firmware.config.smtp.ssl.cacert)',
    ]);
    expect(validateScenario({ ...base, firmware: { config: { smtp: { ssl: { verify: true } } } }, needs: ["ca-upload"] })).toEqual([]);
  });

  it("the profile fields are refused with what replaced them", () => {
    const errs = validateScenario({ ...base, profiles: ["full"], profilesNote: "x", expectByProfile: {} });
    for (const k of ["profiles", "profilesNote", "expectByProfile"]) {
      expect(errs).toContain(`${k}: unknown field`);
      expect(errs).toContain(`${k}: profiles are gone: a scenario lists the modules it needs (\`needs\`, docs/scenarios.md) and has one \`expect\` for every composition`);
    }
  });

  it("a power cut at a Store write: one number, or one per composition", () => {
    const cut = (write: unknown) => ({ ...base, faults: [{ kind: "powerCut", at: "storeWrite", write }] });
    expect(validateScenario(cut(3))).toEqual([]);
    expect(validateScenario(cut({ espruino: 1, moddable: 3, node: 3 }))).toEqual([]);
    expect(validateScenario(cut({ full: 3 }))).toEqual(["faults[0].write: expected a write number, or one per composition"]);
  });

  it("checkExpect judges every composition by the one `expect`", () => {
    const outcome = compactJobOutcome("m1", { delivered: false, code: E_NOT_REGISTERED, proto: 0, kind: KIND_NETWORK, commands: 9, recoveries: 3 }, 0, 10);
    const observed = { mails: [], outcomes: [outcome], reboots: 0, rxOverflow: 0 };
    expect(checkExpect(base, observed)).toEqual(['expected cause "registration-denied", got "not-registered" (not registered before the deadline)']);
    expect(checkExpect({ ...base, expect: { failure: { cause: "not-registered", retryable: true } } }, observed)).toEqual([]);
  });
});

describe("cause texts for the compact core's codes (host tables)", () => {
  it("module codes, SMTP replies and our own codes all get a text; the cause names match the full profile's", () => {
    expect(describeCode(0, 0)).toBe("");
    expect(describeCode(677, 535)).toBe("SMTP 535: authentication failed (user name or password)");
    expect(describeCode(660, 454)).toBe("SMTP: failed to send the mail; server: SMTP 454: temporary failure / sending rate exceeded");
    expect(describeCode(10, 0)).toBe("SIM not inserted");
    expect(describeCode(E_POWERED_DOWN, 0)).toMatch(/POWERED DOWN/);
    expect(describeCode(99999, 0)).toBe("error 99999");
    for (let code = 1001; code <= 1037; code++) {
      if (code > 1011 && code < 1020) continue;
      expect(describeCode(code, 0), String(code)).not.toMatch(/^error /);
    }
    const o = compactJobOutcome("a1", { delivered: false, code: 677, proto: 535, kind: KIND_PERMANENT, commands: 30, recoveries: 0 }, -1, 99);
    expect(o).toEqual({
      id: "a1", delivered: false, code: 677, proto: 535, kind: KIND_PERMANENT, cause: "SMTP 535: authentication failed (user name or password)",
      attempts: 1, commands: 30, startedAt: -1, firstPutAt: -1, finishedAt: 99, smtpRoundTrips: 0,
    });
    expect(causeName(o)).toBe("auth");
  });

  it("refusals: attachments before the core, then codes with the field they point at", () => {
    expect(compactPreCheck({ id: "m1", to: ["a@b.c"], subject: "s", body: "b", attachments: [{ name: "x", base64: "AA==" }] })).toEqual({
      code: E_ATTACHMENTS, cause: "the espruino composition sends no attachments (it carries no attachments module: use moddable or node)", field: "attachments",
    });
    expect(compactPreCheck({ id: "m1", to: ["a@b.c"], subject: "s", body: "b", attachments: [] })).toBeNull();
    expect(compactRefusal(E_SUBJECT)).toEqual({ code: E_SUBJECT, cause: "subject too long or contains control characters", field: "subject" });
  });
});
