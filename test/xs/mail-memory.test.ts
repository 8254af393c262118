// Memory of the whole core in real XS while it sends mail (issue 5 section 5): the
// core runs in xsnap-worker through the XS bridge, the simulated module on Node. XS
// meters are deterministic counts, so they can be asserted. Both profiles, measured the
// same way (bench/xs-mail.ts): the full core (host-sim/xs/device/main.ts) and the
// compact core of the Espruino target (host-sim/xs/device/compact.ts).
//
// The bench (`npm run bench`; `npm run bench -- --compact` for the compact profile)
// sends 100 mails for xs.mail.liveSlotGrowth100 and xs.compact.mail.liveSlotGrowth100.
// Here the full profile sends 20 to stay quick in CI (a few seconds): live slots after
// gc() once mail 20 has ended may exceed those after mail 1 by at most 50 (the bench's
// target for 100 mails). The compact profile sends the bench's 100 (under a second once
// bundled), all in one worker, so its test asserts the bench figure itself.
import { describe, expect, it } from "vitest";
import { MAIL_TARGETS, measureMailGrowth } from "../../bench/xs-mail.js";

describe("the core in XS sending mail", () => {
  it("20 mails in a row: live slots after gc() do not grow", async () => {
    const m = await measureMailGrowth(20);
    expect(m.liveSlotsWarm).toBeGreaterThan(0);
    expect(m.deliveriesPerMail).toBeGreaterThan(5);
    expect(m.liveSlotGrowth, `live slots after mail 1: ${m.liveSlotsWarm}, after mail 20: ${m.liveSlotsLast}`).toBeLessThanOrEqual(
      MAIL_TARGETS.liveSlotGrowth100,
    );
  });
});

describe("the compact core in XS sending mail", () => {
  it("100 mails in a row (one worker): live slots after gc() do not grow (xs.compact.mail.liveSlotGrowth100)", async () => {
    const m = await measureMailGrowth(100, "espruino");
    expect(m.composition).toBe("espruino");
    expect(m.mails).toBe(100);
    expect(m.liveSlotsWarm).toBeGreaterThan(0);
    expect(m.deliveriesPerMail).toBeGreaterThan(5);
    expect(m.liveSlotGrowth, `live slots after mail 1: ${m.liveSlotsWarm}, after mail 100: ${m.liveSlotsLast}`).toBeLessThanOrEqual(
      MAIL_TARGETS.liveSlotGrowth100,
    );
  });
});
