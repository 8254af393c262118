// The one recovery ladder (firmware/mail/ladder.ts): its tables are whole, every climb ends,
// and the walk takes the first condition that holds. What each mailer does on a rung is tested
// with the mailers (test/mail/recovery.test.ts, test/compact/mailer.test.ts) and compared
// between them in every scenario (test/scenarios/compositions.test.ts, "one recovery ladder").
import { describe, expect, it } from "vitest";
import {
  C_BRINGUP, C_CONTENT, C_FINAL, C_NETWORK, C_RESET, C_RUNG_FAILED, C_SENDING, climbTable, ladderRungs,
  R_FAIL, R_GIVE_UP, R_PDP, R_REBOOT, R_REBUILD, R_RESEND, R_RESTART, R_RETRY_PHASE, R_END, rungBudgets, rungFor,
} from "../../firmware/mail/ladder.js";
import { defaultLimits } from "../../firmware/mail/job.js";

/** Facts with exactly these conditions holding. */
const only = (...held: number[]): boolean[] => Array.from({ length: C_CONTENT + 1 }, (_, c) => held.includes(c));
const always = () => true;

describe("the recovery ladder's tables", () => {
  it("every condition has a rung, and every rung a climb or no budget of its own", () => {
    expect(ladderRungs()).toHaveLength(C_CONTENT + 1);
    for (const r of ladderRungs()) expect(r, String(r)).toBeGreaterThanOrEqual(0);
    // The rungs that end the mail are the ones above R_RESTART: they have no budget and no climb.
    expect([R_GIVE_UP, R_FAIL, R_END].every((r) => r > R_RESTART)).toBe(true);
    expect(climbTable()).toHaveLength(R_RESTART + 1);
    expect(rungBudgets()).toHaveLength(R_RESTART + 1);
  });

  it("every climb ends at a rung that ends the mail, with every budget spent", () => {
    for (let r = 1; r <= R_RESTART; r++) {
      let rung = r;
      const seen = new Set<number>();
      while (rung <= R_RESTART) {
        expect(seen.has(rung), `a cycle from rung ${r}`).toBe(false);
        seen.add(rung);
        rung = climbTable()[rung];
      }
      expect([R_GIVE_UP, R_FAIL]).toContain(rung);
    }
  });

  it("the full job's default limits are the table's budgets", () => {
    const b = rungBudgets();
    const l = defaultLimits();
    expect([l.maxPhaseRetries, l.maxResends, l.maxPdp, l.maxRebuilds, l.maxReboots, l.maxResets]).toEqual([
      b[R_RETRY_PHASE], b[R_RESEND], b[R_PDP], b[R_REBUILD], b[R_REBOOT], b[R_RESTART],
    ]);
  });
});

describe("rungFor", () => {
  it("takes the rung of the first condition that holds", () => {
    expect(rungFor(only(C_SENDING), always)).toBe(R_RESEND);
    expect(rungFor(only(C_NETWORK, C_SENDING), always)).toBe(R_PDP);
    expect(rungFor(only(C_FINAL, C_NETWORK), always)).toBe(R_FAIL);
    expect(rungFor(only(C_RESET, C_FINAL), always)).toBe(R_RESTART);
    // A failed re-activation among bring-up's commands (Espruino's mailer) is the rung's failure.
    expect(rungFor(only(C_RUNG_FAILED, C_BRINGUP), always)).toBe(R_REBOOT);
  });

  it("climbs while a rung's budget is spent", () => {
    expect(rungFor(only(C_SENDING), (r) => r !== R_RESEND)).toBe(R_PDP);
    expect(rungFor(only(C_SENDING), (r) => r !== R_RESEND && r !== R_PDP)).toBe(R_REBOOT);
    expect(rungFor(only(C_SENDING), (r) => r > R_RESTART)).toBe(R_GIVE_UP);
    expect(rungFor(only(C_BRINGUP), (r) => r !== R_RETRY_PHASE)).toBe(R_REBOOT);
  });

  it("falls back to the content's rung when no condition holds, and never runs past the table", () => {
    // Facts that hold nothing, C_CONTENT included, and throw when read past the table (a walk
    // without its bound would never end: the test fails instead of hanging the worker).
    const nothing = new Proxy([] as boolean[], {
      get(target, key) {
        if (typeof key === "string" && Number(key) > C_CONTENT) throw new Error(`condition ${key} read: past the table`);
        return Reflect.get(target, key);
      },
    });
    expect(rungFor(nothing, always)).toBe(R_REBUILD);
    expect(rungFor(only(), (r) => r !== R_REBUILD && r !== R_REBOOT)).toBe(R_GIVE_UP);
    expect(rungFor(only(C_CONTENT), always)).toBe(R_REBUILD);
  });
});
