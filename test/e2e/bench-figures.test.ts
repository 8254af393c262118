// The mail bench keys (bench/sim-mail.ts) measured on the paced simulator, held to their
// targets: the next mail on a boot takes at most 6 AT commands, and a maximum-size body
// keeps the 115200-baud line at least 95 % busy during the QSMTPBODY data phase. Virtual
// time only: the figures are deterministic.
import { describe, expect, it } from "vitest";
import { simMailFigures, SIM_MAIL_TARGETS } from "../../bench/sim-mail.js";

describe("e2e: bench figures of the mail path", () => {
  it("commandsNext <= 6, bodyLineRateUtilisation >= 0.95, first mail plausible", async () => {
    const f = await simMailFigures();
    expect(f["sim.mail.commandsNext"]).toBeLessThanOrEqual(SIM_MAIL_TARGETS.commandsNext);
    expect(f["sim.mail.commandsNext"]).toBeGreaterThanOrEqual(4); // DST, SUB, BODY, PUT at the least
    expect(f["sim.mail.bodyLineRateUtilisation"]).toBeGreaterThanOrEqual(SIM_MAIL_TARGETS.bodyLineRateUtilisation);
    expect(f["sim.mail.bodyLineRateUtilisation"]).toBeLessThanOrEqual(1); // faster than the wire would be a measurement bug
    expect(f["sim.mail.commandsFirst"]).toBeGreaterThan(f["sim.mail.commandsNext"]);
    // Bring-up alone waits for RDY (3.3 s), the SIM and registration; the SMTP send takes 1.5 s in the typical profile.
    expect(f["sim.mail.virtualSecondsFirst"]).toBeGreaterThan(5);
    expect(f["sim.mail.virtualSecondsFirst"]).toBeLessThan(60);
  });
});
