// The scenario format's profile fields (docs/scenarios.md, "Profiles"): `profiles`,
// `profilesNote`, `expectByProfile`; how the runner applies them (appliesTo, expectFor,
// checkExpect with a profile); the host-side cause texts the compact profile is shown with.
import { describe, expect, it } from "vitest";
import { appliesTo, expectFor, validateScenario, type Scenario } from "../../host-sim/scenarios/scenario.js";
import { checkExpect } from "../../host-sim/runner/expect.js";
import { causeName, describeCode } from "../../host-sim/runner/causes.js";
import { compactJobOutcome, compactPreCheck, compactRefusal } from "../../host-sim/runner/compact-firmware.js";
import { E_ATTACHMENTS, E_NOT_REGISTERED, E_POWERED_DOWN, E_SUBJECT, KIND_NETWORK, KIND_PERMANENT } from "../../firmware/errors.js";

const base: Scenario = { name: "x", expect: { failure: { cause: "registration-denied", retryable: true }, module: { reboots: 0 } } };

describe("scenario format: profiles", () => {
  it("profiles: absent means every profile; a list limits it and needs a note", () => {
    expect(appliesTo(base, "full") && appliesTo(base, "compact")).toBe(true);
    const full: Scenario = { ...base, profiles: ["full"], profilesNote: "needs an attachment" };
    expect(validateScenario(full)).toEqual([]);
    expect([appliesTo(full, "full"), appliesTo(full, "compact")]).toEqual([true, false]);
    expect(validateScenario({ ...base, profiles: ["full"] })).toEqual(["profilesNote: required when `profiles` leaves a profile out (why it does not apply)"]);
    expect(validateScenario({ ...base, profiles: ["full", "compact"] })).toEqual([]);
    expect(validateScenario({ ...base, profiles: [] })).toContain("profiles: expected a non-empty array");
    expect(validateScenario({ ...base, profiles: ["tiny"], profilesNote: "x" })).toContain("profiles[0]: expected one of full, compact");
  });

  it("expectByProfile: validated with paths; `because` is required", () => {
    const errs = validateScenario({
      ...base,
      expectByProfile: {
        tiny: {},
        compact: { failure: { code: 1 }, delivered: [], extra: 1 },
      },
    });
    expect(errs).toEqual(
      expect.arrayContaining([
        "expectByProfile.tiny: unknown key (expected one of full, compact)",
        "expectByProfile.compact.extra: unknown field",
        "expectByProfile.compact: give `delivered` or `failure`, not both",
        "expectByProfile.compact.failure.cause: required",
        "expectByProfile.compact.because: required",
      ]),
    );
    expect(validateScenario({ ...base, expectByProfile: { compact: { module: { reboots: 1 }, because: "it reboots once more" } } })).toEqual([]);
  });

  it("expectFor lays the override over `expect`: keys replace keys; delivered and failure are one outcome", () => {
    const s: Scenario = {
      ...base,
      expectByProfile: { compact: { failure: { code: E_NOT_REGISTERED, cause: "not-registered" }, because: "codes only" } },
    };
    expect(expectFor(s, "full")).toBe(s.expect);
    expect(expectFor(s, "compact")).toEqual({ failure: { code: E_NOT_REGISTERED, cause: "not-registered" }, module: { reboots: 0 } });
    const d: Scenario = { ...base, expectByProfile: { compact: { delivered: [{ subject: "x" }], because: "b" } } };
    expect(expectFor(d, "compact")).toEqual({ delivered: [{ subject: "x" }], module: { reboots: 0 } });
    const m: Scenario = { ...base, expectByProfile: { compact: { module: { reboots: 2 }, because: "b" } } };
    expect(expectFor(m, "compact")).toEqual({ failure: base.expect.failure, module: { reboots: 2 } });
  });

  it("checkExpect judges by the profile that ran", () => {
    const s: Scenario = { ...base, expectByProfile: { compact: { failure: { code: E_NOT_REGISTERED, cause: "not-registered", retryable: true }, because: "codes only" } } };
    const outcome = compactJobOutcome("m1", { delivered: false, code: E_NOT_REGISTERED, proto: 0, kind: KIND_NETWORK, commands: 9, recoveries: 3 }, 0, 10);
    const observed = { mails: [], outcomes: [outcome], reboots: 0, rxOverflow: 0 };
    expect(checkExpect(s, observed, "compact")).toEqual([]);
    expect(checkExpect(s, observed, "full")).toEqual(['expected cause "registration-denied", got "not-registered" (not registered before the deadline)']);
  });
});

describe("cause texts for the compact profile's codes (host tables)", () => {
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
      attempts: 1, commands: 30, startedAt: -1, firstPutAt: -1, finishedAt: 99,
    });
    expect(causeName(o)).toBe("auth");
  });

  it("refusals: attachments before the core, then codes with the field they point at", () => {
    expect(compactPreCheck({ id: "m1", to: ["a@b.c"], subject: "s", body: "b", attachments: [{ name: "x", base64: "AA==" }] })).toEqual({
      code: E_ATTACHMENTS, cause: "the compact profile sends no attachments (use the full profile)", field: "attachments",
    });
    expect(compactPreCheck({ id: "m1", to: ["a@b.c"], subject: "s", body: "b", attachments: [] })).toBeNull();
    expect(compactRefusal(E_SUBJECT)).toEqual({ code: E_SUBJECT, cause: "subject too long or contains control characters", field: "subject" });
  });
});
